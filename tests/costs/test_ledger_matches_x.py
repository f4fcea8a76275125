"""The ledger: every billable X call is priced where it is made, and for one run the app's figures
are exactly the sandbox's (X's) own bill."""

import pytest
import requests

from costs.models import XCall
from costs.selectors import post_spend
from posts import publishing, services
from posts import metrics as analytics
from socials import services as social_services
from tests.conftest import PNG_BYTES, sandbox_account, upload


def x_bill(sb) -> dict:
    return requests.get(f"{sb.url}/_sandbox/ledger", timeout=5).json()


def test_a_run_costs_the_app_what_x_bills(x_sandbox, rita, alice, task):
    account = sandbox_account(x_sandbox.url, alice, "alice_x")
    post = services.create_post(
        author=rita, task=task, account_ids=[account.pk],
        parts=[{"content": "Spring opening: example.com/spring", "media_files": [upload("a.png", PNG_BYTES)],
                "alt_texts": ["Tulips in the window"]},
               {"content": "Doors open at nine."}])
    services.review_post(actor=alice, post=post, action=1)

    publishing.publish_post(post_id=post.pk)
    social_services.test_connection(actor=alice, account=account)
    analytics.refresh_metrics()
    analytics.refresh_metrics()  # read again the same UTC day: X does not charge twice

    bill = x_bill(x_sandbox)
    ours = {kind: sum(c.micros for c in XCall.objects.filter(kind=kind)) for kind in XCall.Kind.values}
    assert {k: v["micros"] for k, v in bill["by_kind"].items()} == {k: v for k, v in ours.items() if v}
    assert XCall.objects.total() == bill["total_micros"] == 200_000 + 15_000 + 5_000 + 1_000 + 5_000
    assert sorted(c.resource_id for c in XCall.objects.filter(kind="post_read")) == sorted(
        e["resource_id"] for e in bill["data"] if e["kind"] == "post_read")


def test_the_post_shows_what_publishing_it_spent(x_sandbox, rita, alice, task, client, settings):
    settings.PUBLISH_RECONCILE_DELAY_SECONDS = 0
    account = sandbox_account(x_sandbox.url, alice, "alice_x")
    post = services.create_post(author=rita, task=task, account_ids=[account.pk], content="Read https://example.com")
    services.review_post(actor=alice, post=post, action=1)
    requests.post(f"{x_sandbox.url}/_sandbox/faults/next", json={"path": "/2/tweets", "lose_answer": True}, timeout=5)

    publishing.publish_post(post_id=post.pk)

    spend = post_spend(post)
    # The timeline read that found it after the lost answer, and the post (with its link) X made.
    assert [(c["kind"], c["calls"]) for c in spend["calls"]] == [("post_create_url", 1), ("post_read", 1)]
    assert spend["micros"] == x_bill(x_sandbox)["total_micros"]
    assert spend["usd"] == "$0.205"
    client.force_login(rita)
    body = client.get(f"/api/posts/{post.pk}").json()
    assert body["x_spend"]["usd"] == "$0.205"
    assert body["x_estimate"] == "≈ $0.20 on X: it has a link"


def test_refused_calls_are_free(x_sandbox, rita, alice, task):
    account = sandbox_account(x_sandbox.url, alice, "alice_x")
    requests.post(f"{x_sandbox.url}/_sandbox/faults", json={"credits_depleted": True}, timeout=5)
    social_services.test_connection(actor=alice, account=account)
    assert not XCall.objects.exists()


def test_reads_with_the_app_token_are_the_clients_spend_on_the_platform_app(x_sandbox, rita, alice, task, settings):
    settings.TWITTER_BEARER_TOKEN = x_sandbox.state.config.app_bearer_token
    account = sandbox_account(x_sandbox.url, alice, "alice_x")
    post = services.create_post(author=rita, task=task, account_ids=[account.pk], content="Hello")
    services.review_post(actor=alice, post=post, action=1)
    publishing.publish_post(post_id=post.pk)
    account.state = account.State.DISCONNECTED  # its own token is gone: the app's bearer token reads
    account.save()

    analytics.refresh_metrics()

    read = XCall.objects.get(kind="post_read")
    assert (read.client, read.account, read.x_app) == (alice, account, "platform")


def test_clients_sharing_a_thread_s_connections_charge_each_call_to_its_own_account(x_sandbox, rita, alice, task):
    """X's clients on one thread share its keep-alive session; each account's posts are still
    signed with its own token and charged to it alone."""
    first, second = sandbox_account(x_sandbox.url, alice, "alice_x"), sandbox_account(x_sandbox.url, alice, "alice_shop")
    posts = [services.create_post(author=rita, task=task, account_ids=[account.pk], content=f"Hello {n} from {account.username}")
             for n, account in enumerate((first, second, first))]
    for post in posts:
        services.review_post(actor=alice, post=post, action=1)
        publishing.publish_post(post_id=post.pk)

    created = XCall.objects.filter(kind="post_create")
    assert sorted(created.values_list("account__username", flat=True)) == ["alice_shop", "alice_x", "alice_x"]
    billed = sorted(e["user_id"] for e in x_bill(x_sandbox)["data"] if e["kind"] == "post_create")
    assert billed == sorted([first.provider_account_id, second.provider_account_id, first.provider_account_id])
