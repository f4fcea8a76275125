"""The Facebook Pages stand-in, under /<version>/ as the Graph API is: Facebook Login's dialog
(/dialog/oauth, a consent page), the token exchange (code, then fb_exchange_token for a long-lived
token), /me, /me/accounts (the person's pages with their page tokens), a page, unpublished photo
uploads (with alt_text_custom), /feed posts (message, link, attached_media; the same message as
the page's last post answers 506 as Facebook does), video posts (POST /{page-id}/videos with a
file_url the sandbox really fetches over HTTP, or a `source` file; an unreachable file answers 389,
one that is not a video 352; the video is listed at once in GET /{page-id}/videos, its post
reaches /published_posts once "processed", after /_sandbox/facebook/config's video_processing
seconds), /published_posts, and posts' and videos' reactions, comments and shares (GET
/{post-id} or /?ids=, at most 50, with the counts a test set through /_sandbox/counts; a video has
no `shares` field, and asking for it fails the read as Graph does). Errors in Graph's shape
({"error": {message, type, code, error_subcode, is_transient, fbtrace_id}}), X-App-Usage and
X-Business-Use-Case-Usage on page calls, and a throttle (code 80001, with
estimated_time_to_regain_access) once a page spends its calls of the hour. appsecret_proof is
checked when the token came from an app whose secret the sandbox saw."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import json
import re
import secrets
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

from .state import State

SHORT_TTL = 2 * 3600
LONG_TTL = 60 * 86400
MAX_MESSAGE = 63206
MAX_IDS = 50  # ids in one ?ids= read
MAX_ALT_TEXT = 1000  # unverified: Meta names no limit for alt_text_custom; SocialHub's own is 1,000
TASKS = ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"]
_PREFIX = re.compile(r"^/v\d+\.\d+(/.*)$")


def handles(path: str) -> bool:
    return bool(_PREFIX.match(path))


def route(req):
    p, m = _PREFIX.match(req.path).group(1).rstrip("/"), req.method
    fixed = {
        ("GET", "/dialog/oauth"): (authorize_page, "facebook.oauth"),
        ("POST", "/dialog/oauth"): (authorize_decision, "facebook.oauth"),
        ("GET", "/oauth/access_token"): (access_token, "facebook.token"),
        ("GET", "/me"): (me, "facebook.me"),
        ("GET", "/me/accounts"): (accounts, "facebook.accounts"),
    }
    if (m, p) in fixed:
        return fixed[(m, p)]
    if m == "GET" and (p == "" or re.fullmatch(r"/\d+_\d+", p)):
        return (lambda s, r: post_counts(s, r, p.strip("/"))), "facebook.posts"
    node, _, edge = p.strip("/").partition("/")
    if not node.isdigit():
        return None, ""
    edges = {
        ("GET", ""): (page_or_video, "facebook.page"),
        ("POST", "photos"): (photos, "facebook.photos"),
        ("POST", "videos"): (create_video, "facebook.videos"),
        ("GET", "videos"): (page_videos, "facebook.page_videos"),
        ("POST", "feed"): (create_post, "facebook.feed"),
        ("GET", "feed"): (published_posts, "facebook.published_posts"),
        ("GET", "published_posts"): (published_posts, "facebook.published_posts"),
    }
    handler, name = edges.get((m, edge), (None, ""))
    return ((lambda s, r: handler(s, r, node)), name) if handler else (None, "")


def error(status: int, code: int, message: str, *, subcode: int | None = None, transient: bool = False,
          kind: str = "OAuthException", headers: dict | None = None):
    from .server import json_response

    body = {"message": message, "type": kind, "code": code, "is_transient": transient,
            "fbtrace_id": secrets.token_urlsafe(8)}
    if subcode:
        body["error_subcode"] = subcode
    return json_response(status, {"error": body}, headers)


def fault_response(fault: dict):
    """A queued fault for a facebook.* route: {"status": 503} (code 2, transient), {"code": 4}
    or 32/613/80001 (throttled, with usage headers; "regain_in" minutes), {"code": 190} (expired)."""
    from .server import json_response

    status, code = int(fault.get("status") or 400), int(fault.get("code") or 0)
    if "body" in fault:
        return json_response(status, fault["body"])
    if code in (4, 17, 32, 613, 80001):
        minutes = int(fault.get("regain_in", 5))
        return error(status, code, "(#%d) Application request limit reached" % code, transient=True,
                     headers=usage_headers("0", 100, minutes))
    if code == 190:
        return error(status, 190, "Error validating access token: Session has expired.", subcode=463)
    if status >= 500:
        return error(status, 2, "An unexpected error has occurred. Please retry your request later.", transient=True)
    return error(status, code or 100, fault.get("message") or "Invalid parameter", kind="FacebookApiException")


def usage_headers(page_id: str, percent: int, regain_minutes: int = 0) -> dict[str, str]:
    usage = {"call_count": percent, "total_cputime": max(1, percent // 4), "total_time": max(1, percent // 3)}
    return {
        "X-App-Usage": json.dumps(usage),
        "X-Business-Use-Case-Usage": json.dumps({page_id: [{"type": "pages", **usage,
                                                            "estimated_time_to_regain_access": regain_minutes}]}),
    }


def _json(data, status: int = 200, headers: dict | None = None):
    from .server import json_response

    return json_response(status, data, headers)


# --- Facebook Login

def authorize_page(state: State, req):
    from .server import html_response

    if not req.arg("client_id") or not req.arg("redirect_uri"):
        return html_response("<h1>Bad request</h1><p>client_id and redirect_uri are required.</p>", 400)
    fields = "".join(f'<input type="hidden" name="{k}" value="{html.escape(req.arg(k))}">'
                     for k in ("client_id", "redirect_uri", "scope", "state"))
    return html_response(f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Log in with Facebook - Facebook sandbox</title></head><body>
<p role="status"><strong>Facebook sandbox</strong>: a local stand-in, not facebook.com.</p>
<h1>SocialHub is requesting access to</h1><p>{html.escape(req.arg('scope'))}</p>
<form method="post">{fields}
<label for="name">Continue as</label> <input id="name" name="name" value="Alice Example" required>
<button type="submit" name="decision" value="allow">Continue</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form></body></html>""")


