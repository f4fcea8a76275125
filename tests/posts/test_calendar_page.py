"""The calendar: scheduled and published posts on the viewer's local day, per client."""

import datetime as dt

from django.utils import timezone

from posts.models import Post
from tests.conftest import next_date


def test_a_scheduled_post_appears_on_its_local_day(client, rita, make_post):
    rita.time_zone = "Pacific/Auckland"  # UTC+12 in June
    rita.save()
    when = next_date(6, 14, 20, 30)  # 15 June 08:30 in Auckland
    year = when.year
    make_post(content="Winter menu", schedule_at=when)
    client.force_login(rita)
    page = client.get(f"/posts/calendar/?view=week&date={year}-06-15").content.decode()
    cell = page.split(">15 Jun</div>", 1)[1].split("</td>", 1)[0]
    assert "08:30" in cell and "Winter menu" in cell
    month = client.get(f"/posts/calendar/?date={year}-06-01").content.decode()
    assert f"June {year}" in month and "Winter menu" in month


def test_the_calendar_filters_by_client_and_shows_published_posts(client, rita, mallory, make_post, alice):
    from posts.models import TaskAssign
    from tests.conftest import make_account

    other = TaskAssign.objects.create(user=mallory, reseller=rita, title="Mallory's")
    mallory_account = make_account(mallory, "mallory_x")
    soon = timezone.now() + dt.timedelta(hours=2)
    make_post(content="For Alice", schedule_at=soon)
    published = make_post(content="Done for Mallory", task=other, account_ids=[mallory_account.pk])
    Post.objects.filter(pk=published.pk).update(status=Post.Status.PUBLISHED, published_at=timezone.now())
    client.force_login(rita)
    today = timezone.localdate().isoformat()
    both = client.get(f"/posts/calendar/?date={today}").content.decode()
    assert "For Alice" in both and "Done for Mallory" in both
    only_alice = client.get(f"/posts/calendar/?date={today}&client={alice.pk}").content.decode()
    assert "For Alice" in only_alice and "Done for Mallory" not in only_alice
