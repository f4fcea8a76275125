"""One table gives each error kind its HTTP status, its message and what to do."""

import pytest

from platforms.x.client import XError
from posts.models import PostChannel
from posts.templatetags.posts_tags import failure_advice
from socials import error_kinds
from socials.error_kinds import KINDS, ErrorKind
from socials.publishers import PublishError


@pytest.mark.parametrize("kind", list(ErrorKind))
def test_every_kind_has_its_own_row_with_a_status_a_message_and_advice(kind):
    row = error_kinds.info(kind)
    assert row is KINDS[kind]
    assert 400 <= row.status < 600
    assert row.message and row.advice


def test_a_stored_kind_nobody_knows_gets_a_generic_row_not_an_error():
    assert error_kinds.info("something_new") is error_kinds.UNKNOWN_KIND
    assert failure_advice(PostChannel(error_kind="something_new")) == error_kinds.UNKNOWN_KIND.advice


def test_the_page_advice_and_the_api_status_come_from_the_same_row():
    channel = PostChannel(error_kind="credits_depleted")
    assert failure_advice(channel) == "SocialHub staff must add credits to the X app; then retry this post."
    assert error_kinds.http_status(channel.error_kind) == 503


def test_x_errors_and_publish_errors_only_take_known_kinds():
    with pytest.raises(ValueError):
        XError("made_up")
    with pytest.raises(ValueError):
        PublishError("made_up", "?")


def test_retryable_kinds_make_retryable_errors():
    assert XError("timeout").permanent is False
    assert XError("rate_limited").permanent is False
    assert XError("duplicate").permanent is True


def test_messages_carry_xs_words_when_x_gave_some():
    assert error_kinds.message_for("media", detail="Unsupported format") == "X rejected the media: Unsupported format"
    assert error_kinds.message_for("media") == "X rejected the media"
    assert error_kinds.message_for("too_long", detail="Too long. See twitter-text.") == "Shorten the text. X says: Too long"
