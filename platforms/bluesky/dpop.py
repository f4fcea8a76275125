"""DPoP (RFC 9449) as atproto's OAuth profile requires it: an ES256 key per session, a fresh
signed proof on every request (htm, htu, iat, jti; `ath` for the access token on the PDS), and
server-issued nonces. A server that wants a (new) nonce refuses with `use_dpop_nonce` and a
`DPoP-Nonce` header (400 from an authorization server, 401 with WWW-Authenticate from a PDS):
the request is signed again with it and sent once more. Nonces are kept per server origin in the
shared cache, so every worker starts with the latest one (atproto.com/specs/oauth, DPoP section).

The `atproto` library (0.0.73) has no OAuth or DPoP session, so `DPoPRequest` plugs DPoP into its
client's transport: the records, models and errors stay atproto's. Keys and JWTs are joserfc's."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import urlsplit

import httpx
from atproto_client.request import Request, _handle_request_errors, _handle_response
from django.core.cache import cache
from joserfc import jwt
from joserfc.jwk import ECKey

NONCE_SECONDS = 300  # servers rotate nonces every few minutes


def new_key() -> ECKey:
    return ECKey.generate_key("P-256", private=True)


def key_text(key: ECKey) -> str:
    """The private key as compact JWK JSON (stored encrypted with the account's tokens)."""
    return json.dumps(key.as_dict(private=True), separators=(",", ":"), sort_keys=True)


def load_key(text: str) -> ECKey:
    return ECKey.import_key(json.loads(text))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _htu(url: str) -> str:
    parts = urlsplit(url)  # without query and fragment (RFC 9449 section 4.2)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _cache_key(url: str) -> str:
    return "bluesky:dpop-nonce:" + hashlib.sha256(_origin(url).encode()).hexdigest()


def nonce_for(url: str) -> str | None:
    return cache.get(_cache_key(url))


def remember(url: str, response: httpx.Response) -> bool:
    """Keep the server's DPoP-Nonce. True when it gave one we did not have."""
    nonce = response.headers.get("DPoP-Nonce")
    if not nonce or nonce == nonce_for(url):
        return False
    cache.set(_cache_key(url), nonce, NONCE_SECONDS)
    return True


def proof(key: ECKey, method: str, url: str, *, nonce: str | None = None, access_token: str | None = None) -> str:
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
    claims = {"jti": secrets.token_urlsafe(16), "htm": method.upper(), "htu": _htu(url), "iat": int(time.time())}
    if nonce:
        claims["nonce"] = nonce
    if access_token:
        digest = hashlib.sha256(access_token.encode()).digest()
        claims["ath"] = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return jwt.encode(header, claims, key)


def wants_nonce(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return "use_dpop_nonce" in response.headers.get("WWW-Authenticate", "")
    if response.status_code == 400:
        try:
            return response.json().get("error") == "use_dpop_nonce"
        except ValueError:
            return False
    return False


def send(client: httpx.Client, method: str, url: str, key: ECKey, *, access_token: str | None = None,
         fields=None, **kwargs) -> httpx.Response:
    """One request with a DPoP proof, sent again once when the server asks for a new nonce.
    `fields`: a callable giving the form body, called per attempt (client assertions are single-use)."""
    headers = dict(kwargs.pop("headers", None) or {})
    if access_token:
        headers["Authorization"] = f"DPoP {access_token}"
    for attempt in (1, 2):
        headers["DPoP"] = proof(key, method, url, nonce=nonce_for(url), access_token=access_token)
        body = {"data": fields()} if fields else {}
        response = client.request(method, url, headers=headers, **body, **kwargs)
        fresh = remember(url, response)
        if attempt == 1 and fresh and wants_nonce(response):
            continue
        return response
    raise AssertionError("unreachable")


class DPoPRequest(Request):
    """atproto's transport with `Authorization: DPoP <token>` and a proof on every call."""

    def __init__(self, key: ECKey, access_token: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self._key, self._access_token = key, access_token

    def _new_instance(self) -> DPoPRequest:
        return type(self)(self._key, self._access_token, **self._client_kwargs)

    def _send_request(self, method: str, url: str, **kwargs) -> httpx.Response:
        headers = self.get_headers(kwargs.pop("headers", None))
        try:
            response = send(self._client, method, url, self._key, access_token=self._access_token,
                            headers=headers, **kwargs)
        except Exception as exc:
            _handle_request_errors(exc)
            raise
        return _handle_response(response)
