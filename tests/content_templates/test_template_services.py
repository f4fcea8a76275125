"""Keeping templates: who may create, change and delete them, and what is checked when they are saved."""

import pytest
from django.core.exceptions import ValidationError

from content_templates import services
from content_templates.models import ContentTemplate
from socialhub.errors import NotAllowed
from tests.conftest import GIF_BYTES, PNG_BYTES, upload


def test_a_reseller_keeps_their_own_template_with_normalised_hashtags(rita):
    template = services.create_template(
        actor=rita, name=" Launch ", text=" Hi {client_name}, {offer}! ", hashtags="#Spring, garden #spring",
        custom_placeholders="offer, {code}",
    )
    template.refresh_from_db()
    assert (template.owner, template.shared, template.name, template.text) == (rita, False, "Launch", "Hi {client_name}, {offer}!")
    assert template.hashtags == ["Spring", "garden"] and template.custom_placeholders == ["offer", "code"]


def test_a_staff_template_is_shared_with_every_reseller(sam):
    template = services.create_template(actor=sam, name="Weekly", text="{date}")
    assert template.shared and template.owner is None and template.created_by == sam


@pytest.mark.parametrize("who", ["alice", "mallory"])
def test_clients_keep_no_templates(request, who):
    with pytest.raises(NotAllowed):
        services.create_template(actor=request.getfixturevalue(who), name="Nope", text="Hi")


def test_an_unknown_placeholder_is_refused_at_save_with_the_names_one_may_use(rita):
    with pytest.raises(ValidationError) as caught:
        services.create_template(actor=rita, name="Typo", text="Hi {clinet_name}", custom_placeholders=["offer"])
    assert caught.value.message_dict["text"] == [
        "Unknown placeholders: {clinet_name}. Use {client_name}, {client_username}, {reseller_name}, "
        "{task_title}, {date}, {link}, {offer}, or declare the name as a custom placeholder."
    ]
    assert not ContentTemplate.objects.exists()


def test_malformed_text_bad_hashtags_and_bad_custom_names_are_refused_together(rita):
    with pytest.raises(ValidationError) as caught:
        services.create_template(actor=rita, name="", text="{a.b}", hashtags="#123", custom_placeholders=["x-y"])
    errors = caught.value.message_dict
    assert set(errors) == {"name", "text", "hashtags", "custom_placeholders"}
    assert "#123 is not a valid hashtag" in errors["hashtags"][0]


def test_a_built_in_name_cannot_be_declared_custom(rita):
    with pytest.raises(ValidationError, match=r"\{link\} is built in"):
        services.create_template(actor=rita, name="t", text="{link}", custom_placeholders=["link"])


def test_a_text_too_long_whatever_the_placeholders_hold_is_refused_at_save(rita):
    with pytest.raises(ValidationError) as caught:
        services.create_template(actor=rita, name="Long", text="{client_name}" + "a" * 281)
    assert caught.value.message_dict["text"] == [
        "Tweet content exceeds 280 character limit: 281 of 280 before any placeholder is filled in."
    ]
    services.create_template(actor=rita, name="Fits", text="{client_name}" + "a" * 270)


def test_template_media_are_checked_like_post_media(rita):
    with pytest.raises(ValidationError) as caught:
        services.create_template(actor=rita, name="t", media_files=[upload("notes.txt", b"just text")])
    assert "notes.txt is not a supported file" in caught.value.message_dict["media"][0]
    template = services.create_template(actor=rita, name="t", media_files=[upload("a.png", PNG_BYTES)])
    with pytest.raises(ValidationError, match="A GIF or a video must be the only attachment"):
        services.update_template(actor=rita, template=template, media_files=[upload("b.gif", GIF_BYTES)])


def test_the_owner_changes_and_removes_media_and_the_order_closes_up(rita):
    template = services.create_template(
        actor=rita, name="t", media_files=[upload("a.png", PNG_BYTES), upload("b.png", PNG_BYTES)],
        alt_texts=["first", "second"],
    )
    first = template.media.get(alt_text="first")
    services.update_template(
        actor=rita, template=template, name="Renamed", remove_media_ids=[first.pk],
        media_files=[upload("c.png", PNG_BYTES)], alt_texts=["third"],
    )
    template.refresh_from_db()
    assert template.name == "Renamed"
    assert [(m.alt_text, m.order) for m in template.media.all()] == [("second", 0), ("third", 1)]


def test_only_the_owner_changes_a_private_template_and_only_staff_a_shared_one(rita, rex, sam, rita_template, shared_template):
    for actor, template in [(rex, rita_template), (sam, rita_template), (rita, shared_template), (rex, shared_template)]:
        with pytest.raises(NotAllowed):
            services.update_template(actor=actor, template=template, name="Mine now")
        with pytest.raises(NotAllowed):
            services.delete_template(actor=actor, template=template)
    services.update_template(actor=sam, template=shared_template, text="{task_title}")
    services.update_template(actor=rita, template=rita_template, text="{task_title}")


def test_deleting_a_template_deletes_its_files_once_committed(rita, django_capture_on_commit_callbacks):
    template = services.create_template(actor=rita, name="t", media_files=[upload("a.png", PNG_BYTES)])
    media = template.media.get()
    storage, name = media.file.storage, media.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_template(actor=rita, template=template)
    assert not ContentTemplate.objects.exists() and not storage.exists(name)


def test_who_sees_which_templates(rita, rex, sam, alice, mallory, rita_template, rex_template, shared_template):
    def names(user):
        return set(ContentTemplate.objects.for_user(user).values_list("name", flat=True))

    assert names(rita) == {"Rita's launch", "Shared weekly"}
    assert names(rex) == {"Rex's secret", "Shared weekly"}
    assert names(sam) == {"Rita's launch", "Rex's secret", "Shared weekly"}
    assert names(alice) == names(mallory) == set()
