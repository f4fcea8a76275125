"""A local webhook receiver (stdlib http.server), and running what django-q2 would run."""

import ast
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "whsec-rita-0123456789-abcdef"


class Receiver:
    """Answers each POST with the next planned behaviour: a status code, or "hang"."""

    def __init__(self):
        self.plan: list = []
        self.error_body = "receiver is down"
        self.requests: list[dict] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                step = receiver.plan.pop(0) if receiver.plan else 200
                if step == "hang":
                    receiver.release.wait(10)
                    step = 200
                try:
                    self.send_response(step)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok" if step < 300 else receiver.error_body.encode())
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/socialhub"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"])


def run_queued(func: str) -> int:
    """Run the tasks waiting in django-q2's ORM queue for `func`, as a worker would."""
    from django_q.models import OrmQ

    from notifications import tasks

    ran = 0
    for q in OrmQ.objects.all():
        if q.func() == func:
            q.delete()
            getattr(tasks, func.rsplit(".", 1)[1])(*q.args())
            ran += 1
    return ran


def run_scheduled(func: str) -> int:
    """Run the django-q2 ONCE schedules for `func` whose time has come, as the scheduler would."""
    from django.utils import timezone
    from django_q.models import Schedule

    from notifications import tasks

    ran = 0
    for s in Schedule.objects.filter(func=func, next_run__lte=timezone.now()):
        s.delete()
        getattr(tasks, func.rsplit(".", 1)[1])(*ast.literal_eval(s.args or "()"))
        ran += 1
    return ran
