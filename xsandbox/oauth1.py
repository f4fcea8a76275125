"""OAuth 1.0a: the three-legged flow and HMAC-SHA1 signature checks, using oauthlib's functions.

What is signed mirrors requests-oauthlib: the query, the `Authorization: OAuth` header params and,
only for application/x-www-form-urlencoded bodies, the form params (never JSON or multipart bodies).
"""
from __future__ import annotations

import hmac
import time
from types import SimpleNamespace

from oauthlib.oauth1.rfc5849 import signature

from . import pages
from .oauth2 import USERNAME_RE
from .problems import oauth1_error
from .state import App, OAuth1Token, SandboxState, new_secret
from .web import Request, Response, add_query, form_response, html_response, redirect

TIMESTAMP_SKEW_S = 300  # X refuses requests whose oauth_timestamp is far off


class SignatureError(Exception):
    """The request is not a valid OAuth 1.0a request for this app (the message says why)."""


def verify(state: SandboxState, req: Request, *,
           token_kind: str | None) -> tuple[dict[str, str], OAuth1Token | None, App]:
    """Checks the signature of `req`. Returns its params, the token it was signed with and the app
    whose consumer key signed it. A token issued to another app is refused like an unknown one.

    `token_kind` None means no token is expected (request_token), else "request" or "access".
    Raises SignatureError.
    """
    header = req.headers.get("Authorization", "")
    if not header.startswith("OAuth "):
        raise SignatureError("no OAuth Authorization header")
    body = req.body.decode("utf-8", "replace") if req.is_form() else None
    params = signature.collect_parameters(uri_query=req.query_string, body=body,
                                          headers={"Authorization": header}, exclude_oauth_signature=False)
    values = dict(params)
    app = _check_oauth_params(state, values)
    token = _token_for(state, values.get("oauth_token"), token_kind)
    if token is not None and token.app_id != app.id:
        raise SignatureError("token issued to another app")
    signed = SimpleNamespace(
        params=[(k, v) for k, v in params if k != "oauth_signature"], uri=req.url,
        http_method=req.method, signature=values.get("oauth_signature", ""))
    if not signature.verify_hmac_sha1(signed, app.consumer_secret, token.secret if token else ""):
        raise SignatureError("signature mismatch")
    return values, token, app


def _token_for(state: SandboxState, value: str | None, kind: str | None) -> OAuth1Token | None:
    if kind is None:
        return None
    with state.lock:
        token = state.oauth1_tokens.get(value or "")
    if token is None or token.kind != kind or token.used:
        raise SignatureError(f"unknown {kind} token")
    return token


def _check_oauth_params(state: SandboxState, values: dict[str, str]) -> App:
    app = state.app_by(consumer_key=values.get("oauth_consumer_key", ""))
    if app is None:
        raise SignatureError("unknown consumer key")
    if values.get("oauth_signature_method") != "HMAC-SHA1":
        raise SignatureError("only HMAC-SHA1 is supported")
    try:
        skew = abs(time.time() - int(values.get("oauth_timestamp", "")))
    except ValueError:
        raise SignatureError("bad oauth_timestamp") from None
    if skew > TIMESTAMP_SKEW_S:
        raise SignatureError("oauth_timestamp too far from now")
    return app


# ---- the three legs ---------------------------------------------------------------------------

def request_token(state: SandboxState, req: Request) -> Response:
    """POST /oauth/request_token: a temporary token for the consent screen."""
    try:
        values, _, app = verify(state, req, token_kind=None)
    except SignatureError:
        raise oauth1_error() from None
    callback = values.get("oauth_callback", "")
    if not callback:
        raise oauth1_error(400)
    token = OAuth1Token(new_secret(), new_secret(), "request", callback=callback, app_id=app.id)
    with state.lock:
        state.oauth1_tokens[token.token] = token
    return form_response(200, {"oauth_token": token.token, "oauth_token_secret": token.secret,
                               "oauth_callback_confirmed": "true"})


def authorize_page(state: SandboxState, req: Request) -> Response:
    """GET /oauth/authorize and /oauth/authenticate: the consent screen, or auto_approve=1."""
    params = req.query
    token = _pending_request_token(state, params.get("oauth_token", ""))
    if token is None:
        return html_response(400, pages.error_page("This request token is unknown or already used."))
    if params.get("auto_approve") == "1":
        return _approve(state, token, params.get("username") or state.suggest_username())
    return html_response(200, pages.consent_page(
        action=req.path, app_name=state.apps[token.app_id].name, username=state.suggest_username(),
        hidden={"oauth_token": token.token}, scopes=[]))


def authorize_decision(state: SandboxState, req: Request) -> Response:
    """POST /oauth/authorize (or /authenticate): the consent form's answer."""
    form = req.form()
    token = _pending_request_token(state, form.get("oauth_token", ""))
    if token is None:
        return html_response(400, pages.error_page("This request token is unknown or already used."))
    if form.get("decision") == "cancel":
        return redirect(add_query(token.callback, {"denied": token.token}))
    return _approve(state, token, form.get("username", ""))


def _pending_request_token(state: SandboxState, value: str) -> OAuth1Token | None:
    with state.lock:
        token = state.oauth1_tokens.get(value)
    return token if token and token.kind == "request" and not token.used else None


def _approve(state: SandboxState, token: OAuth1Token, username: str) -> Response:
    if not USERNAME_RE.match(username):
        return html_response(400, pages.error_page("A username is letters, digits and _ only."))
    user = state.get_or_create_user(username)
    with state.lock:
        token.user_id = user.id
        token.verifier = new_secret(12)
    if token.callback == "oob":  # PIN flow: the user copies the verifier by hand
        return html_response(200, pages.error_page(f"PIN: {token.verifier}"))
    return redirect(add_query(token.callback, {"oauth_token": token.token, "oauth_verifier": token.verifier}))


def access_token(state: SandboxState, req: Request) -> Response:
    """POST /oauth/access_token: trades an approved request token and its verifier for an access token."""
    try:
        values, request, app = verify(state, req, token_kind="request")
    except SignatureError:
        raise oauth1_error() from None
    assert request is not None
    with state.lock:
        approved = request.user_id is not None and hmac.compare_digest(values.get("oauth_verifier", ""),
                                                                       request.verifier)
        if not approved or request.used:
            raise oauth1_error()
        request.used = True
    user_id = request.user_id or ""
    access = state.issue_oauth1_access_token(user_id, app_id=app.id)
    return form_response(200, {"oauth_token": access.token, "oauth_token_secret": access.secret,
                               "user_id": user_id, "screen_name": state.users[user_id].username})
