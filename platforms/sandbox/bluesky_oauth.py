"""The Bluesky stand-in's OAuth side (atproto.com/specs/oauth), in two places as at Bluesky:

- on the PDS (the main sandbox address): the protected-resource metadata naming the
  authorization server, DID documents as a PLC directory serves them (GET /did:plc:...), each
  handle's /.well-known/atproto-did as its own web server would serve it (under
  /handles/<handle>/, the sandbox being one address for every handle), and the DPoP checks of
  resource calls (`check_proof`, used by bluesky._authorized);
- on the entryway (its own address, since an issuer is a bare origin and the Mastodon stand-in
  already answers /.well-known/oauth-authorization-server on the main one): the authorization
  server metadata, PAR, a consent page, the token endpoint and revocation.

Checked as a real server checks them: DPoP proofs (ES256 signature, typ, htm, htu, iat, unused
jti, `ath`, and the server's current nonce, refused with `use_dpop_nonce` otherwise), PKCE S256,
the client assertion against the jwks of the client's metadata document (fetched from its
client_id URL, or registered through the control API as a server's cache of it), redirect URIs,
scopes, and tokens bound to the DPoP key they were issued to. Refresh tokens rotate."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import time
import urllib.request
from urllib.parse import urlencode

from joserfc import jws, jwt
from joserfc.jwk import ECKey

from .state import State

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
PROOF_AGE = 60  # seconds a DPoP proof or client assertion may be old
PAR_TTL = 300


def _json(status, data, headers=None):
    from .server import json_response

    return json_response(status, data, headers)


def _oauth_error(state: State, status: int, error: str, description: str):
    return _json(status, {"error": error, "error_description": description}, {"DPoP-Nonce": state.dpop_nonce})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _one(form: dict, name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


# --- On the PDS -------------------------------------------------------------------------------


WELL_KNOWN_DID = "/.well-known/atproto-did"


def handles(path: str) -> bool:
    return (path.startswith("/did:") or path == "/.well-known/oauth-protected-resource"
            or path.startswith("/handles/") and path.endswith(WELL_KNOWN_DID))


def pds_route(req):
    if req.method == "GET" and req.path == "/.well-known/oauth-protected-resource":
        return protected_resource, "bluesky.protected_resource"
    if req.method == "GET" and req.path.startswith("/did:"):
        return did_document, "bluesky.plc"
    if req.method == "GET" and req.path.startswith("/handles/"):
        return handle_did, "bluesky.atproto_did"
    return None, ""


def handle_did(state: State, req):
    """The handle's DID as text, as https://<handle>/.well-known/atproto-did answers (atproto.com/specs/handle)."""
    from .server import Response

    handle = req.path.removeprefix("/handles/").removesuffix(WELL_KNOWN_DID).lower()
    user = next((u for u in state.bluesky_users.values() if u["handle"] == handle), None)
    if user is None:
        return Response(404, b"Not Found", content_type="text/plain; charset=utf-8")
    return Response(200, user["did"].encode(), content_type="text/plain; charset=utf-8")


def protected_resource(state: State, req):
    return _json(200, {"resource": req.base_url, "authorization_servers": [state.bluesky_issuer],
                       "scopes_supported": [], "bearer_methods_supported": ["header"],
                       "resource_documentation": "https://atproto.com"})


