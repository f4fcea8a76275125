"""The Bluesky (AT Protocol PDS) stand-in: app-password sessions (createSession, refreshSession
rotating the refresh token, getSession, deleteSession), profiles, blobs, and app.bsky.feed.post
records under client-chosen TID record keys (a taken key is refused), read back by getRecord.
Errors are XRPC's {"error", "message"}; every answer carries ratelimit-* headers.
Shapes follow bluesky-social/atproto lexicons (com.atproto.server.*, com.atproto.repo.*,
app.bsky.feed.getPosts with the counts a test set)."""

from __future__ import annotations

import json
import time

from platforms.bluesky.tid import PATTERN as TID
from platforms.bluesky.tid import tid
from platforms.text import graphemes

from .bluesky_oauth import check_proof, did_doc
from .state import State, cid_for

MAX_GRAPHEMES = 300
MAX_IMAGE_BYTES = 2_000_000
HOUR_POINTS = 5000  # points per account per hour; a create costs 3


def rate_headers(remaining: int, reset_epoch: float, limit: int = HOUR_POINTS) -> dict[str, str]:
    return {"ratelimit-limit": str(limit), "ratelimit-remaining": str(max(remaining, 0)),
            "ratelimit-reset": str(int(reset_epoch)), "ratelimit-policy": f"{limit};w=3600"}


def _json(status, data, headers=None):
    from .server import json_response

    return json_response(status, data, headers)


def _error(status: int, name: str, message: str):
    return _json(status, {"error": name, "message": message})


def route(req):
    nsid, m = req.path.removeprefix("/xrpc/"), req.method
    table = {
        ("POST", "com.atproto.server.createSession"): create_session,
        ("POST", "com.atproto.server.refreshSession"): refresh_session,
        ("GET", "com.atproto.server.getSession"): get_session,
        ("POST", "com.atproto.server.deleteSession"): delete_session,
        ("GET", "app.bsky.actor.getProfile"): get_profile,
        ("POST", "com.atproto.repo.uploadBlob"): upload_blob,
        ("POST", "com.atproto.repo.createRecord"): create_record,
        ("GET", "com.atproto.repo.getRecord"): get_record,
        ("GET", "app.bsky.feed.getPosts"): get_posts,
    }
    handler = table.get((m, nsid))
    return (handler, "bluesky." + nsid.rsplit(".", 1)[-1]) if handler else (None, "")


def _session_json(state: State, user: dict, access: str, refresh: str, base_url: str) -> dict:
    return {"did": user["did"], "handle": user["handle"], "email": f"{user['handle']}@example.test",
            "emailConfirmed": True, "accessJwt": access, "refreshJwt": refresh, "active": True,
            "didDoc": did_doc(user, base_url)}


def create_session(state: State, req):
    body = req.json()
    identifier = str(body.get("identifier") or "").lower()
    user = next((u for u in state.bluesky_users.values() if identifier in (u["handle"], u["did"])), None)
    if user is None or body.get("password") != user["app_password"]:
        return _error(401, "AuthenticationRequired", "Invalid identifier or password")
    access, refresh = state.new_session(user["did"])
    return _json(200, _session_json(state, user, access, refresh, req.base_url))


def _bearer(req) -> str:
    auth = req.headers.get("Authorization", "")
    return auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""


def refresh_session(state: State, req):
    token = _bearer(req)
    with state.lock:
        state.refreshes += 1
        did = state.refresh_tokens.pop(token, None)  # rotated: the old refresh token is spent
    if did is None:
        return _error(400, "ExpiredToken", "Token has been revoked")
    access, refresh = state.new_session(did)
    user = state.bluesky_users[did]
    return _json(200, _session_json(state, user, access, refresh, req.base_url))


def delete_session(state: State, req):
    with state.lock:
        state.refresh_tokens.pop(_bearer(req), None)
    return _json(200, {})


