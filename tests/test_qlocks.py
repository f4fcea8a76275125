"""socialhub/qlocks.py earns its place: without it, a qcluster worker killed while it waits for a
task leaves the cluster's task queue locked, and no worker ever takes a task again (django-q2
1.11.1, https://github.com/django-q2/django-q2/issues/23); one killed while it holds its timer's
lock (handing a result over) stops the cluster's guard, so no dead worker is replaced again. With
it, the cluster goes on."""

import multiprocessing
import os
import queue
import signal
import time

import django_q.cluster
import django_q.queues

from socialhub import qlocks


def frozen_after_killing_a_waiting_worker(task_queue) -> bool:
    """A worker waits for a task in get() (as django-q2's idle workers do) and is SIGKILLed there;
    does the queue still hand the next task to another worker?"""
    waiting = multiprocessing.get_context("fork").Process(target=task_queue.get)
    waiting.start()
    time.sleep(0.5)  # it holds the queue's reader lock while it waits
    os.kill(waiting.pid, signal.SIGKILL)
    waiting.join()
    task_queue.put("publish post 1")
    try:
        return task_queue.get(timeout=3) != "publish post 1"
    except queue.Empty:
        return True


def test_without_the_patch_a_killed_waiting_worker_freezes_the_queue():
    assert frozen_after_killing_a_waiting_worker(django_q.queues.Queue())


def test_with_the_patch_the_next_worker_takes_the_task():
    assert not frozen_after_killing_a_waiting_worker(qlocks.death_safe_queue_class()())


def guard_frozen_after_killing_a_worker_holding_its_timer(timer) -> bool:
    """A worker holds its timer's lock (as django-q2's does while it hands its result over, setting
    the timer inside) and is SIGKILLed there; can the cluster's guard still take the lock?"""

    def hand_result_over():
        with timer.get_lock():
            timer.value = -1  # re-entrant: the worker sets its timer while it holds the lock
            time.sleep(30)

    holding = multiprocessing.get_context("fork").Process(target=hand_result_over)
    holding.start()
    time.sleep(0.5)
    os.kill(holding.pid, signal.SIGKILL)
    holding.join()
    lock = timer.get_lock()
    if not lock.acquire(timeout=3):
        return True
    lock.release()
    return False


def test_without_the_patch_a_worker_killed_holding_its_timer_stops_the_guard():
    assert guard_frozen_after_killing_a_worker_holding_its_timer(multiprocessing.Value("f", 0))


def test_with_the_patch_the_guard_goes_on():
    assert not guard_frozen_after_killing_a_worker_holding_its_timer(qlocks.death_safe_value("f", 0))


def test_qcluster_builds_its_queues_and_timers_with_the_patch():
    assert django_q.cluster.Queue.death_safe is True
    assert isinstance(django_q.cluster.Queue()._rlock, qlocks.DeathSafeLock)
    assert isinstance(django_q.cluster.Value("f", -1).get_lock(), qlocks.DeathSafeLock)


def test_the_installed_django_q2_is_the_one_the_patch_was_checked_against():
    assert qlocks.patch_problems() == []
    assert qlocks.check_django_q() == []


def test_an_upgraded_django_q2_fails_the_system_check_loudly(monkeypatch):
    monkeypatch.setattr(qlocks, "CHECKED_WITH", "1.10.0")
    [error] = qlocks.check_django_q()
    assert error.id == "socialhub.E001"
    assert "django-q2 is 1.11.1, but socialhub/qlocks.py was checked against 1.10.0" in error.msg