def did_doc(user: dict, pds_url: str) -> dict:
    return {"@context": ["https://www.w3.org/ns/did/v1"], "id": user["did"],
            "alsoKnownAs": [f"at://{user['handle']}"], "verificationMethod": [],
            "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds_url}]}


def did_document(state: State, req):
    user = state.bluesky_users.get(req.path.removeprefix("/"))
    if user is None:
        return _json(404, {"message": "DID not registered"})
    return _json(200, did_doc(user, req.base_url))


def check_proof(state: State, req, *, access_token: str | None = None, resource: bool = False):
    """(thumbprint of the proof's key, None), or ("", the error answer). `resource`: answer as a
    PDS does (401 with WWW-Authenticate), else as an authorization server (400)."""
    def refuse(error: str, description: str):
        if not resource:
            return "", _oauth_error(state, 400, error, description)
        headers = {"WWW-Authenticate": f'DPoP error="{error}", error_description="{description}"',
                   "DPoP-Nonce": state.dpop_nonce}
        return "", _json(401, {"error": error, "message": description}, headers)

    proof = req.headers.get("DPoP", "")
    try:
        header = jws.extract_compact(proof.encode()).headers()
        key = ECKey.import_key(header["jwk"])
        claims = jwt.decode(proof, key, algorithms=["ES256"]).claims
    except Exception:
        return refuse("invalid_dpop_proof", "DPoP proof missing or not a valid ES256 JWT")
    if header.get("typ") != "dpop+jwt" or "d" in header["jwk"]:
        return refuse("invalid_dpop_proof", "DPoP proof header is invalid")
    if claims.get("htm") != req.method or claims.get("htu") != req.base_url + req.path:
        return refuse("invalid_dpop_proof", "DPoP htm or htu mismatch")
    if abs(time.time() - int(claims.get("iat") or 0)) > PROOF_AGE:
        return refuse("invalid_dpop_proof", "DPoP proof is too old")
    if access_token is not None and claims.get("ath") != _b64(hashlib.sha256(access_token.encode()).digest()):
        return refuse("invalid_dpop_proof", "DPoP ath mismatch")
    if claims.get("nonce") != state.dpop_nonce:
        with state.lock:
            state.nonce_refusals += 1
        return refuse("use_dpop_nonce", "Authorization server requires nonce in DPoP proof")
    with state.lock:
        if claims.get("jti") in state.dpop_jtis:
            return refuse("invalid_dpop_proof", "DPoP proof replayed")
        state.dpop_jtis.add(claims.get("jti"))
    return key.thumbprint(), None


# --- On the entryway (the authorization server) -----------------------------------------------


def entryway_route(req):
    table = {
        ("GET", "/.well-known/oauth-authorization-server"): (server_metadata, "bluesky.oauth_metadata"),
        ("POST", "/oauth/par"): (par, "bluesky.par"),
        ("GET", "/oauth/authorize"): (authorize_page, "bluesky.authorize"),
        ("POST", "/oauth/authorize"): (authorize_decision, "bluesky.authorize"),
        ("POST", "/oauth/token"): (token, "bluesky.token"),
        ("POST", "/oauth/revoke"): (revoke, "bluesky.revoke"),
    }
    return table.get((req.method, req.path), (None, ""))


def server_metadata(state: State, req):
    issuer = state.bluesky_issuer
    return _json(200, {
        "issuer": issuer, "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token", "pushed_authorization_request_endpoint": f"{issuer}/oauth/par",
        "revocation_endpoint": f"{issuer}/oauth/revoke", "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"], "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
        "scopes_supported": ["atproto", "transition:generic", "transition:chat.bsky"],
        "authorization_response_iss_parameter_supported": True, "require_pushed_authorization_requests": True,
        "dpop_signing_alg_values_supported": ["ES256"], "client_id_metadata_document_supported": True,
    })


def client_metadata(state: State, client_id: str) -> dict | None:
    """The client's metadata document: as registered through the control API, else fetched."""
    with state.lock:
        known = state.oauth_clients.get(client_id)
    if known is not None:
        return known
    try:
        with urllib.request.urlopen(client_id, timeout=5) as answer:  # noqa: S310 (sandbox, http allowed)
            document = json.loads(answer.read())
    except (OSError, ValueError):
        return None
    if document.get("client_id") != client_id:
        return None
    with state.lock:
        state.oauth_clients[client_id] = document
    return document


