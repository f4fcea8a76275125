"""/api/templates: scoped lists, create with media, partial changes, and rendering for a task."""

import pytest

from content_templates.models import ContentTemplate
from tests.api.conftest import client_for
from tests.conftest import PNG_BYTES, upload


@pytest.mark.parametrize(
    "who, expected",
    [("rita", {"Rita's launch", "Shared weekly"}), ("rex", {"Rex's secret", "Shared weekly"}),
     ("sam", {"Rita's launch", "Rex's secret", "Shared weekly"}), ("alice", set()), ("mallory", set())],
)
def test_template_lists_are_scoped(request, rita_template, rex_template, shared_template, who, expected):
    body = client_for(request.getfixturevalue(who)).get("/api/templates").json()
    assert {t["name"] for t in body["results"]} == expected and body["count"] == len(expected)


def test_anonymous_people_get_the_error_envelope():
    response = client_for().get("/api/templates")
    assert response.status_code == 401 and response.json()["success"] is False


def test_another_resellers_private_template_is_not_found(rex, rita_template):
    for method, url in [("get", ""), ("patch", ""), ("delete", ""), ("post", "/render")]:
        response = getattr(client_for(rex), method)(f"/api/templates/{rita_template.pk}{url}", {}, format="json")
        assert response.status_code == 404 and response.json() == {"success": False, "message": "Not found.", "details": {}}


def test_a_reseller_creates_a_template_with_a_default_image(rita):
    response = client_for(rita).post(
        "/api/templates",
        {"name": "Launch", "text": "{client_name}: {link}", "hashtags": ["spring", "#garden"],
         "media": [upload("tulip.png", PNG_BYTES)], "alt_texts": ["A tulip"]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == str(rita.pk) and body["shared"] is False and isinstance(body["id"], str)
    assert body["hashtags"] == ["spring", "garden"] and body["asks_for"] == ["link"]
    assert [(m["kind"], m["alt_text"]) for m in body["media"]] == [("image", "A tulip")]
    assert body["media"][0]["url"].startswith("http://testserver/")


def test_staff_create_shared_templates(sam):
    body = client_for(sam).post("/api/templates", {"name": "Weekly", "text": "{date}"}, format="json").json()
    assert body["shared"] is True and body["owner"] is None


def test_an_unknown_placeholder_is_a_400_with_the_field_error(rita):
    response = client_for(rita).post("/api/templates", {"name": "Typo", "text": "Hi {clinet}"}, format="json")
    body = response.json()
    assert response.status_code == 400 and body["success"] is False
    assert body["message"].startswith("Unknown placeholders: {clinet}.")
    assert body["details"]["text"][0] == body["message"]
    assert not ContentTemplate.objects.exists()


def test_the_owner_changes_only_the_fields_given(rita, rita_template):
    response = client_for(rita).patch(
        f"/api/templates/{rita_template.pk}", {"text": "{offer} for {client_name}", "custom_placeholders": ["offer"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["name"] == "Rita's launch" and body["hashtags"] == ["spring"] and body["asks_for"] == ["offer"]


def test_a_reseller_may_read_but_not_change_a_shared_template(rita, shared_template):
    assert client_for(rita).get(f"/api/templates/{shared_template.pk}").status_code == 200
    response = client_for(rita).patch(f"/api/templates/{shared_template.pk}", {"name": "Mine"}, format="json")
    assert response.status_code == 403 and response.json()["success"] is False
    shared_template.refresh_from_db()
    assert shared_template.name == "Shared weekly"


def test_rendering_for_a_task_returns_the_text_hashtags_and_length(rita, task, shared_template):
    response = client_for(rita).post(
        f"/api/templates/{shared_template.pk}/render",
        {"task": str(task.pk), "values": {"link": "https://example.com/spring"}}, format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["text"] == "This week at alice: https://example.com/spring"
    assert body["full_text"] == body["text"] and body["weighted_length"] == 20 + 23 and body["max_length"] == 280
    assert body["values"] == {"client_name": "alice", "link": "https://example.com/spring"}


def test_rendering_errors_come_in_the_envelope_with_their_field(rita, task, shared_template, rita_template):
    url = f"/api/templates/{shared_template.pk}/render"
    body = client_for(rita).post(url, {"task": str(task.pk)}, format="json").json()
    assert body == {"success": False, "message": "Give a value for {link}.",
                    "details": {"values": ["Give a value for {link}."]}}
    body = client_for(rita).post(url, {"task": str(task.pk), "values": {"link": "x" * 300}}, format="json").json()
    assert body["message"] == "Tweet content exceeds 280 character limit: 320 of 280 once filled in for this task."
    assert body["details"] == {"text": [body["message"]]}


def test_rendering_for_another_resellers_task_is_refused(rita, bob_task, rita_template):
    response = client_for(rita).post(f"/api/templates/{rita_template.pk}/render", {"task": str(bob_task.pk)}, format="json")
    assert response.status_code == 400 and "task" in response.json()["details"]
