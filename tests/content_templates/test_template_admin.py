"""Templates in the admin: staff keep shared templates, with media checked like a post's."""

from content_templates.models import ContentTemplate
from tests.conftest import PNG_BYTES, upload


def inline(**rows):
    data = {"media-TOTAL_FORMS": "1", "media-INITIAL_FORMS": "0", "media-MIN_NUM_FORMS": "0", "media-MAX_NUM_FORMS": "1000"}
    data.update({f"media-0-{k}": v for k, v in rows.items()})
    return data


def test_staff_add_a_shared_template_with_an_image(client, sam):
    client.force_login(sam)
    response = client.post("/admin/content_templates/contenttemplate/add/", {
        "name": "Weekly", "text": "This week: {task_title}", "hashtags": '["#news"]', "custom_placeholders": "[]",
        **inline(file=upload("a.png", PNG_BYTES), alt_text="Logo", order="0"),
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    template = ContentTemplate.objects.get()
    assert template.shared and template.owner is None and template.created_by == sam and template.hashtags == ["news"]
    media = template.media.get()
    assert (media.kind, media.mime_type, media.size, media.alt_text) == ("image", "image/png", len(PNG_BYTES), "Logo")


def test_the_admin_refuses_unknown_placeholders_and_unsupported_files(client, sam):
    client.force_login(sam)
    page = client.post("/admin/content_templates/contenttemplate/add/", {
        "name": "Weekly", "text": "{nope}", "hashtags": "[]", "custom_placeholders": "[]",
        **inline(file=upload("a.txt", b"text"), alt_text="", order="0"),
    }).content.decode()
    assert "Unknown placeholders: {nope}." in page and "a.txt is not a supported file" in page
    assert not ContentTemplate.objects.exists()


def test_staff_change_shared_templates_and_only_read_resellers_own(client, sam, rita_template, shared_template):
    client.force_login(sam)
    shared = client.get(f"/admin/content_templates/contenttemplate/{shared_template.pk}/change/").content.decode()
    own = client.get(f"/admin/content_templates/contenttemplate/{rita_template.pk}/change/").content.decode()
    assert 'name="name"' in shared and 'name="name"' not in own and "Rita&#x27;s launch" in own
