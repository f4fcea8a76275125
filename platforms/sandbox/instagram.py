"""The Instagram stand-in (Instagram Login and the Graph API under /ig/): a consent page
(/ig/www/oauth/authorize), the code for a short-lived token (/ig/api/oauth/access_token), that
for a 60-day one (ig_exchange_token) and its refresh (ig_refresh_token) under /ig/graph, then
/ig/graph/<version>/: /me, media containers that really fetch their image_url or video_url over
HTTP (an unreachable or non-JPEG file is refused as Instagram refuses it), status_code
(IN_PROGRESS for a video's first look, then FINISHED; EXPIRED after 24 hours; PUBLISHED),
media_publish (once per container; the 24-hour quota of content_publishing_limit), the account's
media and one media's fields (like_count and comments_count: the counts a test set through
/_sandbox/counts). Errors in the Graph shape {"error": {message, type, code,
error_subcode, is_transient, fbtrace_id}}."""

from __future__ import annotations

import html
import json
import re
import secrets
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from urllib.parse import urlencode

from .state import State

TOKEN_TTL = 60 * 86400
SHORT_TTL = 3600
CONTAINER_TTL = 24 * 3600
MAX_CAPTION = 2200
JPEG = b"\xff\xd8\xff"


def _json(status, data, headers=None):
    from .server import json_response

    return json_response(status, data, headers)


def graph_error(status: int, message: str, code: int, subcode: int | None = None, *, transient: bool = False,
                user_message: str = ""):
    body = {"message": message, "type": "OAuthException", "code": code, "is_transient": transient,
            "fbtrace_id": secrets.token_urlsafe(8)}
    if subcode:
        body["error_subcode"] = subcode
    if user_message:
        body["error_user_msg"] = user_message
    return _json(status, {"error": body})


def fault_body(status: int) -> dict:
    """A forced error in Graph's shape: 429 as code 4, anything else as a transient code 2."""
    if status == 429:
        return {"error": {"message": "Application request limit reached", "type": "OAuthException", "code": 4,
                          "is_transient": True, "fbtrace_id": "sandbox"}}
    return {"error": {"message": "An unexpected error has occurred. Please retry your request later.",
                      "type": "OAuthException", "code": 2, "is_transient": True, "fbtrace_id": "sandbox"}}


def usage_headers(minutes: int) -> dict[str, str]:
    return {"X-Business-Use-Case-Usage": json.dumps({"sandbox": [
        {"type": "instagram", "call_count": 100, "total_cputime": 10, "total_time": 10,
         "estimated_time_to_regain_access": minutes}]})}


def handles(path: str) -> bool:
    return path.startswith("/ig/")


def route(req):
    p, m = req.path.rstrip("/"), req.method
    table = {
        ("GET", "/ig/www/oauth/authorize"): (authorize_page, "instagram.oauth"),
        ("POST", "/ig/www/oauth/authorize"): (authorize_decision, "instagram.oauth"),
        ("POST", "/ig/api/oauth/access_token"): (short_token, "instagram.token"),
        ("GET", "/ig/graph/access_token"): (long_token, "instagram.token"),
        ("GET", "/ig/graph/refresh_access_token"): (refresh_token, "instagram.refresh"),
    }
    if (m, p) in table:
        return table[(m, p)]
    match = re.fullmatch(r"/ig/graph/v[\d.]+/(\w+)(?:/(\w+))?", p)
    if not match:
        return None, ""
    node, edge = match.groups()
    if node == "me" and m == "GET" and not edge:
        return me, "instagram.me"
    if edge == "media" and m == "POST":
        return (lambda s, r: create_container(s, r, node)), "instagram.media"
    if edge == "media" and m == "GET":
        return (lambda s, r: list_media(s, r, node)), "instagram.list_media"
    if edge == "media_publish" and m == "POST":
        return (lambda s, r: media_publish(s, r, node)), "instagram.media_publish"
    if edge == "content_publishing_limit" and m == "GET":
        return (lambda s, r: publishing_limit(s, r, node)), "instagram.content_publishing_limit"
    if not edge and m == "GET":
        return (lambda s, r: get_node(s, r, node)), "instagram.container"
    return None, ""


