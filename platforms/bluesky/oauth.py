"""Sign in with Bluesky: atproto's profile of OAuth 2.1 for a confidential web client
(atproto.com/specs/oauth; docs.bsky.app/docs/advanced-guides/oauth-client).

- SocialHub's client_id is the URL of its client metadata document (served by the
  bluesky-client-metadata view). It authenticates with `private_key_jwt`: an ES256 client
  assertion signed with BLUESKY_OAUTH_PRIVATE_KEY, whose public half the document publishes.
- A handle resolves to a DID, whose document names the PDS (identity.py, atproto's way: DNS or
  /.well-known/atproto-did, then the DID document, which must claim the handle back); the PDS's
  protected-resource metadata names the authorization server, whose metadata gives its endpoints.
- The request goes by PAR with PKCE S256 and a DPoP proof; the browser only carries `request_uri`.
  The callback checks `state`, `iss`, then `sub` in the token answer against the DID looked up.
- Tokens are DPoP-bound: each account keeps its own DPoP key (encrypted with its tokens).
  Refresh tokens rotate; a refused one means the client reconnects.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey

from socials.publishers import PublishError

from .. import common
from . import dpop, identity

log = logging.getLogger(__name__)

SCOPE = "atproto transition:generic"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# OAuth access tokens last minutes, not hours: refresh shortly before the end, not 15 minutes ahead.
REFRESH_MARGIN = dt.timedelta(minutes=2)


class Refused(Exception):
    """The authorization server refused the refresh token (revoked, expired or already spent)."""


def configured() -> bool:
    return bool(settings.BLUESKY_OAUTH_PRIVATE_KEY)


def client_id() -> str:
    """The same string everywhere (metadata, PAR, token calls): built from SITE_URL, never the request."""
    return settings.SITE_URL + reverse("platforms:bluesky-client-metadata")


def redirect_uri() -> str:
    return settings.SITE_URL + reverse("platforms:bluesky-callback")


@cache
def _load_client_key(pem: str) -> ECKey:
    key = ECKey.import_key(pem.replace("\\n", "\n"))
    return ECKey.import_key(key.as_dict(private=True), {"kid": key.thumbprint(), "use": "sig", "alg": "ES256"})


def client_key() -> ECKey:
    return _load_client_key(settings.BLUESKY_OAUTH_PRIVATE_KEY)


def client_metadata() -> dict:
    return {
        "client_id": client_id(),
        "client_name": "SocialHub",
        "client_uri": settings.SITE_URL,
        "application_type": "web",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "redirect_uris": [redirect_uri()],
        "scope": SCOPE,
        "dpop_bound_access_tokens": True,
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "ES256",
        "jwks": {"keys": [client_key().as_dict(private=False)]},
    }


# --- Finding the account's servers -------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """An authorization server: its issuer and metadata (RFC 8414)."""

    issuer: str
    metadata: dict

    def endpoint(self, name: str) -> str:
        return str(self.metadata[name])


def _http() -> httpx.Client:
    return httpx.Client(timeout=settings.BLUESKY_TIMEOUT, follow_redirects=False)


def _get_json(http: httpx.Client, url: str, *, what: str) -> dict:
    try:
        response = http.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise common.retry("connection", f"Bluesky could not be reached while {what}") from exc
    if response.status_code != 200:
        raise common.permanent("auth", f"Bluesky answered {response.status_code} while {what}")
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise common.permanent("auth", f"Bluesky's answer was not JSON while {what}")
    return data


def authorization_server(http: httpx.Client, pds: str) -> Server:
    """The PDS's authorization server, its metadata checked against atproto's requirements."""
    resource = _get_json(http, f"{pds}/.well-known/oauth-protected-resource", what="asking the account's server how to sign in")
    servers = resource.get("authorization_servers") or []
    if not servers:
        raise common.permanent("auth", "The account's server names no authorization server.")
    issuer = str(servers[0]).rstrip("/")
    metadata = _get_json(http, f"{issuer}/.well-known/oauth-authorization-server", what="reading the sign-in server's settings")
    problems = [
        metadata.get("issuer") != issuer and "its issuer differs",
        "ES256" not in (metadata.get("dpop_signing_alg_values_supported") or []) and "no ES256 DPoP",
        "private_key_jwt" not in (metadata.get("token_endpoint_auth_methods_supported") or []) and "no private_key_jwt",
        not metadata.get("pushed_authorization_request_endpoint") and "no PAR",
    ]
    problems = [p for p in problems if p]
    if problems:
        raise common.permanent("auth", f"Bluesky's sign-in server at {issuer} does not speak atproto OAuth: {', '.join(problems)}.")
    return Server(issuer, metadata)


# --- Calls to the authorization server -----------------------------------------------------


def _assertion(server: Server) -> dict:
    now = int(time.time())
    claims = {"iss": client_id(), "sub": client_id(), "aud": server.issuer, "jti": secrets.token_urlsafe(16),
              "iat": now, "exp": now + 60}
    key = client_key()
    token = jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)
    return {"client_id": client_id(), "client_assertion_type": ASSERTION_TYPE, "client_assertion": token}


def _post(http: httpx.Client, server: Server, endpoint: str, key: ECKey, fields: dict) -> httpx.Response:
    url = server.endpoint(endpoint)
    try:
        return dpop.send(http, "POST", url, key, fields=lambda: {**fields, **_assertion(server)})
    except httpx.HTTPError as exc:
        raise common.retry("connection", "Bluesky's sign-in server could not be reached") from exc


def _oauth_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return str(body.get("error_description") or body.get("error") or response.status_code)


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def start(handle: str) -> tuple[str, dict]:
    """Push the authorization request. Returns the URL to send the browser to, and what the
    callback needs (kept server-side in the session: PKCE verifier, DPoP key, expected DID and
    issuer). Raises PublishError."""
    who = identity.resolve(handle)  # checked both ways: the DID's document claims the handle
    did, pds = who.did, who.pds
    with _http() as http:
        server = authorization_server(http, pds)
        key, state = dpop.new_key(), secrets.token_urlsafe(24)
        verifier, challenge = _pkce()
        response = _post(http, server, "pushed_authorization_request_endpoint", key, {
            "response_type": "code", "redirect_uri": redirect_uri(), "scope": SCOPE, "state": state,
            "code_challenge": challenge, "code_challenge_method": "S256", "login_hint": handle,
        })
    request_uri = _field(response, "request_uri") if response.status_code in (200, 201) else ""
    if not request_uri:
        raise common.permanent("auth", f"Bluesky refused the sign-in request: {_oauth_error(response)}")
    query = urlencode({"client_id": client_id(), "request_uri": request_uri})
    pending = {"state": state, "verifier": verifier, "dpop_key": dpop.key_text(key), "did": did, "pds": pds,
               "issuer": server.issuer, "handle": handle}
    return f"{server.endpoint('authorization_endpoint')}?{query}", pending


def finish(pending: dict, *, code: str, iss: str) -> dict:
    """The token request for the code the callback got. Returns the session: did, handle, pds,
    access and refresh tokens, scope, expiry and the DPoP key. Raises PublishError."""
    if iss != pending["issuer"]:
        raise common.permanent("auth", "The answer came from another sign-in server than the one asked.")
    key = dpop.load_key(pending["dpop_key"])
    with _http() as http:
        server = authorization_server(http, pending["pds"])
        if server.issuer != pending["issuer"]:
            raise common.permanent("auth", "The account's sign-in server changed during the sign-in: try again.")
        response = _post(http, server, "token_endpoint", key, {
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(),
            "code_verifier": pending["verifier"],
        })
    if response.status_code != 200:
        raise common.permanent("auth", f"Bluesky did not give SocialHub a session: {_oauth_error(response)}")
    tokens = response.json()
    if tokens.get("sub") != pending["did"]:
        raise common.permanent("auth", "Bluesky signed in another account than the one typed in.")
    _check_tokens(tokens)
    who = identity.of_did(pending["did"])
    return {"did": who.did, "handle": who.handle or pending["handle"], "pds": who.pds, "dpop_key": pending["dpop_key"],
            **_session(tokens)}


def _check_tokens(tokens: dict) -> None:
    if str(tokens.get("token_type", "")).lower() != "dpop" or "atproto" not in str(tokens.get("scope", "")).split():
        raise common.permanent("auth", "Bluesky's tokens are not atproto DPoP tokens.")


def _session(tokens: dict) -> dict:
    expires_in = int(tokens.get("expires_in") or 0)
    return {"access_token": tokens["access_token"], "refresh_token": tokens.get("refresh_token", ""),
            "scope": str(tokens.get("scope", "")),
            "expires_at": timezone.now() + dt.timedelta(seconds=expires_in) if expires_in else None}


def refresh(account) -> dict:
    """The refresh_token grant with the account's DPoP key. Returns the new access_token,
    refresh_token, scope and expires_at. Raises Refused, or PublishError when it cannot ask."""
    key = dpop.load_key(account.oauth2_client_secret)
    with _http() as http:
        server = authorization_server(http, account.server_url)
        response = _post(http, server, "token_endpoint", key, {
            "grant_type": "refresh_token", "refresh_token": account.oauth2_refresh_token})
    if response.status_code == 400 and _error_name(response) in ("invalid_grant", "invalid_client"):
        raise Refused(_oauth_error(response))
    if response.status_code >= 500:
        raise common.retry("server", f"Bluesky's sign-in server failed ({response.status_code}) while renewing the session")
    if response.status_code != 200:
        raise Refused(_oauth_error(response))
    tokens = response.json()
    if tokens.get("sub") not in (None, account.provider_account_id):
        raise Refused("the session belongs to another account")
    _check_tokens(tokens)
    return _session(tokens)


def _field(response: httpx.Response, name: str) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get(name) or "") if isinstance(body, dict) else ""


def _error_name(response: httpx.Response) -> str:
    return _field(response, "error")


def revoke(account) -> bool:
    """RFC 7009 revocation of the refresh token (which ends the access token with it)."""
    try:
        key = dpop.load_key(account.oauth2_client_secret)
        with _http() as http:
            server = authorization_server(http, account.server_url)
            if not server.metadata.get("revocation_endpoint"):
                return False
            response = _post(http, server, "revocation_endpoint", key, {
                "token": account.oauth2_refresh_token, "token_type_hint": "refresh_token"})
    except (PublishError, ValueError) as exc:
        log.warning("Revoking a Bluesky OAuth session failed (%s)", type(exc).__name__)
        return False
    return response.status_code == 200
