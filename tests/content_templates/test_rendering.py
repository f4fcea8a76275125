"""Rendering a template for a task: each placeholder, escapes, and the errors shown before saving a post."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from content_templates import services
from content_templates.models import ContentTemplate
from platforms.x.text import weighted_length


def template(text, hashtags=(), custom=()):
    """An unsaved template: rendering needs no database row, so bad text can be tried too."""
    return ContentTemplate(name="t", text=text, hashtags=list(hashtags), custom_placeholders=list(custom))


def render(text, task, values=None, **fields):
    return services.render(template(text, **fields), task=task, values=values)


@pytest.fixture
def named_task(task, alice, rita):
    alice.first_name, alice.last_name = "Alice", "Martin"
    alice.save()
    rita.first_name, rita.last_name = "Rita", "Lopez"
    rita.save()
    return task


def test_each_task_placeholder_is_filled_from_the_task(named_task):
    rendered = render("{client_name} ({client_username}) by {reseller_name}: {task_title}", named_task)
    assert rendered.text == "Alice Martin (alice) by Rita Lopez: Spring launch"


def test_names_fall_back_to_usernames(task):
    assert render("{client_name} and {reseller_name}", task).text == "alice and rita"


def test_the_date_is_today_in_the_resellers_time_zone(task, rita):
    rita.time_zone = "Pacific/Kiritimati"  # UTC+14: already tomorrow late in a UTC day
    rita.save()
    now = dt.datetime(2025, 3, 4, 20, 0, tzinfo=dt.UTC)
    rendered = services.render(template("Offer of {date}"), task=task, now=now)
    assert rendered.text == "Offer of 5 March 2025"
    rita.time_zone = "America/New_York"
    rita.save()
    assert services.render(template("{date}"), task=task, now=now).text == "4 March 2025"


def test_the_date_defaults_to_today(task):
    days = [dt.datetime.now(zoneinfo.ZoneInfo("UTC")).date() + dt.timedelta(days=n) for n in (0, 1)]
    assert render("{date}", task).text in {f"{day.day} {day:%B %Y}" for day in days}  # around midnight


def test_link_and_custom_placeholders_come_from_the_values(task):
    rendered = render("{offer} today: {link}", task, {"link": "https://shop.example/sale", "offer": "20% off"},
                      custom=["offer"])
    assert rendered.text == "20% off today: https://shop.example/sale"
    assert rendered.values == {"offer": "20% off", "link": "https://shop.example/sale"}


def test_a_link_has_no_default_and_must_be_given(task):
    with pytest.raises(ValidationError) as caught:
        render("Read more: {link}", task)
    assert caught.value.message_dict == {"values": ["Give a value for {link}."]}
    with pytest.raises(ValidationError):
        render("Read more: {link}", task, {"link": "   "})


def test_missing_custom_values_are_all_listed(task):
    with pytest.raises(ValidationError) as caught:
        render("{a} {b} {a}", task, {"b": ""}, custom=["a", "b"])
    assert caught.value.message_dict["values"] == ["Give a value for {a}, {b}."]


def test_values_cannot_override_what_comes_from_the_task(task):
    assert render("{client_name}", task, {"client_name": "Mallory"}).text == "alice"


def test_double_braces_are_literal_braces(task):
    assert render("{{client_name}} is {client_name}, }} {{", task).text == "{client_name} is alice, } {"


def test_unknown_placeholders_are_listed(task):
    with pytest.raises(ValidationError) as caught:
        render("Hi {clinet_name}, {offer} and {client_name} {other}", task)
    assert caught.value.message_dict == {"text": ["Unknown placeholders: {clinet_name}, {offer}, {other}."]}


@pytest.mark.parametrize("text", ["{client.password}", "{task.user.password}", "{0}", "{client_name!r}",
                                  "{__class__.__init__}", "{client_name[0]}", "{}", "{ client_name }"])
def test_placeholders_are_bare_names_never_attribute_or_index_lookups(task, text):
    with pytest.raises(ValidationError) as caught:
        render(text, task)
    assert caught.value.message_dict["text"] == [
        f"{text} is not a placeholder: a placeholder is a name of letters, digits and underscores in braces, "
        "such as {client_name}."
    ]


@pytest.mark.parametrize("text", ["Sale {", "Sale }", "{client_name", "client_name}"])
def test_a_lone_brace_is_an_error(task, text):
    with pytest.raises(ValidationError) as caught:
        render(text, task)
    assert "must be written" in caught.value.message_dict["text"][0]


def test_values_are_inserted_as_they_are_never_parsed_again(task):
    rendered = render("{link}", task, {"link": "{client_name} {client.password} {"})
    assert rendered.text == "{client_name} {client.password} {"


def test_a_result_too_long_for_x_is_an_error_with_its_count(task):
    text = "{offer} " + "a" * 250
    assert render(text, task, {"offer": "b" * 20}, custom=["offer"]).weighted_length == 271
    with pytest.raises(ValidationError) as caught:
        render(text, task, {"offer": "b" * 40}, custom=["offer"])
    [message] = caught.value.message_dict["text"]
    assert message == "Tweet content exceeds 280 character limit: 291 of 280 once filled in for this task."


def test_the_default_hashtags_count_towards_the_length(task):
    rendered = render("a" * 270, task, hashtags=["spring"])
    assert rendered.full_text == "a" * 270 + "\n\n#spring" and rendered.weighted_length == 279
    with pytest.raises(ValidationError, match="Tweet content exceeds 280 character limit: 287 of 280"):
        render("a" * 270, task, hashtags=["spring", "garden"])


def test_the_length_is_xs_weighted_length(task):
    rendered = render("{link} 🌷", task, {"link": "https://example.com/" + "x" * 100})
    assert rendered.weighted_length == weighted_length(rendered.full_text) == 23 + 1 + 2


def test_rendering_returns_the_templates_hashtags_and_media(task, rita, png):
    saved = services.create_template(actor=rita, name="With media", text="Hi", hashtags="#spring garden",
                                     media_files=[png], alt_texts=["A tulip"])
    rendered = services.render(saved, task=task)
    assert rendered.hashtags == ["spring", "garden"]
    assert [(m.kind, m.alt_text) for m in rendered.media] == [("image", "A tulip")]
    assert rendered.full_text == "Hi\n\n#spring #garden"
