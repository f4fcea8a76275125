"""django-q2 is configured so that its own redelivery cannot hand a running publish to a second
worker, and redelivers a killed worker's task a bounded number of times. (That a redelivered
task then sends nothing is shown in test_publish_post and test_publish_e2e.)"""

from django.conf import settings
from django_q.conf import Conf



def test_the_broker_never_redelivers_a_task_that_may_still_be_running():
    assert Conf.RETRY > Conf.TIMEOUT  # retry counts from the dequeue; timeout kills the task first
    assert settings.Q_CLUSTER["retry"] > settings.Q_CLUSTER["timeout"]


def test_redelivery_is_bounded_and_failures_are_not_redelivered():
    assert 0 < Conf.MAX_ATTEMPTS <= 3
    assert Conf.ACK_FAILURES is True  # a task that raised or timed out is not handed out again


def test_the_dispatcher_polls_often_enough_for_the_timing_target():
    assert settings.DISPATCHER_POLL_SECONDS <= 0.5  # p95 under 2 s between schedule_at and the POST


def test_a_senders_lease_outlasts_one_call_to_x():
    connect, read = settings.X_TIMEOUT
    # Right before the POST the lease is at most lease/6 old (else it is renewed there); the POST
    # cannot outlive the rest of it.
    assert settings.PUBLISH_LEASE_SECONDS * 5 / 6 > connect + read + 10


def test_calls_to_x_use_the_configured_timeout(alice, settings):
    from platforms.x.tokens import client_for
    from tests.conftest import make_account

    settings.X_TIMEOUT = (1.5, 4)
    assert client_for(make_account(alice, "alice_x")).timeout == (1.5, 4)
