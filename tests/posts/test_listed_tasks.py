"""posts.models.listed_tasks: the tasks a person's lists show, read with one plain statement, are
what the ORM gives for the same person (the same tasks, order, titles and people's names)."""

import pytest

from posts.models import LISTED_PERSON_FIELDS, TaskAssign, listed_tasks


def _seen(tasks, people):
    return [
        (task.pk, task.title, task.user_id, task.reseller_id,
         *[None if getattr(task, person) is None else tuple(getattr(getattr(task, person), name)
                                                             for name in ("pk", *LISTED_PERSON_FIELDS))
           for person in people])
        for task in tasks
    ]


@pytest.fixture
def tasks(alice, bob, rita, rex):
    alice.first_name, alice.last_name = "Alice", "Example"
    alice.save()
    return [
        TaskAssign.objects.create(user=alice, reseller=rita, title="Spring <launch>"),
        TaskAssign.objects.create(user=bob, reseller=rita, title="Bob's news"),
        TaskAssign.objects.create(user=bob, reseller=rex, title="Rex for Bob"),
        TaskAssign.objects.create(user=alice, reseller=None, title="Published directly"),
    ]


@pytest.mark.parametrize("viewer", ["alice", "bob", "rita", "rex", "sam"])
@pytest.mark.parametrize("people", [(), ("user",), ("user", "reseller")])
def test_a_persons_listed_tasks_are_what_the_orm_reads(request, tasks, viewer, people, django_assert_num_queries):
    user = request.getfixturevalue(viewer)
    expected = list(TaskAssign.objects.for_user(user).select_related(*people))
    with django_assert_num_queries(1):
        listed = listed_tasks(user, *people)
        assert _seen(listed, people) == _seen(expected, people)
    assert sorted(_seen(listed_tasks(user, *people, ordered=False), people)) == sorted(_seen(expected, people))


def test_listed_tasks_read_no_more_of_their_people_than_their_names(tasks, rita, django_assert_num_queries):
    [task] = [task for task in listed_tasks(rita, "user") if task.user_id == tasks[0].user_id]
    assert task.get_deferred_fields() >= {"brief", "approval_policy", "created_at"}
    assert task.user.get_deferred_fields() >= {"password", "email"}
    with django_assert_num_queries(0):
        assert (task.user.get_full_name(), task.title) == ("Alice Example", "Spring <launch>")
