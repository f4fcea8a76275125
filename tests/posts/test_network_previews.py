"""The composer's card for each network shows the post as that network would: the chosen account's
header, the attached images laid out its way, and the text as it renders it (what it links, how it
shortens a link, where its feed folds a long text behind its "more")."""

import re

import pytest
from django.urls import reverse

from posts import services
from tests.conftest import make_account, upload
from tests.platforms.test_instagram import jpeg

LONG = "Our spring bouquets are here with tulips ranunculus and the first peonies of the season. " * 8


@pytest.fixture
def everywhere(alice, task):
    """alice's accounts on all six networks, as their connect flows save them."""
    def on(provider, username, name="", **fields):
        return make_account(alice, username, provider=provider, name=name, **fields)

    return {
        "twitter": on("twitter", "alice_flowers", "Alice's Flowers"),
        "linkedin": on("linkedin", "kQ3n_Alice", "Alice Flowers"),
        "facebook": on("facebook", "", "Alice's Flower Shop", provider_account_id="104729836615"),
        "instagram": on("instagram", "alices.flowers", "Alice's Flowers"),
        "bluesky": on("bluesky", "alice.bsky.test", server_url="https://pds.example"),
        "mastodon": on("mastodon", "alice", "Alice on Mastodon", server_url="https://mastodon.example"),
    }


def card(page: str, provider: str) -> str:
    """One network's card (its <article>) in the composer page."""
    start = page.index(f'data-network="{provider}"')
    return page[start : page.index("</article>", start)]


def folded(html: str) -> tuple[str, str, str]:
    """(the text shown, the "more" link's words, the text behind it), tags left out."""
    match = re.match(r'(.*)<span class="net-ellipsis">…</span> <details class="net-more"><summary>(.*?)</summary>(.*)'
                     r'</details>$', html, re.S)
    assert match, f"not folded: {html}"
    return tuple(re.sub(r"<[^>]+>", "", part) for part in match.groups())


def preview(client, accounts, **data) -> dict:
    answer = client.post(reverse("posts:preview"), {"accounts": [a.pk for a in accounts], "hashtags": "", **data})
    return {n["provider"]: n for n in answer.json()["networks"]}


def test_each_networks_card_shows_the_accounts_header_and_the_attached_image(client, rita, task, everywhere):
    post = services.create_post(
        author=rita, task=task, content="Peonies are in 🌸 https://example.com/visit", hashtags=["spring"],
        account_ids=[a.pk for a in everywhere.values()],
        media_files=[upload("peonies.jpg", jpeg(1080, 1080), "image/jpeg")], alt_texts=["Pink peonies"],
    )
    image = post.media.get()
    client.force_login(rita)
    page = client.get(reverse("posts:edit", args=[post.pk])).content.decode()
    assert "{#" not in page and "{%" not in page  # no template comment or tag left as text

    expected = {  # network: (name shown, handle shown, initial)
        "twitter": ("Alice&#x27;s Flowers", "@alice_flowers", "A"),
        "linkedin": ("Alice Flowers", "", "A"),
        "facebook": ("Alice&#x27;s Flower Shop", "", "A"),
        "instagram": ("alices.flowers", "", "A"),  # Instagram heads a post with the username alone
        "bluesky": ("alice.bsky.test", "@alice.bsky.test", "A"),  # no display name stored: the handle
        "mastodon": ("Alice on Mastodon", "@alice@mastodon.example", "A"),
    }
    for provider, (name, handle, initial) in expected.items():
        shown = card(page, provider)
        assert f"data-network-name>{name}</span>" in shown, provider
        assert f"data-network-handle>{handle}</span>" in shown, provider
        assert f"data-network-initial>{initial}</span>" in shown, provider
        assert f'<img src="{image.url}" alt="Pink peonies"' in shown, provider
        assert 'data-count="1"' in shown, provider
    # Instagram: the picture first, then the caption after the username; elsewhere the text first.
    instagram = card(page, "instagram")
    assert instagram.index("<img") < instagram.index("data-network-text")
    assert re.search(r'class="ig-user" data-network-name>alices.flowers</strong> <span data-network-text>', instagram)
    assert card(page, "linkedin").index("data-network-text") < card(page, "linkedin").index("<img")
    assert "Just now · 🌐" in card(page, "facebook") and "now · Public" in card(page, "mastodon")
    # Facebook sends a link post only without photos: with one, no link card.
    assert re.search(r'data-network-link data-host="example.com" hidden', card(page, "facebook"))