def authorize_decision(state: State, req):
    from .server import redirect

    form = {k: v[0] for k, v in req.form().items() if v}
    redirect_uri = form.get("redirect_uri", "")
    query = {"state": form.get("state", "")}
    if form.get("decision") != "allow":
        query.update(error="access_denied", error_code="200", error_reason="user_denied",
                     error_description="Permissions error")
        return redirect(f"{redirect_uri}?{urlencode(query)}")
    user = state.facebook_user(form.get("name") or "Alice Example")
    code = secrets.token_urlsafe(24)
    with state.lock:
        state.fb_codes[code] = {"user_id": user["id"], "redirect_uri": redirect_uri, "client_id": form.get("client_id")}
    query["code"] = code
    return redirect(f"{redirect_uri}?{urlencode(query)}")


def access_token(state: State, req):
    client_id, secret = req.arg("client_id"), req.arg("client_secret")
    if not client_id or not secret:
        return error(400, 101, "Error validating application. Cannot get application info due to a system error.")
    if req.arg("grant_type") == "fb_exchange_token":
        grant = state.fb_tokens.get(req.arg("fb_exchange_token"))
        if grant is None or grant["kind"] != "user" or grant["expires"] <= time.time():
            return error(400, 190, "Error validating access token: The session is invalid.", subcode=467)
        token = state.facebook_token("user", grant["user_id"], ttl=LONG_TTL, secret=secret)
        return _json({"access_token": token, "token_type": "bearer", "expires_in": LONG_TTL})
    with state.lock:
        grant = state.fb_codes.pop(req.arg("code"), None)
    if grant is None or grant["redirect_uri"] != req.arg("redirect_uri") or grant["client_id"] != client_id:
        return error(400, 100, "Invalid verification code format.", subcode=36007)
    token = state.facebook_token("user", grant["user_id"], ttl=SHORT_TTL, secret=secret)
    return _json({"access_token": token, "token_type": "bearer", "expires_in": SHORT_TTL})


# --- reading and posting