def _client(state: State, form: dict):
    """(client metadata, None) when the client assertion checks out, else (None, error answer)."""
    client_id = _one(form, "client_id")
    metadata = client_metadata(state, client_id)
    if metadata is None:
        return None, _oauth_error(state, 400, "invalid_client", "Client metadata could not be fetched")
    if _one(form, "client_assertion_type") != ASSERTION_TYPE:
        return None, _oauth_error(state, 400, "invalid_client", "private_key_jwt client authentication required")
    assertion = _one(form, "client_assertion")
    try:
        kid = jws.extract_compact(assertion.encode()).headers().get("kid")
        jwk = next(k for k in (metadata.get("jwks") or {}).get("keys", []) if k.get("kid") == kid)
        claims = jwt.decode(assertion, ECKey.import_key(jwk), algorithms=["ES256"]).claims
    except Exception:
        return None, _oauth_error(state, 400, "invalid_client", "Client assertion signature is invalid")
    if claims.get("iss") != client_id or claims.get("sub") != client_id or claims.get("aud") != state.bluesky_issuer \
            or abs(time.time() - int(claims.get("iat") or 0)) > PROOF_AGE:
        return None, _oauth_error(state, 400, "invalid_client", "Client assertion claims are invalid")
    with state.lock:
        if claims.get("jti") in state.dpop_jtis:
            return None, _oauth_error(state, 400, "invalid_client", "Client assertion replayed")
        state.dpop_jtis.add(claims.get("jti"))
    return metadata, None


def par(state: State, req):
    jkt, refused = check_proof(state, req)
    if refused:
        return refused
    form = req.form()
    metadata, refused = _client(state, form)
    if refused:
        return refused
    scopes = _one(form, "scope").split()
    if _one(form, "response_type") != "code" or _one(form, "code_challenge_method") != "S256" \
            or not _one(form, "code_challenge"):
        return _oauth_error(state, 400, "invalid_request", "response_type=code with an S256 code_challenge required")
    if _one(form, "redirect_uri") not in metadata.get("redirect_uris", []):
        return _oauth_error(state, 400, "invalid_request", "redirect_uri is not in the client metadata")
    if "atproto" not in scopes or not set(scopes) <= set(str(metadata.get("scope", "")).split()):
        return _oauth_error(state, 400, "invalid_scope", "scope must include atproto and stay within the client's")
    request_uri = "urn:ietf:params:oauth:request_uri:req-" + secrets.token_hex(16)
    with state.lock:
        state.par_requests[request_uri] = {
            "client_id": _one(form, "client_id"), "redirect_uri": _one(form, "redirect_uri"), "scope": " ".join(scopes),
            "state": _one(form, "state"), "challenge": _one(form, "code_challenge"), "jkt": jkt,
            "login_hint": _one(form, "login_hint"), "expires": time.time() + PAR_TTL,
        }
    return _json(201, {"request_uri": request_uri, "expires_in": PAR_TTL - 1}, {"DPoP-Nonce": state.dpop_nonce})


def _pending(state: State, client_id: str, request_uri: str) -> dict | None:
    pushed = state.par_requests.get(request_uri)
    if pushed is None or pushed["client_id"] != client_id or pushed["expires"] < time.time():
        return None
    return pushed


