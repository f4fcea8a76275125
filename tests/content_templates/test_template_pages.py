"""The template pages: scoped like posts, errors next to their fields, a preview for a task."""

import pytest

from content_templates.models import ContentTemplate
from tests.conftest import PNG_BYTES, upload


def logged_in(client, user):
    if user is not None:
        client.force_login(user)
    return client


def errors_for(page: str, field: str) -> str:
    return page.split(f'data-errors-for="{field}">', 1)[1].split("</div>", 1)[0]


@pytest.mark.parametrize(
    "who, status, shown",
    [("rita", 200, {"Rita's launch", "Shared weekly"}), ("rex", 200, {"Rex's secret", "Shared weekly"}),
     ("sam", 200, {"Rita's launch", "Rex's secret", "Shared weekly"}), ("alice", 403, set()), ("mallory", 403, set())],
)
def test_the_list_shows_what_the_person_may_use(request, client, rita_template, rex_template, shared_template, who, status, shown):
    response = logged_in(client, request.getfixturevalue(who)).get("/templates/")
    assert response.status_code == status
    page = response.content.decode()
    names = {"Rita's launch", "Rex's secret", "Shared weekly"}
    assert {n for n in names if n.replace("'", "&#x27;") in page} == shown


def test_anonymous_people_are_sent_to_log_in(client, rita_template):
    for url in ["/templates/", "/templates/new/", f"/templates/{rita_template.pk}/edit/", f"/templates/{rita_template.pk}/use/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who, status", [("rita", 200), ("rex", 404), ("sam", 404), ("alice", 403)])
def test_only_the_owner_edits_a_private_template(request, client, rita_template, who, status):
    client = logged_in(client, request.getfixturevalue(who))
    assert client.get(f"/templates/{rita_template.pk}/edit/").status_code == status
    assert client.post(f"/templates/{rita_template.pk}/delete/").status_code == (302 if who == "rita" else status)
    assert ContentTemplate.objects.filter(pk=rita_template.pk).exists() == (who != "rita")


@pytest.mark.parametrize("who, status", [("sam", 200), ("rita", 404)])
def test_only_staff_edit_a_shared_template(request, client, shared_template, who, status):
    assert logged_in(client, request.getfixturevalue(who)).get(f"/templates/{shared_template.pk}/edit/").status_code == status


def test_the_nav_links_to_the_templates_for_resellers_not_clients(client, rita, alice):
    assert 'href="/templates/"' in logged_in(client, rita).get("/posts/").content.decode()
    assert 'href="/templates/"' not in logged_in(client, alice).get("/posts/inbox/").content.decode()


def test_a_reseller_creates_a_template_with_a_default_image(client, rita):
    response = logged_in(client, rita).post("/templates/new/", {
        "name": "Launch", "text": "{client_name}: {offer}", "hashtags": "#spring garden",
        "custom_placeholders": "offer", "media": upload("tulip.png", PNG_BYTES), "alt_text": "A tulip",
    })
    assert response.status_code == 302 and response["Location"] == "/templates/"
    template = ContentTemplate.objects.get()
    assert (template.owner, template.hashtags, template.custom_placeholders) == (rita, ["spring", "garden"], ["offer"])
    assert [m.alt_text for m in template.media.all()] == ["A tulip"]
    assert "Template “Launch” saved." in client.get("/templates/").content.decode()


def test_an_unknown_placeholder_is_shown_next_to_the_text_and_nothing_is_saved(client, rita):
    page = logged_in(client, rita).post("/templates/new/", {"name": "Typo", "text": "Hi {clinet_name}"}).content.decode()
    assert "Unknown placeholders: {clinet_name}." in errors_for(page, "text")
    assert "Hi {clinet_name}" in page and not ContentTemplate.objects.exists()


def test_the_preview_fills_the_text_in_for_the_chosen_task(client, rita, task):
    page = logged_in(client, rita).post("/templates/new/", {
        "name": "Launch", "text": "For {client_name}: {link}", "preview_task": task.pk,
        "preview_values": "link=https://example.com/a", "preview": "1",
    }).content.decode()
    shown = page.split("data-preview-text>", 1)[1].split("</div>", 1)[0]
    assert shown == 'For alice: <span class="x-link" title="https://example.com/a">example.com/a</span>'
    assert "34 / 280 characters as X counts them" in page  # a link counts 23
    assert not ContentTemplate.objects.exists()  # previewing saves nothing


def test_the_preview_shows_a_too_long_result_next_to_the_text(client, rita, task):
    page = logged_in(client, rita).post("/templates/new/", {
        "name": "Long", "text": "{client_name} " + "a" * 275, "preview_task": task.pk, "preview": "1",
    }).content.decode()
    assert "Tweet content exceeds 280 character limit: 281 of 280" in errors_for(page, "text")


def test_the_live_preview_answers_json_with_errors_by_field(client, rita, task, bob_task):
    client = logged_in(client, rita)
    data = client.post("/templates/preview", {"text": "{client_name} {link}", "preview_task": task.pk}).json()
    assert data["ok"] is False and data["errors"] == {"preview_values": ["Give a value for {link}."]}
    data = client.post("/templates/preview", {"text": "{task_title}", "preview_task": bob_task.pk}).json()
    assert data["errors"] == {"preview_task": ["Pick one of your tasks."]}  # rex's task: not rita's
    data = client.post("/templates/preview", {"text": "{task_title} #{{x}}", "hashtags": "go", "preview_task": task.pk}).json()
    assert data["ok"] is True and data["text"] == "Spring launch #{x}\n\n#go"


def test_the_owner_removes_a_default_image_and_renames(client, rita, make_template):
    template = make_template(rita, media_files=[upload("a.png", PNG_BYTES)])
    media = template.media.get()
    response = logged_in(client, rita).post(f"/templates/{template.pk}/edit/", {
        "name": "Renamed", "text": template.text, "remove_media": [media.pk],
    })
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "Renamed" and not template.media.exists()


def test_delete_asks_first(client, rita, rita_template):
    page = logged_in(client, rita).get(f"/templates/{rita_template.pk}/delete/").content.decode()
    assert "Delete “Rita&#x27;s launch”?" in page
    assert ContentTemplate.objects.filter(pk=rita_template.pk).exists()
