"""Premium accounts: read from X on connect and on "Test connection", or set by staff; they may post
up to 25,000 weighted characters, and a post to several accounts keeps to the smallest limit."""

import pytest
from django.core.exceptions import ValidationError

from posts import publishing, services as post_services
from posts.models import Post
from socials import error_kinds, services
from socials.models import Account
from tests.conftest import make_account, sandbox_account, sandbox_control

from .test_connect_sandbox import connect_through_x, sandbox  # noqa: F401  (the sandbox fixture)

LONG = "Spring " * 100  # 700 characters


def test_connecting_a_premium_account_reads_its_subscription(client, alice, sandbox):  # noqa: F811
    sandbox_control(sandbox.url, "users", username="alice_x", verified_type="blue", subscription_type="Premium")
    client.force_login(alice)

    connect_through_x(client, "alice_x")

    account = Account.objects.get(user=alice)
    assert (account.verified_type, account.subscription_type) == ("blue", "Premium")
    assert account.may_post_long and account.max_weighted_length == 25000


def test_oauth1_connect_reads_it_too(client, alice, sandbox):  # noqa: F811
    sandbox_control(sandbox.url, "users", username="alice_o1", verified_type="blue", subscription_type="PremiumPlus")
    client.force_login(alice)

    connect_through_x(client, "alice_o1", provider="twitter")

    assert Account.objects.get(user=alice).may_post_long


def test_test_connection_notices_a_new_subscription(alice, sandbox):  # noqa: F811
    account = sandbox_account(sandbox.url, alice, "alice_x")
    assert not account.may_post_long
    sandbox_control(sandbox.url, "users", username="alice_x", verified_type="blue", subscription_type="Premium")

    report = services.test_connection(actor=alice, account=account)

    account.refresh_from_db()
    assert account.subscription_type == "Premium" and account.may_post_long
    assert report.details["max_weighted_length"] == 25000
    assert "up to 25,000 characters" in report.message


def test_staff_decide_by_hand_over_what_x_says(alice):
    account = make_account(alice, "alice_x", subscription_type="Premium")
    account.long_posts_by_hand = False
    assert not account.may_post_long
    account.subscription_type, account.long_posts_by_hand = "None", True
    assert account.may_post_long


def test_a_long_post_is_accepted_for_a_premium_account_only(make_post, alice, alice_account):
    with pytest.raises(ValidationError) as exc:
        make_post(content=LONG)
    assert exc.value.message_dict == {"content": [error_kinds.TOO_LONG]}

    premium = make_account(alice, "alice_premium", subscription_type="Premium")
    assert make_post(content=LONG, account_ids=[premium.pk]).pk

    with pytest.raises(ValidationError) as exc:
        make_post(content="a" * 25001, hashtags=[], account_ids=[premium.pk])
    assert exc.value.message_dict == {"content": ["Tweet content exceeds 25,000 character limit"]}


def test_a_post_to_several_accounts_keeps_to_the_smallest_limit(make_post, alice, alice_account):
    premium = make_account(alice, "alice_premium", subscription_type="Premium")
    with pytest.raises(ValidationError) as exc:
        make_post(content=LONG, account_ids=[premium.pk, alice_account.pk])
    assert exc.value.message_dict == {"content": [error_kinds.TOO_LONG]}


def test_adding_a_basic_account_to_a_long_post_is_refused(make_post, rita, alice, alice_account):
    premium = make_account(alice, "alice_premium", subscription_type="Premium")
    post = make_post(content=LONG, account_ids=[premium.pk])
    with pytest.raises(ValidationError):
        post_services.edit_post(actor=rita, post=post, account_ids=[premium.pk, alice_account.pk])


def test_a_long_post_reaches_x_whole(sandbox, rita, alice, task):  # noqa: F811
    x_user = sandbox_control(sandbox.url, "users", username="alice_x", subscription_type="Premium")
    account = sandbox_account(sandbox.url, alice, "alice_x", x_user)
    account.subscription_type = "Premium"
    account.save()
    post = post_services.create_post(author=rita, task=task, account_ids=[account.pk], content=LONG.strip())
    post_services.review_post(actor=alice, post=post, action=1)

    publishing.publish_post(post_id=post.pk)

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    tweet = sandbox.state.tweets[post.channels.get().remote_id]
    assert tweet.long and tweet.text == LONG.strip()


def test_a_client_publishes_a_long_post_directly_from_a_premium_account(sandbox, alice, settings):  # noqa: F811
    x_user = sandbox_control(sandbox.url, "users", username="alice_x", subscription_type="Premium")
    account = sandbox_account(sandbox.url, alice, "alice_x", x_user)
    Account.objects.filter(pk=account.pk).update(subscription_type="Premium")

    post = post_services.publish_now(client=alice, content=LONG.strip(), account_id=account.pk)

    assert post.status == Post.Status.PUBLISHED
    assert sandbox.state.tweets[post.channels.get().remote_id].long