def authorize_page(state: State, req):
    from .server import html_response

    pushed = _pending(state, req.arg("client_id"), req.arg("request_uri"))
    if pushed is None:
        return html_response("<h1>Invalid request</h1><p>Unknown or expired request_uri.</p>", 400)
    name = (state.oauth_clients.get(pushed["client_id"]) or {}).get("client_name") or pushed["client_id"]
    return html_response(f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Authorize {html.escape(name)} - Bluesky sandbox</title></head><body>
<p role="status"><strong>Bluesky sandbox</strong>: a local stand-in, not the real Bluesky.</p>
<h1>Authorize {html.escape(name)}</h1>
<p>It asks for: {html.escape(pushed['scope'])}</p>
<form method="post" action="/oauth/authorize">
<input type="hidden" name="client_id" value="{html.escape(pushed['client_id'])}">
<input type="hidden" name="request_uri" value="{html.escape(req.arg('request_uri'))}">
<label for="handle">Sign in as</label> <input id="handle" name="handle" value="{html.escape(pushed['login_hint'])}" required>
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>""")


def authorize_decision(state: State, req):
    from .server import html_response, redirect

    form = req.form()
    with state.lock:
        pushed = _pending(state, _one(form, "client_id"), _one(form, "request_uri"))
        state.par_requests.pop(_one(form, "request_uri"), None)  # a request_uri is used once
    if pushed is None:
        return html_response("<h1>Invalid request</h1><p>Unknown or expired request_uri.</p>", 400)
    query = {"state": pushed["state"], "iss": state.bluesky_issuer}
    if _one(form, "decision") != "approve":
        query.update(error="access_denied", error_description="The user denied the request")
        return redirect(f"{pushed['redirect_uri']}?{urlencode(query)}")
    handle = _one(form, "handle").lower().lstrip("@")
    user = next((u for u in state.bluesky_users.values() if handle in (u["handle"], u["did"])), None)
    if user is None:
        return html_response("<h1>Unknown account</h1><p>No such account on this sandbox.</p>", 400)
    code = "cod-" + secrets.token_hex(16)
    with state.lock:
        state.oauth_codes[code] = {**pushed, "did": user["did"], "expires": time.time() + 60}
    query["code"] = code
    return redirect(f"{pushed['redirect_uri']}?{urlencode(query)}")


def token(state: State, req):
    jkt, refused = check_proof(state, req)
    if refused:
        return refused
    form = req.form()
    _metadata, refused = _client(state, form)
    if refused:
        return refused
    client_id, grant_type = _one(form, "client_id"), _one(form, "grant_type")
    if grant_type == "authorization_code":
        with state.lock:
            grant = state.oauth_codes.pop(_one(form, "code"), None)
        challenge = _b64(hashlib.sha256(_one(form, "code_verifier").encode()).digest())
        if grant is None or grant["expires"] < time.time() or grant["client_id"] != client_id \
                or grant["redirect_uri"] != _one(form, "redirect_uri"):
            return _oauth_error(state, 400, "invalid_grant", "Invalid code")
        if challenge != grant["challenge"]:
            return _oauth_error(state, 400, "invalid_grant", "Invalid code_verifier")
        if jkt != grant["jkt"]:
            return _oauth_error(state, 400, "invalid_dpop_key_binding", "DPoP key differs from the PAR's")
    elif grant_type == "refresh_token":
        with state.lock:
            state.oauth_refreshes += 1
            grant = state.oauth_refresh.pop(_one(form, "refresh_token"), None)  # rotated: spent either way
        if grant is None or grant["client_id"] != client_id or grant["jkt"] != jkt:
            return _oauth_error(state, 400, "invalid_grant", "Invalid refresh token")
    else:
        return _oauth_error(state, 400, "unsupported_grant_type", "Unsupported grant_type")
    access, refresh = state.new_oauth_session(grant["did"], jkt=jkt, client_id=client_id, scope=grant["scope"])
    return _json(200, {"access_token": access, "token_type": "DPoP", "refresh_token": refresh,
                       "expires_in": state.access_ttl, "scope": grant["scope"], "sub": grant["did"]},
                 {"DPoP-Nonce": state.dpop_nonce, "Cache-Control": "no-store"})


def revoke(state: State, req):
    form = req.form()
    _metadata, refused = _client(state, form)
    if refused:
        return refused
    with state.lock:
        grant = state.oauth_refresh.pop(_one(form, "token"), None)
        if grant is not None:
            for access in [t for t, s in state.sessions.items() if s.get("jkt") == grant["jkt"]]:
                del state.sessions[access]
    return _json(200, {}, {"DPoP-Nonce": state.dpop_nonce})
