"""A saved post's pages (the post page a client reviews on, and the review link) show it as each of its
channels will: one card per account, under that account's header, with that network's own text and
the post's images; the review link shows the images by their signed URLs. The inbox list stays X's
card alone (its CPU, issue 16)."""

import html
import re

import pytest
from django.urls import reverse

from agency import review_links
from posts import services
from tests.conftest import make_account, upload
from tests.platforms.test_instagram import jpeg


@pytest.fixture
def linkedin(alice):
    return make_account(alice, "kQ3n_Alice", provider="linkedin", name="Alice Flowers")


@pytest.fixture
def instagram(alice):
    return make_account(alice, "alices.flowers", provider="instagram", name="Alice's Flowers")


@pytest.fixture
def post(rita, task, linkedin, instagram):
    """A post for alice's LinkedIn and Instagram, with a photo and a caption of Instagram's own."""
    return services.create_post(
        author=rita, task=task, content="Peonies are in: https://example.com/visit", hashtags=["spring"],
        account_ids=[linkedin.pk, instagram.pk], text_overrides={"instagram": "Peonies are in, link in bio"},
        media_files=[upload("peonies.jpg", jpeg(1080, 1080), "image/jpeg")], alt_texts=["Pink peonies"],
    )


def card(page: str, provider: str) -> str:
    """One network's card (its list item) in the page."""
    start = page.index(f'data-network="{provider}"')
    return page[start : page.index("</li>", start)]


def cards(page: str) -> list[str]:
    return re.findall(r'data-network="(\w+)"', page)


def assert_linkedin_and_instagram_cards(page: str, image_src: str) -> None:
    assert "{#" not in page and "{%" not in page  # no template comment or tag left as text
    assert cards(page) == ["instagram", "linkedin"]  # by network, as the composer shows them
    assert 'class="x-card"' not in page  # the post does not go to X
    linkedin = card(page, "linkedin")
    assert "data-network-name>Alice Flowers</span>" in linkedin
    assert "Peonies are in: " in linkedin and "#spring" in linkedin
    assert f'<img src="{image_src}" alt="Pink peonies"' in linkedin
    instagram = card(page, "instagram")
    assert "data-network-name>alices.flowers</span>" in instagram  # the username alone, as Instagram heads it
    assert "(own text)" in instagram
    assert "Peonies are in, link in bio" in instagram and "#spring" in instagram
    assert "Peonies are in:" not in instagram
    assert f'<img src="{image_src}" alt="Pink peonies"' in instagram
    assert "data-network-count" not in page  # the composer's count is not shown on a saved post


def test_the_post_page_shows_the_client_each_channels_card(client, alice, post):
    client.force_login(alice)
    page = client.get(reverse("posts:detail", args=[post.pk])).content.decode()
    assert_linkedin_and_instagram_cards(page, post.media.get().url)
    assert "Approve" in page  # the client reviews on this page


def test_the_post_page_shows_the_reseller_each_channels_card(client, rita, post):
    client.force_login(rita)
    page = client.get(reverse("posts:detail", args=[post.pk])).content.decode()
    assert_linkedin_and_instagram_cards(page, post.media.get().url)


def test_a_refused_review_shows_the_cards_again(client, alice, post):
    client.force_login(alice)
    answer = client.post(reverse("posts:review", args=[post.pk]), {"action": 2, "version": post.version, "feedback": ""})
    assert answer.status_code == 400
    assert_linkedin_and_instagram_cards(answer.content.decode(), post.media.get().url)


def test_the_review_link_shows_each_channels_card_with_the_image_by_its_signed_url(client, rita, post):
    link = review_links.create_link(actor=rita, posts=[post])
    page = client.get("/agency/review/" + review_links.token_for(link) + "/").content.decode()

    image = post.media.get()
    src = re.search(r'<img src="([^"]+)"', card(page, "linkedin")).group(1)
    assert html.unescape(src).startswith(image.url + "?expires=") and "signature=" in src
    assert_linkedin_and_instagram_cards(page, src)
    assert f'src="{image.url}"' not in page  # never the bare path, which needs a login
    assert client.get(html.unescape(src)).status_code == 200  # it opens without logging in
    assert "how they will appear on each network" in page


def test_a_post_to_x_and_linkedin_shows_xs_card_headed_by_the_x_account_then_linkedins(
    client, alice, rita, task, linkedin, alice_account
):
    post = services.create_post(author=rita, task=task, content="Tulips", account_ids=[linkedin.pk, alice_account.pk])
    client.force_login(alice)
    page = client.get(reverse("posts:detail", args=[post.pk])).content.decode()

    x_card = page[page.index('class="x-card"') : page.index("</article>", page.index('class="x-card"'))]
    assert "@alice_x" in x_card and "Alice Flowers" not in x_card
    assert cards(page) == ["linkedin"]
    assert page.index('class="x-card"') < page.index('data-network="linkedin"')


def test_each_account_on_a_network_has_its_own_card(client, alice, rita, task, linkedin):
    page_account = make_account(alice, "", provider="linkedin", name="Alice's Flower Shop",
                                provider_account_id="urn:li:organization:2414183")
    post = services.create_post(author=rita, task=task, content="Tulips", account_ids=[linkedin.pk, page_account.pk])
    client.force_login(alice)
    page = client.get(reverse("posts:detail", args=[post.pk])).content.decode()

    assert cards(page) == ["linkedin", "linkedin"]
    assert "data-network-name>Alice Flowers</span>" in page
    assert "data-network-name>Alice&#x27;s Flower Shop</span>" in page and "net-avatar is-page" in page


def test_a_bluesky_thread_shows_its_later_parts_under_the_first(client, alice, rita, task):
    bluesky = make_account(alice, "alice.bsky.test", provider="bluesky", server_url="https://pds.example")
    post = services.create_post(author=rita, task=task, account_ids=[bluesky.pk], parts=[
        {"content": "One: the tulips"},
        {"content": "Two: the peonies", "media_files": [upload("p.jpg", jpeg(800, 600), "image/jpeg")],
         "alt_texts": ["Peonies"]},
    ])
    client.force_login(alice)
    bluesky_card = card(client.get(reverse("posts:detail", args=[post.pk])).content.decode(), "bluesky")

    assert bluesky_card.index("One: the tulips") < bluesky_card.index('aria-label="Part 2 on Bluesky"') \
        < bluesky_card.index("Two: the peonies")
    part_media = post.parts.get().media.get()
    assert f'<img src="{part_media.url}" alt="Peonies"' in bluesky_card


def test_the_inbox_list_shows_no_network_cards(client, alice, post):
    client.force_login(alice)
    page = client.get(reverse("posts:inbox")).content.decode()
    assert "Peonies are in" in page and "data-network=" not in page


def test_the_inbox_card_is_headed_by_the_x_account_though_another_network_comes_first(
        client, alice, rita, task, linkedin):
    on_x = make_account(alice, "alice_on_x")
    post = services.create_post(author=rita, task=task, content="Tulips", hashtags=[], account_ids=[linkedin.pk])
    services.edit_post(actor=rita, post=post, account_ids=[linkedin.pk, on_x.pk])  # X added later: second
    assert [c.account for c in post.channels.all()] == [linkedin, on_x]
    client.force_login(alice)
    page = client.get(reverse("posts:inbox")).content.decode()
    head = page[page.index('<div class="x-head">') : page.index("</div>", page.index('<div class="x-head">'))]
    assert "@alice_on_x" in head and "kQ3n_Alice" not in head