def _authorized(state: State, req, handler, cost: int = 1):
    """App-password sessions send `Bearer <accessJwt>`; OAuth sessions `DPoP <token>` with a proof
    by the key the token is bound to (401 and WWW-Authenticate when that fails, as a PDS answers)."""
    auth = req.headers.get("Authorization", "")
    if auth.startswith("DPoP "):
        token = auth.removeprefix("DPoP ").strip()
        session = state.sessions.get(token)
        if session is None or "jkt" not in session:
            return _dpop_refusal("invalid_token", "Token could not be verified")
        jkt, refused = check_proof(state, req, access_token=token, resource=True)
        if refused:
            return refused
        if jkt != session["jkt"]:
            return _dpop_refusal("invalid_token", "Token is bound to another DPoP key")
        if session["exp"] <= time.time():
            return _dpop_refusal("invalid_token", '"exp" claim timestamp check failed')
        return _charged(state, state.bluesky_users[session["did"]], handler, cost,
                        {"DPoP-Nonce": state.dpop_nonce})
    token = _bearer(req)
    session = state.sessions.get(token)
    if not token:
        return _error(401, "AuthMissing", "Authentication Required")
    if session is None or "jkt" in session:  # a DPoP-bound token is no bearer token
        return _error(400, "InvalidToken", "Token could not be verified")
    if session["exp"] <= time.time():
        return _error(400, "ExpiredToken", "Token has expired")
    return _charged(state, state.bluesky_users[session["did"]], handler, cost, {})


def _dpop_refusal(error: str, message: str):
    return _json(401, {"error": error, "message": message},
                 {"WWW-Authenticate": f'DPoP error="{error}", error_description="{message}"'})


def _charged(state: State, user: dict, handler, cost: int, extra_headers: dict):
    """Count the call's rate-limit points, then answer it (429 past the hour's budget)."""
    now = time.time()
    with state.lock:
        spent = [(t, c) for t, c in user.setdefault("points", []) if t > now - 3600]
        spent.append((now, cost))
        user["points"] = spent
    used = sum(c for _, c in spent)
    reset = spent[0][0] + 3600
    headers = rate_headers(HOUR_POINTS - used, reset) | extra_headers
    if used > HOUR_POINTS:
        return _json(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, headers)
    response = handler(user)
    response.headers.update(headers)
    return response


def get_session(state: State, req):
    return _authorized(state, req, lambda user: _json(200, {"did": user["did"], "handle": user["handle"],
                                                            "active": True}))


def get_profile(state: State, req):
    def read(user):
        actor = req.arg("actor").lower()
        found = next((u for u in state.bluesky_users.values() if actor in (u["handle"], u["did"])), None)
        if found is None:
            return _error(400, "InvalidRequest", "Profile not found")
        posts = sum(1 for uri in state.records if uri.startswith(f"at://{found['did']}/"))
        return _json(200, {"did": found["did"], "handle": found["handle"], "displayName": found["displayName"],
                           "followersCount": 0, "followsCount": 0, "postsCount": posts})

    return _authorized(state, req, read)


def upload_blob(state: State, req):
    def upload(user):
        mime_type = sniff(req.body) or req.headers.get("Content-Type", "application/octet-stream")
        cid = cid_for(req.body)
        with state.lock:
            state.blobs[(user["did"], cid)] = {"mimeType": mime_type, "size": len(req.body)}
        return _json(200, {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime_type,
                                    "size": len(req.body)}})

    return _authorized(state, req, upload)


