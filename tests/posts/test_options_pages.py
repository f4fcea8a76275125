"""Post options in the composer, its live preview and estimate, the post page and the review inbox."""

import pytest

from posts.models import Post
from tests.conftest import PNG_BYTES, make_account, upload


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def form_data(task, account, **overrides):
    data = {"task": task.pk, "content": "Which flower?", "hashtags": "", "accounts": [account.pk], "when": "approval",
            "reply_settings": "everyone", "poll_duration": "1440"}
    data.update(overrides)
    return data


def errors_for(page: str, field: str) -> str:
    return page.split(f'data-errors-for="{field}">', 1)[1].split("</div>", 1)[0]


def test_a_poll_with_who_can_reply_and_labels_is_written_in_the_composer(rita_client, task, alice_account):
    response = rita_client.post("/posts/new/", form_data(
        task, alice_account, poll="Tulips\nRoses\n", poll_duration="60", reply_settings="following",
        made_with_ai="1", quote=""))

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.poll_options == ["Tulips", "Roses"] and post.poll_duration_minutes == 60
    assert post.reply_settings == "following" and post.made_with_ai and not post.paid_partnership
    page = rita_client.get(response["Location"]).content.decode()
    assert '<li class="x-poll-choice">Tulips</li>' in page and "1 h left" in page
    assert "Accounts this account follows can reply" in page and "Made with AI" in page


def test_option_errors_land_next_to_their_fields(rita_client, task, alice_account):
    page = rita_client.post("/posts/new/", form_data(task, alice_account, poll="Only one", quote="not a link")).content.decode()
    assert "A poll has 2 to 4 options; this one has 1." in errors_for(page, "poll")
    assert "Paste the link of the post to quote" in errors_for(page, "quote")
    assert "Only one" in page and 'value="not a link"' in page  # nothing typed is lost
    assert not Post.objects.exists()


def test_media_beside_a_poll_is_refused_next_to_the_poll(rita_client, task, alice_account):
    page = rita_client.post("/posts/new/", form_data(
        task, alice_account, poll="a\nb", media=upload("a.png", PNG_BYTES), alt_text="")).content.decode()
    assert "X does not allow media and a poll in one post" in errors_for(page, "poll")


def test_a_pasted_link_quotes_that_post(rita_client, task, alice_account):
    rita_client.post("/posts/new/", form_data(task, alice_account, quote="https://x.com/nasa/status/1800000000000000001"))
    assert Post.objects.get().quote_tweet_id == "1800000000000000001"


def test_the_edit_page_shows_the_options_as_stored(rita_client, make_post):
    post = make_post(options={"poll": {"options": ["Yes", "No"], "duration_minutes": 30}, "paid_partnership": True})
    page = rita_client.get(f"/posts/{post.pk}/edit/").content.decode()
    assert ">Yes\nNo</textarea>" in page
    assert 'name="paid_partnership" value="1" data-option checked' in page


def test_the_live_preview_shows_options_estimate_and_the_accounts_limit(rita_client, alice, task, alice_account):
    preview = rita_client.post("/posts/preview", {
        "content": "See example.com", "accounts": [alice_account.pk], "poll": "a\nb", "poll_duration": "5",
        "reply_settings": "verified"}).json()
    assert preview["max"] == 280
    assert "x-poll-choice" in preview["options_html"] and "Only verified accounts can reply" in preview["options_html"]
    assert preview["estimate"] == "≈ $0.20 on X: it has a link"

    premium = make_account(alice, "alice_premium", subscription_type="Premium")
    preview = rita_client.post("/posts/preview", {"content": "Long " * 100, "accounts": [premium.pk]}).json()
    assert preview["max"] == 25000 and not preview["over"]
    assert "<summary>Show more</summary>" in preview["html"]
    assert preview["estimate"] == "≈ $0.015 on X"


def test_the_estimate_counts_a_thread_per_part(rita_client, task, alice_account):
    preview = rita_client.post("/posts/preview", {
        "content": "One", "part-2-content": "Two example.com", "accounts": [alice_account.pk]}).json()
    assert preview["estimate"] == "≈ $0.215 on X: 2 parts, 1 with a link"


def test_the_review_inbox_shows_the_options(client, alice, make_post):
    make_post(content="Vote!", options={"poll": {"options": ["Red", "Blue"], "duration_minutes": 1440},
                                        "community_id": "1492410432069451776"})
    client.force_login(alice)
    page = client.get("/posts/inbox/").content.decode()
    assert '<li class="x-poll-choice">Red</li>' in page and "Posted in community 1492410432069451776" in page


def test_the_post_page_shows_what_it_will_cost(rita_client, make_post):
    post = make_post(content="Read https://example.com/spring", hashtags=[])
    page = rita_client.get(f"/posts/{post.pk}/").content.decode()
    assert "≈ $0.20 on X: it has a link" in page