def test_instagram_shows_a_carousel_one_picture_at_a_time_with_its_dots(client, rita, task, everywhere):
    post = services.create_post(
        author=rita, task=task, content="Three bouquets", account_ids=[everywhere["instagram"].pk],
        media_files=[upload(f"b{i}.jpg", jpeg(1080, 1350), "image/jpeg") for i in range(3)], alt_texts=["1", "2", "3"],
    )
    client.force_login(rita)
    instagram = card(client.get(reverse("posts:edit", args=[post.pk])).content.decode(), "instagram")

    assert len(re.findall(r"<img [^>]*>", instagram)) == 3
    assert len(re.findall(r"<img [^>]* hidden>", instagram)) == 2  # the 2nd and 3rd are a swipe away
    assert ">1/3</span>" in instagram
    dots = re.search(r'<div class="ig-dots"[^>]*>(.*?)</div>', instagram).group(1)
    assert dots == '<span class="on"></span><span></span><span></span>'


def test_linkedin_folds_after_about_210_characters_behind_see_more(client, rita, task, everywhere):
    client.force_login(rita)
    shown, more, rest = folded(preview(client, [everywhere["linkedin"]], content=LONG)["linkedin"]["html"])
    assert more == "see more"
    assert 150 < len(shown) <= 210 and LONG[len(shown)] == " "  # cut between words
    assert shown + " " + rest == LONG.strip()


def test_linkedin_also_folds_after_three_lines(client, rita, task, everywhere):
    client.force_login(rita)
    html = preview(client, [everywhere["linkedin"]], content="One\nTwo\nThree\nFour")["linkedin"]["html"]
    assert folded(html) == ("One\nTwo\nThree", "see more", "Four")


def test_facebook_folds_after_about_477_characters_behind_see_more(client, rita, task, everywhere):
    client.force_login(rita)
    shown, more, _rest = folded(preview(client, [everywhere["facebook"]], content=LONG)["facebook"]["html"])
    short = preview(client, [everywhere["facebook"]], content=LONG[:400])["facebook"]["html"]
    assert more == "See more" and 400 < len(shown) <= 477
    assert "net-more" not in short


def test_instagram_folds_the_caption_after_about_125_characters_and_links_nothing(client, rita, task, everywhere):
    client.force_login(rita)
    html = preview(client, [everywhere["instagram"]], content="Visit https://example.com/spring with @lea " + LONG,
                   hashtags="spring")["instagram"]["html"]
    shown, more, _rest = folded(html)
    assert more == "more" and len(shown) <= 125
    assert "https://example.com/spring" in html and '<span class="net-link">https' not in html  # plain text there
    assert '<span class="net-link">@lea</span>' in html and '<span class="net-link">#spring</span>' in html


def test_bluesky_shortens_links_as_its_app_does_and_links_no_hashtags(client, rita, task, everywhere):
    client.force_login(rita)
    html = preview(client, [everywhere["bluesky"]], content="Bouquets at https://www.example.com/spring/bouquets?size=large "
                   "with @lea", hashtags="spring")["bluesky"]["html"]
    assert '>www.example.com/spring/bouqu...</span>' in html
    assert "#spring" in html and '<span class="net-link">#spring' not in html  # SocialHub sends links only as facets
    assert '<span class="net-link">@lea' not in html and "net-more" not in html


def test_mastodon_shortens_links_to_30_characters_and_links_tags_and_mentions(client, rita, task, everywhere):
    client.force_login(rita)
    networks = preview(client, [everywhere["mastodon"]], content="Bouquets at https://www.example.com/spring/bouquets?size=large "
                       "with @lea@mastodon.example", hashtags="spring", mastodon_visibility="private")
    html = networks["mastodon"]["html"]
    assert '>example.com/spring/bouquets?si…</span>' in html
    assert '<span class="net-link">@lea@mastodon.example</span>' in html and '<span class="net-link">#spring</span>' in html
    assert networks["mastodon"]["meta"] == "now · Followers only"


def test_facebook_shows_a_link_posts_card_without_photos(client, rita, task, everywhere):
    client.force_login(rita)
    page = client.get(reverse("posts:compose") + f"?task={task.pk}").content.decode()
    networks = preview(client, [everywhere["facebook"]], content="Spring at https://www.example.com/spring")
    assert networks["facebook"]["link_host"] == "example.com"
    assert 'data-network-link data-host="" hidden' in card(page, "facebook")  # no text yet: no link


def test_the_header_follows_the_account_ticked_on_each_network(client, rita, alice, task, everywhere):
    page_account = make_account(alice, "alices-flowers", provider="linkedin", name="Alice's Flowers",
                                provider_account_id="urn:li:organization:90817263")
    client.force_login(rita)
    member = preview(client, [everywhere["linkedin"]], content="Hi")["linkedin"]
    page = preview(client, [page_account], content="Hi")["linkedin"]
    assert (member["name"], member["page"]) == ("Alice Flowers", False)
    assert (page["name"], page["initial"], page["page"]) == ("Alice's Flowers", "A", True)  # a page's square logo
