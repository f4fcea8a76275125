"""The OpenAPI schema describes the seed's paths, the API, JWT and the error envelope; Swagger UI serves it."""

import pytest


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


def test_swagger_ui_is_served(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
