"""The per-task, per-state post counters stay exact whoever writes, and recount_posts repairs them."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from posts import counters, services
from posts.models import Post, PostCount, TaskAssign
from tests.conftest import write_concurrently


def actual() -> dict:
    rows = Post.objects.values_list("task_id", "status").annotate(n=Count("pk")).order_by()
    return {(task, status): n for task, status, n in rows}


def counted() -> dict:
    return {(r.task_id, r.status): r.n for r in PostCount.objects.filter(n__gt=0)}


def test_counters_follow_services_updates_bulk_writes_raw_sql_and_deletes(make_post, alice, rita, task, bob_task):
    posts = [make_post(content=f"Post {i}") for i in range(4)]
    assert counted() == {(task.pk, Post.Status.PENDING): 4}
    services.review_post(actor=alice, post=posts[0], action=1)
    services.review_post(actor=alice, post=posts[1], action=2, feedback="No")
    Post.objects.filter(pk=posts[2].pk).update(status=Post.Status.FAILED)
    Post.objects.filter(pk=posts[3].pk).update(task=bob_task)  # moved to another task
    Post.objects.bulk_create(
        [Post(task=task, created_by=rita, status=Post.Status.PUBLISHED, published_at=timezone.now())]
        + [Post(task=task, created_by=rita) for _ in range(3)]
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE posts_post SET status = 3, published_at = created_at WHERE id = %s", [posts[0].pk])
    Post.objects.filter(pk=posts[1].pk).delete()
    assert counted() == actual() == {
        (task.pk, Post.Status.PUBLISHED): 2, (task.pk, Post.Status.FAILED): 1, (task.pk, Post.Status.PENDING): 3,
        (bob_task.pk, Post.Status.PENDING): 1,
    }


def test_a_change_that_keeps_task_and_state_leaves_the_counters_alone(make_post, task):
    post = make_post()
    Post.objects.filter(pk=post.pk).update(content="Other words")
    assert counted() == {(task.pk, Post.Status.PENDING): 1}


def test_deleting_a_task_with_its_posts_leaves_no_counter_behind(make_post, task, bob_task, rex):
    make_post()
    Post.objects.create(task=bob_task, created_by=rex)
    task.delete()
    assert counted() == actual() == {(bob_task.pk, Post.Status.PENDING): 1}


def test_recount_posts_repairs_wrong_missing_and_extra_counters(make_post, task, bob_task):
    make_post()
    make_post()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE posts_postcount SET n = 40")
    PostCount.objects.create(task=bob_task, status=Post.Status.FAILED, n=3)
    out = io.StringIO()
    call_command("recount_posts", stdout=out)
    assert counted() == actual() == {(task.pk, Post.Status.PENDING): 2}
    assert "Pending approval: was 40, now 2" in out.getvalue() and "Fixed 2 counter(s)." in out.getvalue()
    out = io.StringIO()
    call_command("recount_posts", stdout=out)
    assert "All post counters were exact." in out.getvalue()


def test_recount_posts_puts_missing_triggers_back(make_post, task):
    counters.uninstall()
    make_post()  # not counted: no trigger
    assert counted() == {}
    out = io.StringIO()
    call_command("recount_posts", stdout=out)
    assert "triggers were missing" in out.getvalue() and counters.installed()
    make_post()
    assert counted() == actual() == {(task.pk, Post.Status.PENDING): 2}


def test_the_dashboard_tabs_and_task_cards_show_the_counters(client, rita, alice, make_post, task):
    posts = [make_post(content=f"Post {i}") for i in range(3)]
    services.review_post(actor=alice, post=posts[0], action=2, feedback="Again")
    client.force_login(rita)
    page = client.get("/posts/").content.decode()
    assert 'All <span class="count">3</span>' in page
    assert 'Pending approval <span class="count">2</span>' in page and 'Rejected <span class="count">1</span>' in page
    assert "3 posts" in page  # the task card


def test_the_inbox_says_how_many_wait_for_review(client, alice, make_post):
    for i in range(3):
        make_post(content=f"Post {i}")
    client.force_login(alice)
    assert "3 posts waiting for you" in client.get("/posts/inbox/").content.decode()


def test_staff_inbox_leaves_out_what_staff_wrote_themselves(client, sam, make_post):
    make_post(content="By rita")
    make_post(content="By sam", author=sam)
    client.force_login(sam)
    page = client.get("/posts/inbox/").content.decode()
    assert "1 post waiting for you" in page and "By rita" in page and "By sam" not in page


# --- Concurrent writers (PostgreSQL: real concurrency; SQLite has a single writer).

STATES = [s.value for s in Post.Status]


def _step(post_ids: list[int], task_ids: list[int], author_id: int):
    def step(rng):
        kind = rng.random()
        if kind < 0.5:  # one post changes state (conditional update, like a claim)
            Post.objects.filter(pk=rng.choice(post_ids)).update(status=rng.choice(STATES))
        elif kind < 0.7:  # several posts of both tasks in one statement
            Post.objects.filter(pk__in=rng.sample(post_ids, 5)).update(status=rng.choice(STATES))
        elif kind < 0.8:  # a post moves to the other task and changes state
            Post.objects.filter(pk=rng.choice(post_ids)).update(
                task_id=rng.choice(task_ids), status=rng.choice(STATES)
            )
        elif kind < 0.9:  # new posts
            Post.objects.bulk_create([
                Post(task_id=rng.choice(task_ids), created_by_id=author_id, published_at=timezone.now())
                for _ in range(2)
            ])
        else:  # a post goes, and another changes state in the same transaction
            Post.objects.filter(pk=rng.choice(post_ids)).delete()
            Post.objects.filter(pk=rng.choice(post_ids)).update(status=rng.choice(STATES))

    return step


@pytest.mark.django_db(transaction=True)
def test_counters_stay_exact_under_concurrent_state_changes(alice, bob, rita):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    tasks = [TaskAssign.objects.create(user=client, reseller=rita, title="T") for client in (alice, bob)]
    posts = Post.objects.bulk_create(
        [Post(task=tasks[i % 2], created_by=rita, status=i % 3) for i in range(60)]
    )
    # The check constraint wants a publish time on published posts: give every post one.
    Post.objects.update(published_at=posts[0].created_at)
    post_ids, task_ids = [p.pk for p in posts], [t.pk for t in tasks]
    write_concurrently(_step(post_ids, task_ids, rita.pk))
    assert counted() == actual()
    assert sum(counted().values()) > 60  # posts were added, moved and deleted meanwhile


def test_after_migrate_missing_triggers_come_back_with_exact_counts(make_post, task):
    # SQLite drops a table's triggers when a migration rebuilds the table; post_migrate repairs it.
    counters.uninstall()
    make_post()
    counters.ensure_installed(using="default")
    assert counters.installed() and counted() == actual() == {(task.pk, Post.Status.PENDING): 1}
