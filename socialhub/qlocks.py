"""django-q2's in-cluster locks, made to survive a worker killed with SIGKILL.

A qcluster's workers share one multiprocessing queue of tasks. multiprocessing.Queue.get() holds
a semaphore-based lock while it waits for the next task; a worker killed while waiting (the OOM
killer, `kill -9`, a container stop) never releases it, and every other worker of that cluster
then waits forever: the cluster is alive and does nothing (found by `python -m chaos`). The same
holds for the lock a worker takes to put its result, and for the lock of each worker's timer (a
multiprocessing.Value): a worker holds it while it hands its result over, and the cluster's guard
takes it every cycle to see whether the worker is alive, so a worker killed in that moment stops
the guard for ever and no dead worker is replaced again (seen in the chaos run of 1 December).

`install()` (called when the posts app is ready, before `manage.py qcluster` builds its queues and
timers) swaps those locks for file locks (flock), which the kernel releases when their holder dies.

Upstream: https://github.com/django-q2/django-q2/issues/23 (a dead next-in-line worker stops the
cluster; first reported as https://github.com/Koed00/django-q/issues/394) and, for the result
queue's write lock, https://github.com/django-q2/django-q2/issues/339. Still open for 1.11.1.
tests/test_qlocks.py shows each freeze without this module; `check_django_q` (a Django system
check, so `manage.py check`, qcluster and runserver refuse to start) fails loudly when django-q2
is not the release this was checked against, or no longer builds its queues and timers the way
patched here.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import tempfile
import threading
import time
from importlib.metadata import version

from django.core import checks

# The django-q2 release whose queues this module was checked against (tests/test_qlocks.py).
CHECKED_WITH = "1.11.1"


class DeathSafeLock:
    """A lock shared by processes and threads; the kernel drops it if the holding process dies.

    Each process opens the lock file itself (flock belongs to an open file description, so an
    inherited descriptor would be shared with the parent); a thread lock orders the threads of
    one process. Re-entrant, as multiprocessing.RLock (a worker sets its timer's value while it
    holds the timer's lock); the interface of multiprocessing's locks that Queue and Value use.
    The process that made the lock file deletes it once it drops the lock."""

    def __init__(self, path: str | None = None):
        self._creator = None
        if path is None:
            fd, path = tempfile.mkstemp(prefix="socialhub-qlock-")
            os.close(fd)
            self._creator = os.getpid()
        self.path = path
        self._pid: int | None = None

    def __del__(self) -> None:
        if self._creator == os.getpid():
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def __getstate__(self) -> dict:
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        self.path, self._pid, self._creator = state["path"], None, None

    def _mine(self) -> int:
        if self._pid != os.getpid():  # first use in this process (or a fork of the creator)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._threads = threading.RLock()
            self._depth = 0  # how many times the thread holding _threads holds the file lock
            self._pid = os.getpid()
        return self._fd

    def acquire(self, block: bool = True, timeout: float | None = None) -> bool:
        fd = self._mine()
        deadline = None if timeout is None or timeout < 0 else time.monotonic() + timeout
        if not self._threads.acquire(block, -1 if deadline is None else max(timeout, 0)):
            return False
        if self._depth:  # this thread holds it already
            self._depth += 1
            return True
        if block and deadline is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._depth = 1
            return True
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._depth = 1
                return True
            except BlockingIOError:
                if not block or time.monotonic() >= deadline:
                    self._threads.release()
                    return False
                time.sleep(0.005)

    def release(self) -> None:
        self._depth -= 1
        if not self._depth:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()


def death_safe_queue_class():
    from django_q.queues import Queue

    class DeathSafeQueue(Queue):
        """django-q2's Queue with its reader and writer locks replaced by DeathSafeLock."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._rlock = DeathSafeLock()
            if self._wlock is not None:
                self._wlock = DeathSafeLock()

    return DeathSafeQueue


def death_safe_value(typecode: str, value):
    """multiprocessing.Value(typecode, value) guarded by a DeathSafeLock (django-q2's worker timers)."""
    return multiprocessing.Value(typecode, value, lock=DeathSafeLock())


def patch_problems() -> list[str]:
    """What no longer matches the django-q2 this module patches (empty when all is as checked)."""
    import multiprocessing.queues

    import django_q.cluster
    import django_q.queues

    problems = []
    if (installed := version("django-q2")) != CHECKED_WITH:
        problems.append(f"django-q2 is {installed}, but socialhub/qlocks.py was checked against {CHECKED_WITH}")
    if not issubclass(django_q.cluster.Queue, django_q.queues.Queue):
        problems.append("django_q.cluster no longer builds its queues from django_q.queues.Queue")
    if not issubclass(django_q.queues.Queue, multiprocessing.queues.Queue):
        problems.append("django_q.queues.Queue is no longer a multiprocessing.queues.Queue")
    elif not {"_rlock", "_wlock"} <= set(multiprocessing.queues.Queue.__getstate__.__code__.co_names):
        problems.append("multiprocessing.queues.Queue no longer keeps its locks in _rlock and _wlock")
    if "Value" not in django_q.cluster.Sentinel.spawn_worker.__code__.co_names:
        problems.append("django_q.cluster no longer makes its workers' timers with Value()")
    return problems


def check_django_q(app_configs=None, **kwargs) -> list[checks.Error]:
    """Django system check: fail loudly when an upgrade changed what install() patches."""
    return [
        checks.Error(
            problem,
            hint="Run tests/test_qlocks.py: if a killed worker no longer freezes its cluster without the "
            "patch, delete socialhub/qlocks.py; else adapt it and set CHECKED_WITH.",
            id="socialhub.E001",
        )
        for problem in patch_problems()
    ]


def install() -> None:
    """Make every qcluster started in this process build its queues with death-safe locks."""
    import django_q.cluster

    if not getattr(django_q.cluster.Queue, "death_safe", False):
        queue_class = death_safe_queue_class()
        queue_class.death_safe = True
        django_q.cluster.Queue = queue_class
        django_q.cluster.Value = death_safe_value
