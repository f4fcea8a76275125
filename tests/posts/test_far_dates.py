"""Schedules go at most a year ahead; any stored date renders in every time zone; the calendar
and the edit page never fail on a date."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from posts.models import Post

UTC = dt.UTC
LAST = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
FIRST = dt.datetime(1, 1, 1, 0, 0, tzinfo=UTC)


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def in_zone(user, zone: str):
    user.time_zone = zone
    user.save()
    return user


def test_a_schedule_more_than_a_year_ahead_is_refused(make_post):
    with pytest.raises(ValidationError) as caught:
        make_post(schedule_at=timezone.now() + dt.timedelta(days=400))
    assert caught.value.message_dict["schedule_at"][0].startswith("Schedule it at most a year ahead")
    assert make_post(schedule_at=timezone.now() + dt.timedelta(days=300)).schedule_at is not None


@pytest.mark.parametrize("when", ["9999-12-31T23:59:00+14:00", "9999-12-31T23:59:00-05:00", "0001-01-01T00:00:00+14:00"])
def test_the_api_refuses_dates_at_the_ends_of_time_as_a_field_error(api_client_rita, alice, task, alice_account, when):
    body = {"content": "Far", "post_channels": [{"channel_id": str(alice_account.pk)}], "schedule_at": when}
    response = api_client_rita.post(f"/post/for-user/{alice.pk}/{task.pk}", body, format="json")
    assert response.status_code == 400 and "schedule_at" in response.json()["details"]


@pytest.mark.parametrize("zone, when, message", [
    ("Pacific/Kiritimati", "9999-12-31T23:59", "Schedule it at most a year ahead"),
    ("America/New_York", "9999-12-31T23:59", "Schedule it at most a year ahead"),
    ("Pacific/Kiritimati", "0001-01-01T00:00", "in the past"),
])
def test_the_composer_shows_the_limit_next_to_the_date(client, rita, task, alice_account, zone, when, message):
    in_zone(rita, zone)
    client.force_login(rita)
    response = client.post("/posts/new/", {
        "task": task.pk, "content": "Far", "accounts": [alice_account.pk], "when": "at", "schedule_at": when,
    })
    assert response.status_code == 200
    errors = response.content.decode().split('data-errors-for="schedule_at"', 1)[1].split("</div>", 1)[0]
    assert message in errors
    assert not Post.objects.exists()


@pytest.fixture
def api_client_rita(rita):
    return api(rita)


@pytest.mark.parametrize("stored, zone", [(LAST, "Pacific/Kiritimati"), (LAST, "Asia/Tokyo"), (FIRST, "America/Los_Angeles")])
def test_a_stored_date_at_the_end_of_time_renders_everywhere(client, make_post, rita, alice, sam, stored, zone):
    post = make_post(content="Stuck in time", schedule_at=timezone.now() + dt.timedelta(days=1))
    Post.objects.filter(pk=post.pk).update(schedule_at=stored)  # as written before the cap
    for person in (in_zone(alice, zone), in_zone(rita, zone), in_zone(sam, zone)):
        client.force_login(person)
        for url in ("/posts/inbox/", f"/posts/{post.pk}/", "/posts/", f"/posts/{post.pk}/edit/",
                    f"/posts/calendar/?date={stored.date()}", f"/admin/posts/post/{post.pk}/change/"):
            response = client.get(url, follow=True)
            assert response.status_code in (200, 404), (person, url)
        assert api(person).get(f"/api/posts/{post.pk}").status_code == 200
    client.force_login(alice)
    inbox = client.get("/posts/inbox/").content.decode()
    assert "Stuck in time" in inbox and str(stored.year) in inbox


def test_the_client_can_still_reject_and_the_reseller_delete_a_post_stored_at_year_9999(client, make_post, rita, alice):
    post = make_post(content="Stuck in time")
    Post.objects.filter(pk=post.pk).update(schedule_at=LAST)
    client.force_login(in_zone(alice, "Pacific/Kiritimati"))
    client.post(f"/posts/{post.pk}/review/", {"action": 2, "feedback": "Wrong year", "version": 1})
    post.refresh_from_db()
    assert post.status == Post.Status.REJECTED
    assert api(in_zone(rita, "Pacific/Kiritimati")).delete(f"/api/posts/{post.pk}").status_code == 204
    assert not Post.objects.filter(pk=post.pk).exists()


def test_the_edit_page_of_a_scheduled_post_shows_its_local_time(client, make_post, rita):
    in_zone(rita, "Europe/Paris")
    when = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=2)
    post = make_post(schedule_at=when)
    client.force_login(rita)
    response = client.get(f"/posts/{post.pk}/edit/")
    assert response.status_code == 200
    local = when.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    assert f'value="{local:%Y-%m-%dT%H:%M}"' in response.content.decode()


@pytest.mark.parametrize("view", ["month", "week"])
@pytest.mark.parametrize("day", ["9999-12-15", "9999-12-31", "0001-01-01", "0001-01-07"])
def test_the_calendar_shows_the_nearest_month_it_can_for_any_date(client, rita, day, view):
    client.force_login(in_zone(rita, "Pacific/Kiritimati"))
    response = client.get(f"/posts/calendar/?date={day}&view={view}")
    assert response.status_code == 200
