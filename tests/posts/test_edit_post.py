import pytest
from django.core.exceptions import ValidationError

from posts import services
from posts.models import Post
from socialhub.errors import InvalidState
from tests.conftest import GIF_BYTES, PNG_BYTES, make_account, upload


def test_editing_a_rejected_post_returns_it_to_pending(make_post, alice, rita):
    post = make_post()
    services.review_post(actor=alice, post=post, action=2, feedback="Shorter please")
    post = services.edit_post(actor=rita, post=post, content="Spring!")
    assert post.status == Post.Status.PENDING
    assert post.content == "Spring!"
    assert post.hashtags == ["spring"]  # untouched fields stay


def test_approved_post_cannot_be_edited(make_post, alice, rita):
    post = make_post()
    services.review_post(actor=alice, post=post, action=1)
    with pytest.raises(InvalidState):
        services.edit_post(actor=rita, post=post, content="sneaky change")
    post.refresh_from_db()
    assert post.content == "Spring is here"


def test_edit_validates_like_create(make_post, rita):
    post = make_post()
    with pytest.raises(ValidationError):
        services.edit_post(actor=rita, post=post, content="x" * 300)
    post.refresh_from_db()
    assert post.content == "Spring is here"


def test_edit_replaces_channels(make_post, rita, alice):
    second = make_account(alice, "alice_second")
    post = make_post()
    services.edit_post(actor=rita, post=post, account_ids=[second.pk])
    assert [c.account_id for c in post.channels.all()] == [second.pk]


def test_edit_adds_and_removes_media_keeping_the_mix_valid(make_post, rita):
    post = make_post(media_files=[upload("a.png", PNG_BYTES)])
    with pytest.raises(ValidationError):
        services.edit_post(actor=rita, post=post, media_files=[upload("b.gif", GIF_BYTES)])
    first = post.media.get()
    services.edit_post(
        actor=rita, post=post, media_files=[upload("b.gif", GIF_BYTES)], remove_media_ids=[first.pk]
    )
    assert [m.kind for m in post.media.all()] == ["gif"]


def test_media_removed_in_an_edit_leave_storage_once_committed(make_post, rita, django_capture_on_commit_callbacks):
    post = make_post(media_files=[upload("a.png", PNG_BYTES), upload("b.png", PNG_BYTES)])
    first, second = post.media.all()
    storage, name = first.file.storage, first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_post(actor=rita, post=post, remove_media_ids=[first.pk])
    assert not storage.exists(name)
    assert [(m.pk, m.order) for m in post.media.all()] == [(second.pk, 0)]


def test_a_thread_part_removed_in_an_edit_takes_its_files_with_it(make_post, rita, django_capture_on_commit_callbacks):
    post = make_post(content="", parts=[{"content": "One"}, {"content": "Two", "media_files": [upload("a.png", PNG_BYTES)]}])
    media = post.parts.get().media.get()
    storage, name = media.file.storage, media.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_post(actor=rita, post=post, parts=[{"content": "One"}])
    assert not post.parts.exists()
    assert not storage.exists(name)
