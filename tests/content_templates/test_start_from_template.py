"""Starting a post from a template: the composer is pre-filled; values are asked for first; the post
created gets copies of the template's media; errors show before any post exists."""

from urllib.parse import parse_qs, urlsplit

import pytest

from content_templates import services
from posts.models import Post
from tests.conftest import PNG_BYTES, upload


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


@pytest.fixture
def with_image(rita):
    return services.create_template(
        actor=rita, name="Tulips", text="Fresh tulips for {client_name}, {task_title}", hashtags=["spring"],
        media_files=[upload("tulip.png", PNG_BYTES)], alt_texts=["A red tulip"],
    )


def field(page: str, name: str) -> str:
    return page.split(f'name="{name}"', 1)[1].split(">", 2)[1].split("<", 1)[0]


def test_starting_from_a_template_fills_the_composer(rita_client, task, with_image):
    response = rita_client.get(f"/posts/new/?template={with_image.pk}&task={task.pk}")
    page = response.content.decode()
    assert response.status_code == 200
    assert field(page, "content") == "Fresh tulips for alice, Spring launch"
    assert 'value="#spring"' in page and f'<option value="{task.pk}" data-client="{task.user_id}" selected>' in page
    media = with_image.media.get()
    assert f'name="template_media" value="{media.pk}" checked' in page and "(A red tulip)" in page
    assert f'name="from_template" value="{with_image.pk}"' in page
    assert f'data-draft-key="template-{with_image.pk}-{task.pk}"' in page


def test_the_post_created_gets_a_copy_of_the_templates_media(rita_client, task, alice_account, with_image):
    template_media = with_image.media.get()
    response = rita_client.post("/posts/new/", {
        "task": task.pk, "content": "Fresh tulips for alice", "hashtags": "#spring", "accounts": [alice_account.pk],
        "when": "approval", "from_template": with_image.pk, "template_media": [template_media.pk],
        "media": upload("extra.png", PNG_BYTES), "alt_text": "An extra one",
    })
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/posts/{post.pk}/"
    copied, uploaded = post.media.all()
    assert (copied.kind, copied.alt_text, copied.order) == ("image", "A red tulip", 0)
    assert (uploaded.alt_text, uploaded.order) == ("An extra one", 1)
    assert copied.file.name != template_media.file.name and copied.file.read() == PNG_BYTES
    with_image.delete()  # the post keeps its own copy
    assert copied.file.storage.exists(copied.file.name)


def test_unticked_template_media_are_not_attached(rita_client, task, alice_account, with_image):
    rita_client.post("/posts/new/", {
        "task": task.pk, "content": "No picture", "accounts": [alice_account.pk], "when": "approval",
        "from_template": with_image.pk,
    })
    assert not Post.objects.get().media.exists()


def test_another_resellers_template_media_cannot_be_copied(client, rex, bob_task, bob_account, with_image):
    client.force_login(rex)
    client.post("/posts/new/", {
        "task": bob_task.pk, "content": "Sneaky", "accounts": [bob_account.pk], "when": "approval",
        "from_template": with_image.pk, "template_media": [with_image.media.get().pk],
    })
    assert not Post.objects.get().media.exists()


def test_a_template_asking_for_values_asks_before_the_composer(rita_client, task, shared_template):
    response = rita_client.get(f"/posts/new/?template={shared_template.pk}&task={task.pk}")
    assert response.status_code == 302 and response["Location"] == f"/templates/{shared_template.pk}/use/?task={task.pk}"
    page = rita_client.get(response["Location"]).content.decode()
    assert "Give a value for {link}." in page.split('data-errors-for="value_link"', 1)[1].split("</div>", 1)[0]
    response = rita_client.get(f"/templates/{shared_template.pk}/use/?task={task.pk}&value_link=https://example.com/w")
    target = urlsplit(response["Location"])
    assert target.path == "/posts/new/" and parse_qs(target.query)["value_link"] == ["https://example.com/w"]
    page = rita_client.get(response["Location"]).content.decode()
    assert field(page, "content") == "This week at alice: https://example.com/w"


def test_a_result_too_long_for_x_is_shown_before_the_composer(rita_client, task, shared_template):
    response = rita_client.get(f"/posts/new/?template={shared_template.pk}&task={task.pk}&value_link={'x' * 300}")
    page = rita_client.get(response["Location"]).content.decode()
    assert "Tweet content exceeds 280 character limit: 320 of 280" in page
    assert not Post.objects.exists()


def test_the_values_step_asks_for_a_task_when_none_is_given(rita_client, rita, shared_template, task, bob_task):
    from posts.models import TaskAssign

    TaskAssign.objects.create(user=task.user, reseller=rita, title="Summer")
    response = rita_client.get(f"/posts/new/?template={shared_template.pk}&task=")  # the picker, no task picked
    assert response["Location"] == f"/templates/{shared_template.pk}/use/"
    page = rita_client.get(response["Location"]).content.decode()
    assert "Spring launch" in page and "Summer" in page and "Bob&#x27;s bakery" not in page


def test_another_resellers_template_cannot_be_started(client, rex, bob_task, with_image):
    client.force_login(rex)
    page = client.get(f"/posts/new/?template={with_image.pk}&task={bob_task.pk}", follow=True).content.decode()
    assert "That template is not available to you." in page and "Fresh tulips" not in page
    assert client.get(f"/templates/{with_image.pk}/use/").status_code == 404


def test_the_composer_offers_the_templates_the_reseller_may_use(rita_client, with_image, shared_template, rex_template):
    page = rita_client.get("/posts/new/").content.decode()
    picker = page.split("Start from template", 1)[1].split("</form>", 1)[0]
    assert "Tulips" in picker and "Shared weekly (shared)" in picker and "Rex" not in picker
