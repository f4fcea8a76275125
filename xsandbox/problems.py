"""The error bodies X answers with, as `ApiError`s. Wording copied from real X answers where known."""
from __future__ import annotations

from typing import Any

from .web import ApiError

PROBLEMS = "https://api.x.com/2/problems/"  # the spec's (v2.167) problem type URLs, as X's docs show them


def problem(status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any) -> ApiError:
    return ApiError(status, {"title": title, "detail": detail, "type": type_, "status": status, **extra})


def unauthorized() -> ApiError:
    return ApiError(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})


def forbidden(detail: str = "Forbidden") -> ApiError:
    return problem(403, "Forbidden", detail)


def unsupported_authentication(kind: str = "OAuth 2.0 Application-Only") -> ApiError:
    return problem(
        403, "Unsupported Authentication",
        f"Authenticating with {kind} is forbidden for this endpoint.  Supported authentication types "
        "are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
        PROBLEMS + "unsupported-authentication",
    )


def too_many_requests() -> ApiError:
    return problem(429, "Too Many Requests", "Too Many Requests")


def service_unavailable() -> ApiError:
    return problem(503, "Service Unavailable", "Service Unavailable")


def usage_capped(account_id: int) -> ApiError:
    """429 UsageCapExceeded: the monthly cap of the app's product is spent (spec: UsageCapExceededProblem;
    body as recorded from X, see docs/x-api.md). Not a rate limit: no x-rate-limit headers."""
    return ApiError(429, {"account_id": account_id, "title": "UsageCapExceeded", "period": "Monthly",
                          "scope": "Product", "detail": "Usage cap exceeded: Monthly product cap",
                          "type": PROBLEMS + "usage-capped"})


def credits_depleted(account_id: int) -> ApiError:
    """402 CreditsDepleted: the developer account's pay-per-use credits are spent."""
    return ApiError(402, {"account_id": account_id, "title": "CreditsDepleted",
                          "detail": f"Your enrolled account [{account_id}] does not have any credits to "
                                    "fulfill this request.",
                          "type": PROBLEMS + "credits"})


def invalid_request(message: str, parameters: dict[str, list[str]] | None = None) -> ApiError:
    """X's 400 for a bad parameter: a generic problem with the specifics in `errors`."""
    return ApiError(400, {
        "errors": [{"parameters": parameters or {}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": PROBLEMS + "invalid-request",
    })


def not_found_error(resource_type: str, parameter: str, value: str) -> dict[str, Any]:
    """One entry of the `errors` list X puts in a 200 answer for ids it cannot find."""
    noun = "tweet" if resource_type == "tweet" else "user"
    return {
        "value": value, "detail": f"Could not find {noun} with {parameter}: [{value}].",
        "title": "Not Found Error", "resource_type": resource_type, "parameter": parameter,
        "resource_id": value, "type": PROBLEMS + "resource-not-found",
    }


def route_not_found(path: str) -> ApiError:
    return problem(404, "Not Found Error", f"No sandbox endpoint for {path}.", PROBLEMS + "resource-not-found")


def oauth2_error(error: str, description: str, status: int = 400) -> ApiError:
    """The token endpoint's OAuth 2.0 style errors (not problem JSON)."""
    return ApiError(status, {"error": error, "error_description": description})


def oauth1_error(status: int = 401) -> ApiError:
    """X's v1.1-style answer to a bad OAuth 1.0a request."""
    return ApiError(status, {"errors": [{"code": 32, "message": "Could not authenticate you."}]})