def _grant(state: State, req):
    """(grant, None) for a good token with a right appsecret_proof, else (None, error answer)."""
    token = req.arg("access_token") or (req.form().get("access_token") or [""])[0]
    grant = state.fb_tokens.get(token)
    if grant is None:
        return None, error(400, 190, "Invalid OAuth access token - Cannot parse access token")
    if grant["expires"] and grant["expires"] <= time.time():
        return None, error(400, 190, "Error validating access token: Session has expired.", subcode=463)
    proof = req.arg("appsecret_proof") or (req.form().get("appsecret_proof") or [""])[0]
    if grant.get("secret") and proof and not hmac.compare_digest(
            proof, hmac.new(grant["secret"].encode(), token.encode(), hashlib.sha256).hexdigest()):
        return None, error(400, 100, "Invalid appsecret_proof provided in the API argument", kind="GraphMethodException")
    return grant, None


def _page_grant(state: State, req, page_id: str):
    """(grant, headers, None) for a page token of this page within its hourly calls, else an error."""
    grant, problem = _grant(state, req)
    if problem:
        return None, {}, problem
    if grant["kind"] != "page" or grant["page_id"] != page_id:
        if page_id not in state.fb_pages:
            return None, {}, error(404, 803, f"({page_id}) Some of the aliases you requested do not exist")
        return None, {}, error(403, 200, "(#200) The user hasn't authorized the application to perform this action")
    now = time.time()
    with state.lock:
        calls = [t for t in state.fb_calls.get(page_id, []) if t > now - 3600] + [now]
        state.fb_calls[page_id] = calls
        limit = state.fb_rate_limit
    percent = min(100, len(calls) * 100 // limit)
    if len(calls) > limit:
        regain = max(1, int((calls[0] + 3600 - now) // 60))
        return None, {}, error(400, 80001, "(#80001) There have been too many calls to this Page account. "
                                           "Wait a bit and try again.", transient=True,
                               headers=usage_headers(page_id, 100, regain))
    return grant, usage_headers(page_id, percent), None


def me(state: State, req):
    grant, problem = _grant(state, req)
    if problem:
        return problem
    if grant["kind"] == "page":
        found = state.fb_pages[grant["page_id"]]
        return _json({"id": found["id"], "name": found["name"]})
    user = state.fb_users[grant["user_id"]]
    return _json({"id": user["id"], "name": user["name"]})


def accounts(state: State, req):
    grant, problem = _grant(state, req)
    if problem:
        return problem
    if grant["kind"] != "user":
        return error(400, 100, "(#100) Tried accessing nonexisting field (accounts) on node type (Page)")
    user = state.fb_users[grant["user_id"]]
    data = []
    for page_id in user["pages"]:
        found = state.fb_pages[page_id]
        # A page token read with a long-lived user token does not expire (pages/access-tokens).
        ttl = 0 if grant["long"] else SHORT_TTL
        data.append({"id": page_id, "name": found["name"], "category": "Local business",
                     "access_token": state.facebook_token("page", user["id"], page_id=page_id, ttl=ttl,
                                                          secret=grant.get("secret", "")),
                     "tasks": list(found["tasks"].get(user["id"], TASKS))})
    return _json(_paged(req, data))


def page_or_video(state: State, req, node: str):
    """GET /{id}: a page, or a video (read as a post is, for its counts)."""
    return post_counts(state, req, node) if node in state.fb_videos else page(state, req, node)


def page(state: State, req, page_id: str):
    grant, headers, problem = _page_grant(state, req, page_id)
    if problem:
        return problem
    found = state.fb_pages[page_id]
    return _json({"id": page_id, "name": found["name"], **({"username": found["username"]} if found["username"] else {})},
                 headers=headers)


def photos(state: State, req, page_id: str):
    grant, headers, problem = _page_grant(state, req, page_id)
    if problem:
        return problem
    parts = req.multipart()
    source = parts.get("source")
    fields = {k: v.decode() for k, (v, kind) in parts.items() if kind is None}
    if source is None or not source[0]:
        return error(400, 324, "(#324) Requires upload file", kind="OAuthException")
    if not (source[0].startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8"))):
        return error(400, 324, "(#324) Missing or invalid image file", subcode=2069019)
    published = fields.get("published", "true") != "false"
    alt_text = fields.get("alt_text_custom", "")
    if len(alt_text) > MAX_ALT_TEXT:
        return error(400, 100, f"(#100) Param alt_text_custom must be at most {MAX_ALT_TEXT} characters long")
    photo_id = state.next_id()
    with state.lock:
        state.fb_photos[photo_id] = {"id": photo_id, "page_id": page_id, "published": published, "size": len(source[0]),
                                     "alt_text_custom": alt_text}
    if not published:
        return _json({"id": photo_id}, headers=headers)
    post_id = _store_post(state, page_id, fields.get("caption", ""), photos=[photo_id])
    return _json({"id": photo_id, "post_id": post_id}, headers=headers)


def create_post(state: State, req, page_id: str):
    grant, headers, problem = _page_grant(state, req, page_id)
    if problem:
        return problem
    form = {k: v[0] for k, v in req.form().items() if v}
    message = form.get("message", "")
    attached = [v for k, v in sorted(form.items()) if k.startswith("attached_media[")]
    if not message and not attached and not form.get("link"):
        return error(400, 100, "(#100) Param message must be non-empty or a link or attached_media must be given")
    if len(message) > MAX_MESSAGE:
        return error(400, 100, "(#100) Param message must be at most 63206 characters long")
    photo_ids = []
    for raw in attached:
        try:
            photo_id = str(json.loads(raw).get("media_fbid"))
        except (ValueError, AttributeError):
            photo_id = ""
        stored = state.fb_photos.get(photo_id)
        if stored is None or stored["page_id"] != page_id or stored["published"]:
            return error(400, 100, f"(#100) {photo_id} is not an unpublished photo of this Page")
        photo_ids.append(photo_id)
    with state.lock:
        last = max((p for p in state.fb_posts.values() if p["page_id"] == page_id),
                   key=lambda p: p["created"], default=None)
        if last and message and last["message"] == message:
            return error(400, 506, "Duplicate status message", subcode=1455006, kind="OAuthException")
        post_id = _store_post(state, page_id, message, photos=photo_ids, link=form.get("link", ""))
    return _json({"id": post_id}, headers=headers)


def create_video(state: State, req, page_id: str):
    """A video post: file_url (fetched here, as Facebook fetches it) or a `source` file, with its
    description. Answers {"id": video id}."""
    grant, headers, problem = _page_grant(state, req, page_id)
    if problem:
        return problem
    multipart = "multipart/form-data" in req.headers.get("Content-Type", "")
    parts = req.multipart() if multipart else {}
    form = ({k: v.decode() for k, (v, kind) in parts.items() if kind is None} if multipart
            else {k: v[0] for k, v in req.form().items() if v})
    description = form.get("description", "")
    if len(description) > MAX_MESSAGE:
        return error(400, 100, f"(#100) Param description must be at most {MAX_MESSAGE} characters long")
    if form.get("file_url") and "source" in parts:
        return error(400, 100, "(#100) Only one of file_url and source may be given")
    if form.get("file_url"):
        data = _fetch(form["file_url"])
        if data is None:
            return error(400, 389, "(#389) Unable to fetch video file from URL.", kind="OAuthException")
    elif "source" in parts:
        data = parts["source"][0]
    else:
        return error(400, 100, "(#100) Requires one of the params: file_url, source, upload_phase",
                     kind="GraphMethodException")
    if data[4:8] != b"ftyp":  # every MP4 (and QuickTime) file starts with its ftyp box
        return error(400, 352, "(#352) Sorry, the video file you selected is in a format that we don't support.")
    video_id = state.next_id()
    with state.lock:
        state.fb_videos[video_id] = {"id": video_id, "page_id": page_id, "description": description,
                                     "title": form.get("title", ""), "size": len(data), "created": time.time(),
                                     "published": form.get("published", "true") != "false",
                                     "post_id": f"{page_id}_{state.next_id()}"}
    return _json({"id": video_id}, headers=headers)


def _fetch(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (the sandbox fetches what it is told)
            return answer.read()
    except (urllib.error.URLError, OSError, ValueError):
        return None


def page_videos(state: State, req, page_id: str):
    """GET /{page-id}/videos: the page's own videos (type=uploaded, as the page's own are), newest first."""
    grant, headers, problem = _page_grant(state, req, page_id)
    if problem:
        return problem
    if req.arg("type") not in ("", "uploaded"):
        return _json(_paged(req, []), headers=headers)
    since = float(req.arg("since") or 0)
    mine = sorted((v for v in state.fb_videos.values() if v["page_id"] == page_id and v["created"] >= since),
                  key=lambda v: -v["created"])
    data = [{"id": v["id"], "created_time": _graph_time(v["created"]), "updated_time": _graph_time(v["created"]),
             **({"description": v["description"]} if v["description"] else {})} for v in mine]
    return _json(_paged(req, data), headers=headers)


def _video_posts(state: State, page_id: str) -> list[dict]:
    """The page's video posts that reached its feed: published videos, processed by now."""
    ready = time.time() - state.fb_video_processing
    return [{"id": v["post_id"], "page_id": page_id, "message": v["description"], "created": v["created"]}
            for v in state.fb_videos.values() if v["page_id"] == page_id and v["published"] and v["created"] <= ready]


def _store_post(state: State, page_id: str, message: str, *, photos: list[str], link: str = "") -> str:
    with state.lock:
        post_id = f"{page_id}_{state.next_id()}"
        for photo_id in photos:
            state.fb_photos[photo_id]["published"] = True
        state.fb_posts[post_id] = {"id": post_id, "page_id": page_id, "message": message, "link": link,
                                   "photos": photos, "created": time.time()}
        return post_id


def published_posts(state: State, req, page_id: str):
    grant, headers, problem = _page_grant(state, req, page_id)
    if problem:
        return problem
    since = float(req.arg("since") or 0)
    posts = [*state.fb_posts.values(), *_video_posts(state, page_id)]
    mine = sorted((p for p in posts if p["page_id"] == page_id and p["created"] >= since), key=lambda p: -p["created"])
    data = [{"id": p["id"], "created_time": _graph_time(p["created"]), **({"message": p["message"]} if p["message"] else {})}
            for p in mine]
    return _json(_paged(req, data), headers=headers)


def post_counts(state: State, req, node: str):
    """A post (GET /{post-id}) or several (GET /?ids=a,b) with reactions, comments and shares
    (summary counts; shares left out at none, as Graph does). A post that is gone: code 100 subcode
    33 alone, 803 among ids."""
    ids = [node] if node else [i for i in req.arg("ids").split(",") if i]
    if not ids:
        return error(400, 100, "(#100) Must specify ids", kind="GraphMethodException")
    if len(ids) > MAX_IDS:
        return error(400, 100, f"(#100) Too many IDs. Maximum: {MAX_IDS}.", kind="GraphMethodException")
    known = {**state.fb_posts, **state.fb_videos}
    missing = [i for i in ids if i not in known]
    if missing and node:
        return error(400, 100, f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded "
                               "due to missing permissions, or does not support this operation", subcode=33,
                     kind="GraphMethodException")
    if missing:
        return error(404, 803, f"(#803) Some of the aliases you requested do not exist: {','.join(missing)}")
    pages = {known[i]["page_id"] for i in ids}
    grant, headers, problem = _page_grant(state, req, pages.pop())
    if problem:
        return problem
    if pages:
        return error(403, 200, "(#200) The user hasn't authorized the application to perform this action")
    if "shares" in req.arg("fields").split(",") and any(i in state.fb_videos for i in ids):
        return error(400, 100, "(#100) Tried accessing nonexisting field (shares) on node type (Video)")
    found = {i: _post_counts(state, i) for i in ids}
    return _json(found[node] if node else found, headers=headers)


def _post_counts(state: State, post_id: str) -> dict:
    counts = {"reactions": 0, "comments": 0, "shares": 0, **state.counts.get(post_id, {})}
    body = {"id": post_id,
            "reactions": {"data": [], "summary": {"total_count": counts["reactions"]}},
            "comments": {"data": [], "summary": {"order": "ranked", "total_count": counts["comments"],
                                                 "can_comment": True}}}
    if counts["shares"] and post_id not in state.fb_videos:
        body["shares"] = {"count": counts["shares"]}
    return body


def _paged(req, data: list) -> dict:
    """Graph's cursor paging: `limit` items, paging.next while more remain."""
    limit = max(1, min(int(req.arg("limit") or 25), 100))
    start = int(req.arg("after") or 0)
    body = {"data": data[start:start + limit],
            "paging": {"cursors": {"before": str(start), "after": str(start + limit)}}}
    if start + limit < len(data):
        query = {k: v[0] for k, v in req.query.items()} | {"after": str(start + limit)}
        body["paging"]["next"] = f"{req.base_url}{req.path}?{urlencode(query)}"
    return body


def _graph_time(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
