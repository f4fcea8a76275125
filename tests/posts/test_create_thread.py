"""Writing a thread through the services: every part checked at creation, edits replace the parts."""

import pytest
from django.core.exceptions import ValidationError

from posts import services
from posts.models import PostMedia, PostPart
from socials.error_kinds import TOO_LONG
from tests.conftest import GIF_BYTES, PNG_BYTES, upload


def parts(*texts):
    return [{"content": t} for t in texts]


def test_a_thread_keeps_part_1_on_the_post_and_the_rest_in_order(make_post):
    post = make_post(content="", hashtags=["spring"], parts=parts("One", "Two", "Three"))

    assert post.content == "One"
    assert [(p.position, p.content) for p in post.parts.all()] == [(2, "Two"), (3, "Three")]
    assert [p.text for p in post.thread] == ["One\n\n#spring", "Two", "Three"]  # hashtags on part 1 only
    assert post.is_thread


def test_a_single_content_is_still_a_single_post(make_post):
    post = make_post(content="Just this")
    assert [p.text for p in post.thread] == ["Just this\n\n#spring"]
    assert not post.is_thread


def test_each_part_has_its_own_media(make_post):
    post = make_post(content="", parts=[
        {"content": "One", "media_files": [upload("a.png", PNG_BYTES, "image/png")], "alt_texts": ["first"]},
        {"content": "", "media_files": [upload("b.gif", GIF_BYTES, "image/gif")], "alt_texts": ["second"]},
    ])

    first, second = post.thread
    assert [(m.kind, m.alt_text) for m in first.media] == [("image", "first")]
    assert [(m.kind, m.alt_text) for m in second.media] == [("gif", "second")]
    assert [m.alt_text for m in post.media.all()] == ["first"]  # post.media is part 1's


def test_every_part_over_280_is_named(make_post):
    with pytest.raises(ValidationError) as caught:
        make_post(content="", parts=parts("Fine", "x" * 281, "Fine too", "y" * 300))
    assert caught.value.message_dict == {"parts": [f"Part 2: {TOO_LONG}", f"Part 4: {TOO_LONG}"]}
    assert not PostPart.objects.exists()


def test_part_1_over_280_with_its_hashtags_gets_the_seeds_message(make_post):
    with pytest.raises(ValidationError) as caught:
        make_post(content="", hashtags=["spring"], parts=parts("x" * 275, "Two"))
    assert caught.value.message_dict == {"content": [TOO_LONG]}


def test_an_empty_later_part_is_refused(make_post):
    with pytest.raises(ValidationError) as caught:
        make_post(content="", parts=parts("One", "  "))
    assert caught.value.message_dict == {"parts": ["Part 2 is empty: write some text or attach media."]}


def test_a_thread_has_at_most_25_parts(make_post):
    make_post(content="", parts=parts(*[f"Part {i}" for i in range(1, 26)]))
    with pytest.raises(ValidationError) as caught:
        make_post(content="", parts=parts(*[f"Part {i}" for i in range(1, 27)]))
    assert caught.value.message_dict == {"parts": ["A thread has at most 25 parts; this one has 26."]}


def test_media_rules_apply_per_part(make_post):
    gif, png = upload("b.gif", GIF_BYTES, "image/gif"), upload("a.png", PNG_BYTES, "image/png")
    with pytest.raises(ValidationError) as caught:
        make_post(content="", parts=[{"content": "One"}, {"content": "Two", "media_files": [gif, png]}])
    assert caught.value.message_dict == {"parts": ["Part 2: A GIF or a video must be the only attachment of a post."]}


def test_content_and_parts_together_are_refused(make_post):
    with pytest.raises(ValidationError) as caught:
        make_post(content="Hello", parts=parts("One", "Two"))
    assert "parts" in caught.value.message_dict


def test_editing_a_thread_replaces_its_parts_keeping_named_parts_media(make_post, rita):
    post = make_post(content="", parts=[
        {"content": "One"},
        {"content": "Two", "media_files": [upload("a.png", PNG_BYTES, "image/png")]},
        {"content": "Three"},
    ])
    two, three = post.parts.all()

    services.edit_post(actor=rita, post=post, parts=[
        {"content": "One, edited"},
        {"id": three.pk, "content": "Three, now second"},
        {"id": two.pk, "content": "Two, now third"},
        {"content": "Four"},
    ])

    post.refresh_from_db()
    assert post.content == "One, edited"
    assert [(p.position, p.content, p.media.count()) for p in post.parts.all()] == [
        (2, "Three, now second", 0), (3, "Two, now third", 1), (4, "Four", 0),
    ]


def test_editing_with_no_parts_makes_a_single_post_again(make_post, rita):
    post = make_post(content="", parts=[{"content": "One"}, {"content": "Two", "media_files": [upload("a.png", PNG_BYTES, "image/png")]}])

    services.edit_post(actor=rita, post=post, parts=[])

    assert not post.parts.exists()
    assert not PostMedia.objects.filter(part__isnull=False).exists()
    assert post.content == "One"


def test_deleting_a_thread_deletes_every_parts_files(make_post, rita, django_capture_on_commit_callbacks, settings):
    import pathlib

    post = make_post(content="", parts=[{"content": "One"}, {"content": "Two", "media_files": [upload("a.png", PNG_BYTES, "image/png")]}])
    stored = pathlib.Path(settings.MEDIA_ROOT) / PostMedia.objects.get().file.name
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_post(actor=rita, post=post)

    assert not stored.exists()
