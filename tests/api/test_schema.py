"""The OpenAPI schema describes the seed's paths, the API, JWT and the error envelope; Swagger UI serves it."""

import re

import pytest
from django.contrib.staticfiles import finders


@pytest.fixture
def schema(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_has_the_seeds_paths_and_the_api(schema):
    paths = schema["paths"]
    assert "post" in paths["/post/for-user/{userId}/{taskId}"]
    assert "patch" in paths["/post/{postId}/review"]
    for path in ["/api/auth/token", "/api/auth/token/refresh", "/api/users", "/api/tasks", "/api/posts",
                 "/api/posts/{post_id}", "/api/posts/{post_id}/retry", "/api/posts/{post_id}/reviews"]:
        assert path in paths


def test_the_seed_create_takes_json_and_multipart(schema):
    body = schema["paths"]["/post/for-user/{userId}/{taskId}"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    form = schema["components"]["schemas"]["PostFormRequest"]["properties"]
    assert form["media"]["items"]["format"] == "binary"


def test_every_operation_documents_the_error_envelope(schema):
    envelope = schema["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["success", "message", "details"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("400", "401", "404", "500"):
                ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorEnvelope"), (path, method, code)


def test_ids_are_strings_in_paths_and_bodies(schema):
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["schema"]["type"] == "string", (path, parameter)
    assert schema["components"]["schemas"]["Post"]["properties"]["id"]["type"] == "string"


def test_jwt_bearer_is_the_security_scheme(schema):
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"


def _scripts(html: str) -> list[tuple[str, str]]:
    """(src, inline body) of each <script> on a page."""
    return re.findall(r"<script(?:\s+src=\"([^\"]*)\")?[^>]*>(.*?)</script>", html, re.S)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_load_everything_from_this_server_with_no_inline_script(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html and "https://" not in html  # no CDN, no web fonts
    scripts = _scripts(html)
    assert scripts and all(src and not body.strip() for src, body in scripts)
    for src, _ in scripts:
        if src.startswith("/static/"):
            assert finders.find(src.removeprefix("/static/")), src
        else:  # Swagger UI's start-up script, a file of its own
            script = client.get(src)
            assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
            assert b"/api/schema/" in script.content
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
        assert finders.find(href.removeprefix("/static/")), href
