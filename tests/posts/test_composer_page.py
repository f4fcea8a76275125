"""The composer page: a reseller writes a post; errors land next to their field; nothing typed is lost."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from platforms.x.text import weighted_length
from posts.models import Post
from tests.conftest import PNG_BYTES, make_account, next_date, upload


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def compose(client, **data):
    return client.post("/posts/new/", data)


def form_data(task, account, **overrides):
    data = {"task": task.pk, "content": "Tulips are in", "hashtags": "#spring, garden",
            "accounts": [account.pk], "when": "approval"}
    data.update(overrides)
    return data


def test_reseller_composes_a_post_with_an_image_and_alt_text(rita_client, task, alice_account):
    data = form_data(task, alice_account, media=upload("tulips.png", PNG_BYTES), alt_text="Red tulips")
    response = compose(rita_client, **data)
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/posts/{post.pk}/"
    assert post.status == Post.Status.PENDING and post.hashtags == ["spring", "garden"]
    assert [(m.kind, m.alt_text) for m in post.media.all()] == [("image", "Red tulips")]
    page = rita_client.get(response["Location"]).content.decode()
    assert "Post sent to the client for review." in page and "Tulips are in" in page


def test_too_long_text_shows_the_error_next_to_the_text_and_keeps_the_draft(rita_client, task, alice_account):
    text = "🌷" * 141  # 282 weighted
    response = compose(rita_client, **form_data(task, alice_account, content=text))
    page = response.content.decode()
    assert response.status_code == 200 and not Post.objects.exists()
    errors = page.split('data-errors-for="content">', 1)[1].split("</div>", 1)[0]
    assert "Tweet content exceeds 280 character limit" in errors
    assert text in page and 'value="#spring, garden"' in page
    assert f"<span data-count>{weighted_length(text + chr(10) * 2 + '#spring #garden')}</span>" in page


def test_every_service_error_lands_next_to_its_field(rita_client, task, alice_account):
    page = compose(rita_client, **form_data(task, alice_account, hashtags="#123", accounts=[])).content.decode()
    hashtag_errors = page.split('data-errors-for="hashtags">', 1)[1].split("</div>", 1)[0]
    assert "#123 is not a valid hashtag" in hashtag_errors
    page = compose(rita_client, **form_data(task, alice_account, accounts=[])).content.decode()
    account_errors = page.split('data-errors-for="accounts">', 1)[1].split("</div>", 1)[0]
    assert "Pick at least one X account to post to." in account_errors
    page = compose(rita_client, **form_data(task, alice_account, when="at", schedule_at="")).content.decode()
    assert "Pick the date and time to publish at." in page.split('data-errors-for="schedule_at">', 1)[1]
    page = compose(
        rita_client, **form_data(task, alice_account, media=upload("notes.txt", b"just text"))
    ).content.decode()
    assert "notes.txt is not a supported file" in page.split('data-errors-for="media">', 1)[1]


def test_a_schedule_is_read_in_the_resellers_time_zone_and_shown_in_the_clients(
    rita_client, client, rita, alice, task, alice_account
):
    rita.time_zone = "Europe/Paris"
    rita.save()
    alice.time_zone = "America/New_York"
    alice.save()
    year = next_date(6, 1, 10, 0, "Europe/Paris").year
    compose(rita_client, **form_data(task, alice_account, when="at", schedule_at=f"{year}-06-01T10:00"))
    post = Post.objects.get()
    assert post.schedule_at == dt.datetime(year, 6, 1, 8, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    client.force_login(alice)
    assert f"1 June {year}, 04:00 (America/New_York)" in client.get(f"/posts/{post.pk}/").content.decode()


def test_a_scripted_submit_gets_errors_as_422_and_success_as_a_redirect_address(rita_client, task, alice_account):
    xhr = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    bad = rita_client.post("/posts/new/", form_data(task, alice_account, content="", hashtags=""), **xhr)
    assert bad.status_code == 422 and "Write some text or attach media." in bad.content.decode()
    good = rita_client.post("/posts/new/", form_data(task, alice_account), **xhr)
    assert good.json() == {"redirect": f"/posts/{Post.objects.get().pk}/"}


def test_the_composer_offers_only_the_resellers_clients_tasks_and_accounts(rita_client, task, alice_account, bob_task, bob_account):
    page = rita_client.get("/posts/new/").content.decode()
    assert "Spring launch" in page and "@alice_x" in page
    assert "Bob&#x27;s bakery" not in page and "@bob_x" not in page
    response = compose(rita_client, **form_data(bob_task, bob_account))
    assert "Select a valid choice" in response.content.decode() and not Post.objects.exists()


def test_an_account_of_another_client_is_refused_next_to_the_accounts(rita_client, rita, task, alice_account, mallory, bob_task, rex):
    from posts.models import TaskAssign

    TaskAssign.objects.create(user=mallory, reseller=rita, title="Mallory's")
    mallory_account = make_account(mallory, "mallory_x")
    page = compose(rita_client, **form_data(task, mallory_account)).content.decode()
    assert "Twitter account not connected for this user" in page.split('data-errors-for="accounts">', 1)[1]


def test_clients_cannot_open_the_composer(client, alice):
    client.force_login(alice)
    assert client.get("/posts/new/").status_code == 403


def test_a_failed_post_can_be_written_again_from_its_text(rita_client, make_post):
    post = make_post(content="Second try")
    Post.objects.filter(pk=post.pk).update(status=Post.Status.FAILED)
    page = rita_client.get(f"/posts/new/?from={post.pk}").content.decode()
    assert ">Second try</textarea>" in page and 'value="#spring"' in page


@pytest.mark.parametrize(
    "content, hashtags",
    [
        ("Family 👩‍👩‍👧‍👦 day at https://example.com/a/very/long/path?with=query", "fun"),
        ("日本語のテキスト and café (NFD: cafe\u0301)", "東京 tokyo"),
        ("example.org and #already tagged", "#already, new_tag"),
    ],
)
def test_the_preview_counts_exactly_like_the_server(rita_client, content, hashtags):
    data = rita_client.post("/posts/preview", {"content": content, "hashtags": hashtags}).json()
    assert data["weighted_length"] == weighted_length(data["text"])
    assert data["text"].startswith(content.strip()[:5])


def test_the_preview_links_urls_and_hashtags_and_escapes_html(rita_client):
    data = rita_client.post(
        "/posts/preview", {"content": "<b>hi</b> https://example.com/" + "x" * 40, "hashtags": "spring"}
    ).json()
    assert "&lt;b&gt;hi&lt;/b&gt;" in data["html"]
    assert '<span class="x-link">#spring</span>' in data["html"]
    assert "example.com/xxxxxxxxxxxx…" in data["html"]
    assert data["weighted_length"] == 10 + 23 + 2 + 7
