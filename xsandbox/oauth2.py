"""OAuth 2.0 authorization code flow with PKCE, refresh rotation and revocation, as X does it.

Refresh tokens rotate and are single use: a spent one answers `invalid_request` "Value passed for
the token was invalid." and counts as a reuse in the stats.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from typing import Any
from urllib.parse import unquote

from . import pages
from .problems import oauth2_error
from .state import AccessToken, App, AuthCode, RefreshToken, SandboxState, new_secret
from .web import Request, Response, add_query, html_response, json_response, redirect

CODE_TTL_S = 30  # X's codes are short lived too
USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,50}$")  # X allows 15 characters; the sandbox is lenient
AUTHORIZE_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state",
                    "code_challenge", "code_challenge_method")
INVALID_TOKEN = "Value passed for the token was invalid."


# ---- authorize (the consent screen) -----------------------------------------------------------

def authorize_page(state: SandboxState, req: Request) -> Response:
    """GET /i/oauth2/authorize: the consent screen, or with auto_approve=1 an immediate redirect."""
    params = req.query
    problem = _authorize_problem(state, params)
    if problem:
        return html_response(400, pages.error_page(problem))
    if params.get("auto_approve") == "1":
        return _approve(state, params, params.get("username") or state.suggest_username())
    hidden = {name: params[name] for name in AUTHORIZE_PARAMS if name in params}
    app = state.app_by(client_id=params["client_id"])
    assert app is not None  # _authorize_problem checked it
    return html_response(200, pages.consent_page(
        action="/i/oauth2/authorize", app_name=app.name,
        username=state.suggest_username(), hidden=hidden, scopes=params.get("scope", "").split()))


def authorize_decision(state: SandboxState, req: Request) -> Response:
    """POST /i/oauth2/authorize: the consent form's "Authorize app" or "Cancel"."""
    params = req.form()
    problem = _authorize_problem(state, params)
    if problem:
        return html_response(400, pages.error_page(problem))
    if params.get("decision") == "cancel":
        return redirect(add_query(params["redirect_uri"], _with_state(params, {"error": "access_denied"})))
    return _approve(state, params, params.get("username", ""))


def _authorize_problem(state: SandboxState, params: dict[str, str]) -> str | None:
    if state.app_by(client_id=params.get("client_id", "")) is None:
        return "Unknown client_id: this app is not registered with the sandbox."
    if not params.get("redirect_uri"):
        return "redirect_uri is required."
    if params.get("response_type") != "code":
        return "response_type must be code."
    if not params.get("code_challenge"):
        return "code_challenge is required (PKCE)."
    if params.get("code_challenge_method", "plain") not in ("S256", "plain"):
        return "code_challenge_method must be S256 or plain."
    return None


def _approve(state: SandboxState, params: dict[str, str], username: str) -> Response:
    if not USERNAME_RE.match(username):
        return html_response(400, pages.error_page("A username is letters, digits and _ only."))
    user = state.get_or_create_user(username)
    code = new_secret()
    app = state.app_by(client_id=params["client_id"])
    assert app is not None
    with state.lock:
        state.auth_codes[code] = _auth_code(code, {**params, "app_id": app.id}, user.id)
    return redirect(add_query(params["redirect_uri"], _with_state(params, {"code": code})))


def _auth_code(code: str, params: dict[str, str], user_id: str) -> AuthCode:
    return AuthCode(
        code=code, redirect_uri=params["redirect_uri"], scopes=frozenset(params.get("scope", "").split()),
        code_challenge=params["code_challenge"],
        code_challenge_method=params.get("code_challenge_method", "plain"),
        user_id=user_id, expires_at=time.time() + CODE_TTL_S, app_id=params["app_id"])


def _with_state(params: dict[str, str], answer: dict[str, str]) -> dict[str, str]:
    return {**answer, "state": params["state"]} if "state" in params else answer


# ---- token endpoint ---------------------------------------------------------------------------

def token(state: SandboxState, req: Request) -> Response:
    """POST /2/oauth2/token: grant_type authorization_code or refresh_token."""
    form = req.form()
    app = _authenticate_client(state, req, form)
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        access, refresh = _exchange_code(state, form, app)
    elif grant_type == "refresh_token":
        access, refresh = _refresh(state, form, app)
    else:
        raise oauth2_error("unsupported_grant_type", "grant_type must be authorization_code or refresh_token.")
    return json_response(200, _token_answer(state, access, refresh))


