"""Schemathesis fuzzes every operation of the live OpenAPI schema in-process (WSGI), as staff, a reseller
and a client: no answer is a server error, and every answer (status, content type, body) is one the
schema documents. Each generated request is also sent with the path's ids pointing at objects that
exist, so bodies reach the services instead of stopping at a 404. Bounded and derandomized, so the
run is fast and repeatable.
"""

import pytest
import responses
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from content_templates.services import create_template
from socialhub.wsgi import application
from tests.api.conftest import jwt_for
from tests.conftest import make_account

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The schema is read once, at collection (it needs no database). schemathesis.pytest.from_fixture
# would read it per test, but its lazy loader does not work with pytest 9 (it sets Node._nodeid).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def known_ids(db, sam, rita, alice, task, alice_account, make_post, bob_task):
    """Objects to act on, requests that leave the test's transaction open, and no real X.

    Some endpoints call X (testing or revoking a connection): with `responses` and no registered
    URL, every call to X fails as a network error would, which those endpoints must answer well.
    """
    # Django's test client does the same: a request must not close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    post = make_post(content="A post the fuzzer can find")
    make_account(alice, "alice_second")
    template = create_template(actor=rita, name="Fuzzed", text="Hi {client_name}: {link}")
    x_unreachable = responses.RequestsMock(assert_all_requests_are_fired=False)
    x_unreachable.start()
    yield {
        "post_id": str(post.pk),
        "postId": str(post.pk),
        "task_id": str(task.pk),
        "taskId": str(task.pk),
        "userId": str(alice.pk),
        "id": str(alice.pk),  # /api/users/{id}
        "account_id": str(alice_account.pk),  # /api/accounts/{id}
        "template_id": str(template.pk),
    }
    x_unreachable.stop()
    x_unreachable.reset()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=5, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, known_ids, sam, rita, alice):
    generated = dict(case.path_parameters or {})
    known = dict(known_ids)
    if case.path.startswith("/api/accounts"):
        known["id"] = known["account_id"]
    existing = {name: known.get(name, value) for name, value in generated.items()}
    for path_parameters in [generated, existing] if generated else [generated]:
        for user in (sam, rita, alice):
            case.path_parameters = dict(path_parameters)
            case.call_and_validate(headers={"Authorization": f"Bearer {jwt_for(user)}"}, checks=CHECKS)