def sniff(data: bytes) -> str | None:
    """The type from the first bytes, as a PDS does (clients often send */*)."""
    for magic, kind in ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif")):
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def create_record(state: State, req):
    def create(user):
        body = req.json()
        record, rkey = body.get("record") or {}, str(body.get("rkey") or "")
        if body.get("repo") not in (user["did"], user["handle"]):
            return _error(400, "InvalidRequest", "Input/repo must be the authenticated account")
        if body.get("collection") != "app.bsky.feed.post" or record.get("$type") != "app.bsky.feed.post":
            return _error(400, "InvalidRequest", "Invalid collection: this sandbox stores app.bsky.feed.post only")
        if not rkey:  # the PDS picks a TID when the client does not
            rkey = tid(int(time.time() * 1_000_000), 0)
        if not TID.match(rkey):
            return _error(400, "InvalidRequest", "Invalid record key: must be a TID")
        problem = _invalid_post(state, user, record)
        if problem:
            return _error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {problem}")
        uri = f"at://{user['did']}/app.bsky.feed.post/{rkey}"
        cid = cid_for(json.dumps(record, sort_keys=True).encode())
        with state.lock:
            if uri in state.records:
                return _error(400, "InvalidRequest", f"Record already exists: {uri}")
            state.records[uri] = {"cid": cid, "value": record, "indexedAt": time.time()}
        return _json(200, {"uri": uri, "cid": cid, "commit": {"cid": cid_for(uri.encode()), "rev": rkey},
                           "validationStatus": "valid"})

    return _authorized(state, req, create, cost=3)


def _invalid_post(state: State, user: dict, record: dict) -> str:
    text = record.get("text")
    if not isinstance(text, str):
        return "Record/text must be a string"
    if graphemes(text) > MAX_GRAPHEMES:
        return f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes"
    if not isinstance(record.get("createdAt"), str):
        return "Record/createdAt must be a string"
    reply = record.get("reply")
    if reply is not None:
        for side in ("root", "parent"):
            ref = reply.get(side) or {}
            if ref.get("uri") not in state.records or state.records[ref["uri"]]["cid"] != ref.get("cid"):
                return f"Record/reply/{side} does not reference an existing post"
    embed = record.get("embed")
    if embed is not None:
        if embed.get("$type") != "app.bsky.embed.images":
            return "Record/embed: this sandbox takes app.bsky.embed.images only"
        images = embed.get("images") or []
        if len(images) > 4:
            return "Record/embed/images must not have more than 4 elements"
        for image in images:
            ref = ((image.get("image") or {}).get("ref") or {}).get("$link")
            blob = state.blobs.get((user["did"], ref))  # each repo holds its own blobs
            if blob is None:
                return "Record/embed/images/image: blob not found"
            if blob["size"] > MAX_IMAGE_BYTES:
                return f"Record/embed/images/image: blob is too large (max {MAX_IMAGE_BYTES} bytes)"
            if "alt" not in image:
                return "Record/embed/images/alt must be set"
    return ""


def get_record(state: State, req):
    repo, collection, rkey = req.arg("repo"), req.arg("collection"), req.arg("rkey")
    did = next((u["did"] for u in state.bluesky_users.values() if repo in (u["did"], u["handle"])), repo)
    uri = f"at://{did}/{collection}/{rkey}"
    record = state.records.get(uri)
    if record is None:
        return _error(400, "RecordNotFound", f"Could not locate record: {uri}")
    return _json(200, {"uri": uri, "cid": record["cid"], "value": record["value"]})


def get_posts(state: State, req):
    """app.bsky.feed.getPosts: the post views of up to 25 at:// uris; missing ones are left out."""
    def read(user):
        uris = req.query.get("uris", [])
        if len(uris) > 25:
            return _error(400, "InvalidRequest", "Error: Params must have at most 25 items for uris")
        return _json(200, {"posts": [_post_view(state, uri) for uri in uris if uri in state.records]})

    return _authorized(state, req, read)


def _post_view(state: State, uri: str) -> dict:
    record = state.records[uri]
    author = state.bluesky_users[uri.split("/")[2]]
    replies = sum(1 for r in state.records.values() if (r["value"].get("reply") or {}).get("parent", {}).get("uri") == uri)
    return {"uri": uri, "cid": record["cid"], "record": record["value"],
            "author": {"did": author["did"], "handle": author["handle"], "displayName": author["displayName"]},
            "indexedAt": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(record["indexedAt"])),
            "replyCount": replies, "repostCount": 0, "likeCount": 0, "quoteCount": 0, **state.counts.get(uri, {})}


def posts_of(state: State, did: str) -> list[dict]:
    return [r["value"] | {"uri": uri} for uri, r in state.records.items() if uri.startswith(f"at://{did}/")]


