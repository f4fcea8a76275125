"""Many posts to Mastodon, Bluesky, LinkedIn and Facebook Pages at once, published by concurrent
threads (each with its own database connection, as workers are) while every network fails some
creates with 503 and loses the answer to others after creating the post: each channel ends
published exactly once. Nothing is lost, nothing is posted twice."""

from collections import Counter

import pytest
from django.utils import timezone

from posts import publishing, services
from posts.models import Post, PostChannel
from tests.platforms.helpers import control

pytestmark = pytest.mark.django_db(transaction=True)
POSTS = 24


def test_every_channel_is_published_exactly_once_while_the_networks_fail_and_lose_answers(
    sandbox, rita, alice, task, mastodon_account, bluesky_account, linkedin_account, facebook_account,
    settings
):
    settings.PUBLISH_MAX_ATTEMPTS = 20
    control(sandbox, "chaos", fail_rate=0.15, lose_rate=0.15, seed=7)
    accounts = [mastodon_account.pk, bluesky_account.pk, linkedin_account.pk, facebook_account.pk]
    ids = []
    for i in range(POSTS):
        post = services.create_post(author=rita, task=task, content=f"Chaos post {i}: Tom & Jerry (again)",
                                    account_ids=accounts)
        services.review_post(actor=alice, post=post, action=1)
        ids.append(post.pk)

    for _round in range(20):
        publishing.publish_posts(post_ids=ids, threads=4)
        pending = PostChannel.objects.exclude(state__in=[PostChannel.State.PUBLISHED, PostChannel.State.FAILED])
        if not pending.exists():
            break
        pending.update(next_attempt_at=timezone.now())  # the next round plays the later worker

    assert sandbox.state.injected["failed"] >= 5 and sandbox.state.injected["lost"] >= 5
    mastodon = Counter(s["text"] for s in sandbox.state.statuses.values())
    bluesky = Counter(r["value"]["text"] for r in sandbox.state.records.values())
    linkedin = Counter(p["commentary"] for p in sandbox.state.li_posts.values())
    facebook = Counter(p["message"] for p in sandbox.state.fb_posts.values())
    assert set(mastodon.values()) == set(bluesky.values()) == set(linkedin.values()) == set(facebook.values()) == {1}
    assert len(mastodon) == len(bluesky) == len(linkedin) == len(facebook) == POSTS  # nothing lost
    assert set(PostChannel.objects.values_list("state", flat=True)) == {PostChannel.State.PUBLISHED}
    assert set(Post.objects.values_list("status", flat=True)) == {Post.Status.PUBLISHED}
    recorded = set(PostChannel.objects.values_list("remote_id", flat=True))
    made = ({s["id"] for s in sandbox.state.statuses.values()} | {u.rsplit("/", 1)[1] for u in sandbox.state.records}
            | set(sandbox.state.li_posts) | set(sandbox.state.fb_posts))
    assert recorded == made
