"""posts.models.listed_channels: a page's channels read with one plain statement are what the
ORM's prefetch gives (same channels, order, values and account labels), each with its post."""

from django.utils import timezone

from posts.models import LISTED_ACCOUNT_FIELDS, LISTED_CHANNEL_FIELDS, Post, PostChannel, listed_channels
from tests.conftest import make_account


def _values(channel):
    own = tuple(getattr(channel, PostChannel._meta.get_field(name).attname) for name in LISTED_CHANNEL_FIELDS)
    return own + tuple(getattr(channel.account, name) for name in LISTED_ACCOUNT_FIELDS) + (str(channel.account),)


def test_a_pages_channels_are_the_orms_with_their_posts(make_post, alice, django_assert_num_queries):
    other = make_account(alice, "alice_two", provider="mastodon", server_url="https://social.example")
    first = make_post()
    second = make_post(account_ids=[other.pk, *first.channels.values_list("account_id", flat=True)])
    PostChannel.objects.filter(post=second, account=other).update(
        state=PostChannel.State.PUBLISHED, remote_id="9", remote_url="https://social.example/9",
        published_at=timezone.now(), metrics={"favourites": 2})
    alone = make_post()
    PostChannel.objects.filter(post=alone).delete()
    posts = list(Post.objects.filter(pk__in=[first.pk, second.pk, alone.pk]))
    with django_assert_num_queries(1):
        channels = listed_channels(posts)
        for post in posts:
            assert all(channel.post is post for channel in post.channels_list)
            assert {c.public_state_label for c in post.channels_list} <= {"Waiting for approval", "Published"}
    for post in posts:
        expected = list(PostChannel.objects.filter(post=post).select_related("account").order_by("pk"))
        assert [_values(c) for c in post.channels_list] == [_values(c) for c in expected]
    assert len(channels) == 3 and alone.pk in {p.pk for p in posts if p.channels_list == []}


def test_no_posts_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert listed_channels([]) == []
