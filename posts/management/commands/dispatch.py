"""`manage.py dispatch`: the due-post dispatcher, run beside `manage.py qcluster` on every
machine that publishes (posts/dispatcher.py says why; docs/deploy.md how)."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand

from posts import dispatcher

log = logging.getLogger("posts.dispatcher")


class Command(BaseCommand):
    help = "Hand due posts to the django-q2 workers the moment they are due (runs until stopped)."
    # The system checks ran at `migrate`, before this deploy's processes start; run again here they
    # would cost every boot about 1.2 s of CPU (and load every view), delaying the first poll.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=None, help="seconds between polls (DISPATCHER_POLL_SECONDS)")

    def handle(self, *args, poll=None, **options):
        stop = threading.Event()

        def _stop(signum, frame):
            log.info("Due-post dispatcher: %s, stopping", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        log.info("Due-post dispatcher started")
        enqueued = dispatcher.run(poll=poll, stop=stop)
        log.info("Due-post dispatcher stopped after handing out %d post(s)", enqueued)