# --- control (POST /_sandbox/instagram/...)

def control(state: State, req, path: str):
    body = req.json()
    if path == "users" and req.method == "POST":
        user = state.instagram_user(body.get("username") or "alice.studio")
        token = _new_token(state, user["user_id"], TOKEN_TTL)
        return _json(200, {**user, "token": token, "expires_in": TOKEN_TTL})
    if path == "media" and req.method == "GET":
        return _json(200, list(state.ig_media.values()))
    if path == "containers" and req.method == "GET":
        return _json(200, list(state.ig_containers.values()))
    if path == "config" and req.method == "POST":
        with state.lock:
            state.ig_quota = int(body.get("quota_total", state.ig_quota))
        return _json(200, {"quota_total": state.ig_quota})
    if path == "expire" and req.method == "POST":  # every token ends now (an expired or revoked grant)
        with state.lock:
            for grant in state.ig_tokens.values():
                grant["expires"] = time.time() - 1
        return _json(200, {"expired": len(state.ig_tokens)})
    return None


# --- OAuth

def authorize_page(state: State, req):
    from .server import html_response

    if not req.arg("client_id") or not req.arg("redirect_uri"):
        return html_response("<h1>Bad request</h1><p>client_id and redirect_uri are required.</p>", 400)
    fields = "".join(f'<input type="hidden" name="{k}" value="{html.escape(req.arg(k))}">'
                     for k in ("client_id", "redirect_uri", "scope", "state"))
    return html_response(f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Log in with Instagram - Instagram sandbox</title></head><body>
<p role="status"><strong>Instagram sandbox</strong>: a local stand-in, not instagram.com.</p>
<h1>SocialHub would like to</h1><p>{html.escape(req.arg('scope'))}</p>
<form method="post" action="/ig/www/oauth/authorize">{fields}
<label for="username">Professional account</label> <input id="username" name="username" value="alice.studio" required>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form></body></html>""")


def authorize_decision(state: State, req):
    from .server import redirect

    form = req.form()
    redirect_uri = _one(form, "redirect_uri")
    query = {"state": _one(form, "state")}
    if _one(form, "decision") != "allow":
        query.update(error="access_denied", error_reason="user_denied", error_description="Permissions error")
        return redirect(f"{redirect_uri}?{urlencode(query)}")
    user = state.instagram_user(_one(form, "username") or "alice.studio")
    code = secrets.token_urlsafe(24)
    with state.lock:
        state.ig_codes[code] = {"user_id": user["user_id"], "redirect_uri": redirect_uri, "scope": _one(form, "scope")}
    query["code"] = code
    return redirect(f"{redirect_uri}?{urlencode(query)}#_")


def short_token(state: State, req):
    form = req.form()
    with state.lock:
        grant = state.ig_codes.pop(_one(form, "code"), None)
    if not _one(form, "client_id") or not _one(form, "client_secret"):
        return _json(400, {"error_type": "OAuthException", "code": 400, "error_message": "Invalid client_secret"})
    if grant is None or grant["redirect_uri"] != _one(form, "redirect_uri"):
        return _json(400, {"error_type": "OAuthException", "code": 400,
                           "error_message": "Error validating verification code. Please make sure your redirect_uri "
                                            "is identical to the one you used in the OAuth dialog request"})
    token = _new_token(state, grant["user_id"], SHORT_TTL)
    return _json(200, {"data": [{"access_token": token, "user_id": grant["user_id"], "permissions": grant["scope"]}]})


def long_token(state: State, req):
    if req.arg("grant_type") != "ig_exchange_token" or not req.arg("client_secret"):
        return graph_error(400, "Unsupported grant_type or missing client_secret", 100)
    grant, problem = _grant(state, req)
    if problem:
        return problem
    token = _new_token(state, grant["user_id"], TOKEN_TTL)
    return _json(200, {"access_token": token, "token_type": "bearer", "expires_in": TOKEN_TTL})


def refresh_token(state: State, req):
    if req.arg("grant_type") != "ig_refresh_token":
        return graph_error(400, "Unsupported grant_type", 100)
    grant, problem = _grant(state, req)
    if problem:
        return problem
    token = _new_token(state, grant["user_id"], TOKEN_TTL)
    with state.lock:
        state.ig_refreshes += 1
    return _json(200, {"access_token": token, "token_type": "bearer", "expires_in": TOKEN_TTL})


def _new_token(state: State, user_id: str, ttl: int) -> str:
    token = "IGAA" + secrets.token_urlsafe(32)
    with state.lock:
        state.ig_tokens[token] = {"user_id": user_id, "expires": time.time() + ttl}
    return token


def _grant(state: State, req):
    """(grant, None) for a live access_token (query or form), else (None, Graph's error 190)."""
    token = req.arg("access_token") or _one(req.form(), "access_token")
    grant = state.ig_tokens.get(token)
    if grant is None:
        return None, graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
    if grant["expires"] <= time.time():
        return None, graph_error(400, "Error validating access token: Session has expired.", 190, 463)
    return grant, None


def _owner(state: State, req, user_id: str):
    grant, problem = _grant(state, req)
    if problem:
        return problem
    if grant["user_id"] != user_id:
        return graph_error(400, f"Unsupported request - object with ID '{user_id}' does not exist, cannot be loaded "
                                "due to missing permissions, or does not support this operation", 100, 33)
    return None


# --- Graph

def me(state: State, req):
    grant, problem = _grant(state, req)
    if problem:
        return problem
    user = state.ig_users[grant["user_id"]]
    return _json(200, {"id": user["app_scoped_id"], "user_id": user["user_id"], "username": user["username"],
                       "name": user["name"], "account_type": "BUSINESS"})


def create_container(state: State, req, user_id: str):
    if problem := _owner(state, req, user_id):
        return problem
    form = {k: v[0] for k, v in req.form().items() if v}
    caption = form.get("caption", "")
    if len(caption) > MAX_CAPTION:
        return graph_error(400, "Invalid parameter", 100, 2207010, user_message="The caption is too long.")
    kind = form.get("media_type", "IMAGE")
    children = []
    if kind == "CAROUSEL":
        children = [c for c in form.get("children", "").split(",") if c]
        known = [state.ig_containers.get(c) for c in children]
        if not 2 <= len(children) <= 10 or not all(c and c["user_id"] == user_id and c["carousel_item"] for c in known):
            return graph_error(400, "Invalid parameter", 100, 2207016,
                               user_message="A carousel takes 2 to 10 items created with is_carousel_item.")
    else:
        url = form.get("video_url" if kind == "REELS" else "image_url", "")
        if not url:
            return graph_error(400, "The parameter image_url is required", 100)
        refused = _fetch(url, video=kind == "REELS")
        if refused:
            return refused
    container_id = state.next_id()
    with state.lock:
        state.ig_containers[container_id] = {
            "id": container_id, "user_id": user_id, "media_type": kind, "caption": caption, "children": children,
            "carousel_item": form.get("is_carousel_item") == "true", "created": time.time(),
            "status_code": "IN_PROGRESS" if kind == "REELS" else "FINISHED", "looks": 0, "media_id": "",
            "url": form.get("image_url") or form.get("video_url") or "", "alt_text": form.get("alt_text", ""),
        }
    return _json(200, {"id": container_id})


def _fetch(url: str, *, video: bool):
    """Fetch the file as Instagram does; its error when it cannot (2207052) or the file is not JPEG."""
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (the sandbox fetches what it is told)
            head = answer.read()
    except (urllib.error.URLError, OSError, ValueError):
        return graph_error(400, "Media download has failed. The media URI doesn't meet our requirements.", 9004,
                           2207052, user_message="The media could not be fetched from this URI: " + url.split("?")[0])
    if not video and not head.startswith(JPEG):
        return graph_error(400, "Only photo or video can be accepted as media type.", 9004, 2207005,
                           user_message="The image format is not supported. Only JPEG images are supported.")
    return None


def _status(container: dict) -> str:
    if container["status_code"] != "PUBLISHED" and time.time() - container["created"] > CONTAINER_TTL:
        return "EXPIRED"
    return container["status_code"]


def get_node(state: State, req, node: str):
    grant, problem = _grant(state, req)
    if problem:
        return problem
    with state.lock:
        container, media = state.ig_containers.get(node), state.ig_media.get(node)
        if container and container["user_id"] == grant["user_id"]:
            if container["status_code"] == "IN_PROGRESS":  # a video is ready at the second look
                container["looks"] += 1
                if container["looks"] >= 2:
                    container["status_code"] = "FINISHED"
            return _json(200, {"id": node, "status_code": _status(container), "status": _status(container)})
    if media and media["user_id"] == grant["user_id"]:
        return _json(200, _media_json(state, media))
    return graph_error(400, f"Unsupported get request. Object with ID '{node}' does not exist", 100, 33)


def media_publish(state: State, req, user_id: str):
    if problem := _owner(state, req, user_id):
        return problem
    creation_id = req.arg("creation_id") or _one(req.form(), "creation_id")
    now = time.time()
    with state.lock:
        container = state.ig_containers.get(creation_id)
        if container is None or container["user_id"] != user_id or container["carousel_item"]:
            return graph_error(400, "Media ID is not available", 9007, 2207006,
                               user_message="The media was not found: create the container again.")
        status = _status(container)
        if status == "PUBLISHED":
            return graph_error(400, "Media ID is not available", 9007, 2207006,
                               user_message="This container has already been published.")
        if status == "EXPIRED":
            return graph_error(400, "Media ID is not available", 9007, 2207008,
                               user_message="The container expired: create it again.")
        if status != "FINISHED":
            return graph_error(400, "Media ID is not available", 9007, 2207027,
                               user_message="The media is not ready for publishing, please wait for a moment.")
        if _used(state, user_id, now) >= state.ig_quota:
            return graph_error(400, "Application request limit reached", 9, 2207042,
                               user_message="The maximum number of posts that can be published in a 24 hour period "
                                            "has been reached.")
        media_id = state.next_id()
        container.update(status_code="PUBLISHED", media_id=media_id)
        state.ig_media[media_id] = {
            "id": media_id, "user_id": user_id, "caption": container["caption"], "created": now,
            "media_type": container["media_type"], "container_id": creation_id,
            "children": [state.ig_containers[c]["url"] for c in container["children"]] or [container["url"]],
        }
    return _json(200, {"id": media_id})


def _used(state: State, user_id: str, now: float) -> int:
    return sum(1 for m in state.ig_media.values() if m["user_id"] == user_id and m["created"] > now - 86400)


def publishing_limit(state: State, req, user_id: str):
    if problem := _owner(state, req, user_id):
        return problem
    return _json(200, {"data": [{"quota_usage": _used(state, user_id, time.time()),
                                 "config": {"quota_total": state.ig_quota, "quota_duration": 86400}}]})


def list_media(state: State, req, user_id: str):
    if problem := _owner(state, req, user_id):
        return problem
    limit = min(int(req.arg("limit", "25") or 25), 100)
    mine = sorted((m for m in state.ig_media.values() if m["user_id"] == user_id), key=lambda m: -m["created"])
    return _json(200, {"data": [_media_json(state, m) for m in mine[:limit]], "paging": {}})


def _media_json(state: State, media: dict) -> dict:
    stamp = datetime.fromtimestamp(media["created"], tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
    return {"id": media["id"], "caption": media["caption"], "timestamp": stamp, "media_type": media["media_type"],
            "permalink": f"https://www.instagram.test/p/{media['id']}/",
            "like_count": 0, "comments_count": 0, **state.counts.get(media["id"], {})}


def _one(form: dict, name: str) -> str:
    values = form.get(name) or []
    return str(values[0]) if values else ""