def revoke(state: SandboxState, req: Request) -> Response:
    """POST /2/oauth2/revoke: revokes an access or a refresh token. Unknown tokens are fine; a token
    issued to another app is refused (400 invalid_request) and stays valid."""
    form = req.form()
    app = _authenticate_client(state, req, form)
    value = form.get("token", "")
    with state.lock:
        record = state.access_tokens.get(value) or state.refresh_tokens.get(value)
        if record is not None and record.app_id != app.id:
            raise oauth2_error("invalid_request", INVALID_TOKEN)
        if record is not None:
            record.revoked = True
    return json_response(200, {"revoked": True})


def _authenticate_client(state: SandboxState, req: Request, form: dict[str, str]) -> App:
    """The calling app. Confidential clients use HTTP Basic; public clients send client_id in the body."""
    header = req.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        client_id, secret = _basic_credentials(header)
        app = state.app_by(client_id=client_id) if client_id else None
        if app is not None and hmac.compare_digest(secret, app.client_secret):
            return app
    else:
        app = state.app_by(client_id=form.get("client_id", "")) if form.get("client_id") else None
        if app is not None and ("client_secret" not in form
                                or hmac.compare_digest(form["client_secret"], app.client_secret)):
            return app
    raise oauth2_error("unauthorized_client", "Missing valid authorization header", status=401)


def _basic_credentials(header: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)  # RFC 6749 2.3.1 form-encodes both


def _exchange_code(state: SandboxState, form: dict[str, str], app: App) -> tuple[AccessToken, RefreshToken | None]:
    with state.lock:
        code = state.auth_codes.get(form.get("code", ""))
        if code is not None and code.app_id != app.id:
            code = None  # another app's code is as good as none
        problem = _code_problem(code, form)
        if problem or code is None:
            state.stats.invalid_grant += 1
            raise oauth2_error("invalid_grant", problem or "")
        code.used = True
        return state.issue_oauth2_tokens(code.user_id, code.scopes, app_id=app.id)


def _code_problem(code: AuthCode | None, form: dict[str, str]) -> str | None:
    if code is None or code.used or time.time() > code.expires_at:
        return "Value passed for the authorization code was invalid."
    if form.get("redirect_uri") != code.redirect_uri:
        return "Value passed for the redirect uri did not match the uri of the authorization code."
    if not _pkce_matches(form.get("code_verifier", ""), code.code_challenge, code.code_challenge_method):
        return "Value passed for the code verifier did not match the code challenge."
    return None


def _pkce_matches(verifier: str, challenge: str, method: str) -> bool:
    if method == "plain":
        return bool(verifier) and hmac.compare_digest(verifier, challenge)
    digest = hashlib.sha256(verifier.encode()).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return bool(verifier) and hmac.compare_digest(expected, challenge)


def _refresh(state: SandboxState, form: dict[str, str], app: App) -> tuple[AccessToken, RefreshToken | None]:
    with state.lock:
        old = state.refresh_tokens.get(form.get("refresh_token", ""))
        if old is None or old.revoked or old.app_id != app.id:  # another app's token: not spent
            state.stats.invalid_grant += 1
            raise oauth2_error("invalid_request", INVALID_TOKEN)
        if old.spent:
            _count_reuse(state, old)
            raise oauth2_error("invalid_request", INVALID_TOKEN)
        old.spent = True
        state.stats.refreshes_by_user[old.user_id] += 1
        return state.issue_oauth2_tokens(old.user_id, old.scopes, chain=old.chain, app_id=app.id)


def _count_reuse(state: SandboxState, spent: RefreshToken) -> None:
    state.stats.refresh_token_reuse += 1
    if state.config.refresh_reuse_kills_chain:
        for other in state.refresh_tokens.values():
            if other.chain == spent.chain:
                other.revoked = True


def _token_answer(state: SandboxState, access: AccessToken, refresh: RefreshToken | None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "token_type": "bearer",
        "expires_in": state.config.access_token_ttl,
        "access_token": access.token,
        "scope": " ".join(sorted(access.scopes)),
    }
    if refresh is not None:
        answer["refresh_token"] = refresh.token
    return answer

