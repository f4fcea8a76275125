"""posts/publishing.py is the only writer of a channel's state, and of a post's publishing status.

Every door that moves a channel is driven against the X sandbox (approve, publish, fail, retry,
disconnect and reconnect the account, a spend cap holding and releasing), and each UPDATE that
sets PostChannel.state, or Post.status, is traced back to the project's code that ran it. The
review (posts.services: _submit and review_post) alone besides publishing sets a post's status:
pending, approved or rejected.
"""

import re
import traceback
from pathlib import Path

import pytest
from django.db import connection

from costs import caps
from posts import publishing, services
from posts.models import Post, PostChannel
from socials import services as socials_services
from tests.conftest import sandbox_account, sandbox_control

ROOT = Path(__file__).resolve().parents[2]
# At the start of a statement, or of one of its WITH queries (a channel published with its post).
CHANNEL_STATE = re.compile(rf'(?:^|AS \()UPDATE "{PostChannel._meta.db_table}" SET .*"state" =', re.S)
POST_STATUS = re.compile(rf'(?:^|AS \()UPDATE "{Post._meta.db_table}" SET .*"status" =', re.S)


class Writers:
    """Which of the project's functions ran each UPDATE of a channel's state or a post's status."""

    def __init__(self):
        self.channel_state: set[tuple[str, str]] = set()
        self.post_status: set[tuple[str, str]] = set()

    def __call__(self, execute, sql, params, many, context):
        for pattern, found in ((CHANNEL_STATE, self.channel_state), (POST_STATUS, self.post_status)):
            if pattern.search(sql):
                found.add(self.caller())
        return execute(sql, params, many, context)

    @staticmethod
    def caller() -> tuple[str, str]:
        """The innermost frame in the project's own code (not a library's, not this test's)."""
        for frame in reversed(traceback.extract_stack()):
            path = Path(frame.filename)
            if path.is_relative_to(ROOT) and ".venv" not in path.parts and "tests" not in path.relative_to(ROOT).parts:
                return str(path.relative_to(ROOT)), frame.name
        raise AssertionError("an UPDATE from outside the project")


def test_only_publishing_writes_a_channels_state(x_sandbox, rita, alice, sam, task, django_capture_on_commit_callbacks):
    account = sandbox_account(x_sandbox.url, alice, "alice_x")

    def post(text):
        return services.create_post(author=rita, task=task, account_ids=[account.pk], content=text)

    def state(p):
        return p.channels.get().state

    writers = Writers()
    with connection.execute_wrapper(writers), django_capture_on_commit_callbacks(execute=True):
        published, failing, capped, waiting = post("One"), post("Two"), post("Three"), post("Four")
        for p in (published, failing, capped):
            services.review_post(actor=alice, post=p, action=1)
        publishing.publish_post(post_id=published.pk)
        assert state(published) == PostChannel.State.PUBLISHED

        sandbox_control(x_sandbox.url, "faults/next", path="/2/tweets", method="POST", status=400,
                        body={"title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
                              "type": "https://api.x.com/2/problems/invalid-request"})
        publishing.publish_post(post_id=failing.pk)
        assert state(failing) == PostChannel.State.FAILED
        services.retry_post(actor=alice, post=failing)
        assert state(failing) == PostChannel.State.QUEUED

        caps.set_cap(actor=sam, client=alice, monthly_usd="0.01")
        publishing.publish_post(post_id=capped.pk)
        assert state(capped) == PostChannel.State.HELD
        caps.set_cap(actor=sam, client=alice, monthly_usd=None)
        assert state(capped) == PostChannel.State.QUEUED

        socials_services.disconnect_account(actor=alice, account=account)
        services.review_post(actor=alice, post=waiting, action=1)
        assert state(waiting) == state(capped) == PostChannel.State.HELD
        tokens = sandbox_control(x_sandbox.url, "users", username="alice_x")["oauth2"]
        socials_services.connect_account(
            user=alice, provider_account_id=account.provider_account_id, username="alice_x",
            token_type=account.token_type, oauth2_access_token=tokens["access_token"],
            oauth2_refresh_token=tokens["refresh_token"],
        )
        assert state(waiting) == state(capped) == PostChannel.State.QUEUED
        for p in (failing, capped, waiting):
            publishing.publish_post(post_id=p.pk)
            assert state(p) == PostChannel.State.PUBLISHED

    assert {path for path, _ in writers.channel_state} == {"posts/publishing.py"}
    assert {path for path, _ in writers.post_status} == {"posts/publishing.py", "posts/services.py"}
    # the review: submitted (pending, or approved at once by an automatic policy), approved, rejected
    assert {name for path, name in writers.post_status if path == "posts/services.py"} <= {"_submit", "review_post"}
