"""One post for accounts on several networks, with a text of its own per network ("customize per
network"): each network's rules judge its own text while writing, the composer previews and
counts each, and each network receives its own text when published."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from posts import publishing, services
from posts.models import Post


def test_each_network_gets_its_own_text_with_the_hashtags(sandbox, rita, alice, task, mastodon_account,
                                                         bluesky_account):
    post = services.create_post(
        author=rita, task=task, content="Spring is here: " + "long words " * 40, hashtags=["spring"],
        account_ids=[mastodon_account.pk, bluesky_account.pk],
        text_overrides={"bluesky": "Spring is here, in short", "twitter": "not picked: dropped"},
    )
    assert post.text_overrides == {"bluesky": "Spring is here, in short"}
    services.review_post(actor=alice, post=post, action=1)

    publishing.publish_post(post_id=post.pk)

    [status] = sandbox.state.statuses.values()
    [record] = sandbox.state.records.values()
    assert status["text"].startswith("Spring is here: long words") and status["text"].endswith("#spring")
    assert record["value"]["text"] == "Spring is here, in short\n\n#spring"
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_the_post_page_shows_reviewers_each_networks_own_text(client, sandbox, rita, alice, task, bluesky_account):
    post = services.create_post(author=rita, task=task, content="Main text", hashtags=["spring"],
                                account_ids=[bluesky_account.pk], text_overrides={"bluesky": "Bluesky text"})
    client.force_login(alice)
    page = client.get(reverse("posts:detail", args=[post.pk])).content.decode()
    bluesky = page[page.index('data-network="bluesky"') :]
    assert "Bluesky <span class=\"muted\">(own text)</span>" in bluesky and "Bluesky text\n\n#spring" in bluesky


def test_a_text_too_long_for_one_network_is_named_for_that_network(sandbox, rita, task, mastodon_account,
                                                                  bluesky_account):
    with pytest.raises(ValidationError) as main_too_long:
        services.create_post(author=rita, task=task, content="z" * 320,
                             account_ids=[mastodon_account.pk, bluesky_account.pk])
    with pytest.raises(ValidationError) as own_too_long:
        services.create_post(author=rita, task=task, content="Fine", account_ids=[bluesky_account.pk],
                             text_overrides={"bluesky": "q" * 301})

    assert main_too_long.value.message_dict == {"content": ["Too long for Bluesky: 320 characters, Bluesky allows 300"]}
    assert list(own_too_long.value.message_dict) == ["text_overrides.bluesky"]


def test_editing_keeps_and_changes_the_per_network_texts(sandbox, rita, task, mastodon_account, bluesky_account):
    post = services.create_post(author=rita, task=task, content="Main", account_ids=[mastodon_account.pk, bluesky_account.pk],
                                text_overrides={"mastodon": "For the fediverse"})
    services.edit_post(actor=rita, post=post, content="Main, edited")
    assert Post.objects.get(pk=post.pk).text_overrides == {"mastodon": "For the fediverse"}
    services.edit_post(actor=rita, post=post, account_ids=[bluesky_account.pk])
    assert Post.objects.get(pk=post.pk).text_overrides == {}  # no Mastodon account any more


def test_the_composer_offers_a_text_per_network_and_previews_each(client, sandbox, rita, task, mastodon_account,
                                                                 bluesky_account):
    client.force_login(rita)
    page = client.get(reverse("posts:compose") + f"?task={task.pk}").content.decode()
    assert "Customize per network" in page
    assert "Text for Bluesky" in page and "Text for Mastodon" in page
    assert "@alice.bsky.test" in page and "(Bluesky)" in page

    answer = client.post(reverse("posts:preview"), {
        "content": "Tulips " * 50, "hashtags": "", "accounts": [mastodon_account.pk, bluesky_account.pk],
        "text_bluesky": "Tulips!",
    }).json()

    networks = {n["provider"]: n for n in answer["networks"]}
    assert networks["bluesky"]["used"] == 7 and networks["bluesky"]["allowed"] == 300 and networks["bluesky"]["own"]
    assert networks["mastodon"]["used"] == 349 and networks["mastodon"]["allowed"] == 500
    assert not networks["mastodon"]["over"]


def test_the_composer_puts_a_networks_length_error_next_to_its_own_text(client, sandbox, rita, task, mastodon_account,
                                                                        bluesky_account):
    client.force_login(rita)
    page = client.post(reverse("posts:compose"), {
        "task": task.pk, "content": "Fine", "hashtags": "", "when": "approval",
        "accounts": [mastodon_account.pk, bluesky_account.pk], "text_bluesky": "w" * 301,
    })
    html = page.content.decode()
    errors = html.split('data-errors-for="text_bluesky"')[1].split("</div>")[0]
    assert "Too long for Bluesky: 301 characters" in errors
    assert not Post.objects.exists()


def test_the_api_takes_and_shows_per_network_texts(client, sandbox, rita, alice, task, mastodon_account,
                                                   bluesky_account):
    client.force_login(rita)
    url = f"/post/for-user/{alice.pk}/{task.pk}"
    created = client.post(url, {
        "content": "Main", "post_channels": [{"channel_id": str(mastodon_account.pk)}, {"channel_id": str(bluesky_account.pk)}],
        "text_overrides": {"bluesky": "Short for Bluesky"},
    }, content_type="application/json")
    refused = client.post(url, {
        "content": "Main", "post_channels": [{"channel_id": str(bluesky_account.pk)}],
        "text_overrides": {"bluesky": "v" * 301},
    }, content_type="application/json")

    assert created.status_code == 201, created.content
    assert created.json()["text_overrides"] == {"bluesky": "Short for Bluesky"}
    assert refused.status_code == 400 and refused.json()["success"] is False
    assert "Too long for Bluesky" in str(refused.json()["details"])
