"""The Mastodon stand-in: app registration, OAuth (consent page), accounts, statuses with
Idempotency-Key, media (200 when processed, 202 while processing), the instance's limits, and
X-RateLimit-* headers. Shapes follow mastodon/documentation content/en/entities and methods."""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
import time
from urllib.parse import urlencode

from platforms.text import graphemes

from .state import State

WINDOW = 300  # 300 requests per 5 minutes (content/en/api/rate-limits.md)
IDEMPOTENCY_TTL = 3600
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


def rate_headers(remaining: int, reset_epoch: float, limit: int = 300) -> dict[str, str]:
    reset = dt.datetime.fromtimestamp(reset_epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(remaining, 0)), "X-RateLimit-Reset": reset}


def _json(status, data, headers=None):
    from .server import json_response

    return json_response(status, data, headers)


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def route(req):
    """(handler, route name) for a Mastodon path, or (None, "")."""
    p, m = req.path.rstrip("/") or "/", req.method
    table = {
        ("GET", "/api/v1/instance"): (instance_v1, "mastodon.instance"),
        ("GET", "/api/v2/instance"): (instance_v2, "mastodon.instance"),
        ("GET", "/.well-known/oauth-authorization-server"): (oauth_info, "mastodon.oauth"),
        ("POST", "/api/v1/apps"): (create_app, "mastodon.apps"),
        ("GET", "/oauth/authorize"): (authorize_page, "mastodon.oauth"),
        ("POST", "/oauth/authorize"): (authorize_decision, "mastodon.oauth"),
        ("POST", "/oauth/token"): (token, "mastodon.token"),
        ("POST", "/oauth/revoke"): (revoke, "mastodon.revoke"),
        ("GET", "/api/v1/accounts/verify_credentials"): (verify_credentials, "mastodon.verify_credentials"),
        ("POST", "/api/v1/statuses"): (create_status, "mastodon.statuses"),
        ("POST", "/api/v2/media"): (create_media, "mastodon.media"),
    }
    if (m, p) in table:
        return table[(m, p)]
    if m == "GET" and (match := re.fullmatch(r"/api/v1/statuses/(\d+)", p)):
        return (lambda s, r: get_status(s, r, match.group(1))), "mastodon.status"
    if m == "GET" and (match := re.fullmatch(r"/api/v1/media/(\d+)", p)):
        return (lambda s, r: get_media(s, r, match.group(1))), "mastodon.media_status"
    if m == "GET" and (match := re.fullmatch(r"/api/v1/accounts/(\d+)/statuses", p)):
        return (lambda s, r: account_statuses(s, r, match.group(1))), "mastodon.account_statuses"
    return None, ""


# --- Instance and OAuth -------------------------------------------------------------------


def instance_v1(state: State, req):
    host = req.base_url.split("://", 1)[1]
    return _json(200, {"uri": host, "title": "Mastodon sandbox", "version": "4.3.0", "api_versions": {"mastodon": 2},
                       "short_description": "",
                       "description": "A local stand-in for a Mastodon server.", "email": "", "urls": {},
                       "stats": {"user_count": len(state.mastodon_users), "status_count": len(state.statuses),
                                 "domain_count": 1},
                       "languages": ["en"], "registrations": False, "approval_required": False,
                       "invites_enabled": False, "configuration": _configuration(state), "rules": []})


def _configuration(state: State) -> dict:
    return {
        "urls": {},
        "accounts": {"max_featured_tags": 10},
        "statuses": {"max_characters": state.max_characters, "max_media_attachments": 4,
                     "characters_reserved_per_url": 23},
        "media_attachments": {"supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"],
                              "image_size_limit": 16777216, "image_matrix_limit": 33177600,
                              "video_size_limit": 103809024, "video_frame_rate_limit": 120,
                              "video_matrix_limit": 8294400},
        "polls": {"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2629746},
    }


def instance_v2(state: State, req):
    host = req.base_url.split("://", 1)[1]
    return _json(200, {"domain": host, "title": "Mastodon sandbox", "version": "4.3.0", "api_versions": {"mastodon": 2},
                       "source_url": "https://github.com/mastodon/mastodon", "description": "A local stand-in.",
                       "usage": {"users": {"active_month": len(state.mastodon_users)}},
                       "thumbnail": {"url": f"{req.base_url}/favicon.png"}, "languages": ["en"],
                       "configuration": _configuration(state),
                       "registrations": {"enabled": False, "approval_required": False, "message": None},
                       "contact": {"email": "", "account": None}, "rules": []})


def oauth_info(state: State, req):
    base = req.base_url
    return _json(200, {"issuer": base + "/", "authorization_endpoint": f"{base}/oauth/authorize",
                       "token_endpoint": f"{base}/oauth/token", "revocation_endpoint": f"{base}/oauth/revoke",
                       "scopes_supported": ["read", "write", "write:statuses", "write:media", "read:accounts", "profile"],
                       "response_types_supported": ["code"], "response_modes_supported": ["query", "fragment", "form_post"],
                       "code_challenge_methods_supported": ["S256"],
                       "grant_types_supported": ["authorization_code", "client_credentials"],
                       "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]})


def create_app(state: State, req):
    form = req.form()
    name, redirect_uris = _one(form, "client_name"), _one(form, "redirect_uris")
    if not name or not redirect_uris:
        return _json(422, {"error": "Validation failed: Application name can't be blank, Redirect URI can't be blank"})
    app = {"id": state.next_id(), "name": name, "website": _one(form, "website") or None,
           "scopes": (_one(form, "scopes") or "read").split(), "redirect_uri": redirect_uris,
           "redirect_uris": redirect_uris.split(), "client_id": secrets.token_urlsafe(32),
           "client_secret": secrets.token_urlsafe(32), "vapid_key": "sandbox-vapid-key"}
    with state.lock:
        state.apps[app["client_id"]] = app
    return _json(200, app)


def authorize_page(state: State, req):
    from .server import html_response

    app = state.apps.get(req.arg("client_id"))
    if app is None or req.arg("redirect_uri") not in app["redirect_uris"]:
        return html_response("<h1>Client authentication failed</h1><p>Unknown client or redirect URI.</p>", 400)
    fields = "".join(f'<input type="hidden" name="{k}" value="{html.escape(req.arg(k))}">'
                     for k in ("client_id", "redirect_uri", "scope", "state"))
    return html_response(f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Authorize {html.escape(app['name'])} - Mastodon sandbox</title></head><body>
<p role="status"><strong>Mastodon sandbox</strong>: a local stand-in, not a real server.</p>
<h1>Authorize {html.escape(app['name'])}</h1>
<p>It asks for: {html.escape(req.arg('scope'))}</p>
<form method="post" action="/oauth/authorize">{fields}
<label for="username">Sign in as</label> <input id="username" name="username" value="alice" required>
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>""")


def authorize_decision(state: State, req):
    from .server import redirect

    form = req.form()
    app = state.apps.get(_one(form, "client_id"))
    redirect_uri = _one(form, "redirect_uri")
    if app is None or redirect_uri not in app["redirect_uris"]:
        return _json(400, {"error": "invalid_client"})
    query = {"state": _one(form, "state")} if _one(form, "state") else {}
    if _one(form, "decision") != "approve":
        query.update(error="access_denied", error_description="The resource owner or authorization server denied the request.")
        return redirect(f"{redirect_uri}?{urlencode(query)}")
    user = state.mastodon_user(_one(form, "username") or "alice")
    code = secrets.token_urlsafe(24)
    with state.lock:
        state.codes[code] = {"client_id": app["client_id"], "user_id": user["id"],
                             "scope": _one(form, "scope") or "read", "redirect_uri": redirect_uri}
    query["code"] = code
    return redirect(f"{redirect_uri}?{urlencode(query)}")


def token(state: State, req):
    form = req.form()
    app = state.apps.get(_one(form, "client_id"))
    if app is None or _one(form, "client_secret") != app["client_secret"]:
        return _json(401, {"error": "invalid_client", "error_description": "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."})
    with state.lock:
        grant = state.codes.pop(_one(form, "code"), None)
    if _one(form, "grant_type") != "authorization_code" or not grant or grant["client_id"] != app["client_id"] \
            or grant["redirect_uri"] != _one(form, "redirect_uri"):
        return _json(400, {"error": "invalid_grant", "error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."})
    access = secrets.token_urlsafe(32)
    with state.lock:
        state.tokens[access] = {"user_id": grant["user_id"], "scope": grant["scope"], "client_id": app["client_id"]}
    return _json(200, {"access_token": access, "token_type": "Bearer", "scope": grant["scope"],
                       "created_at": int(time.time())})


def revoke(state: State, req):
    form = req.form()
    app = state.apps.get(_one(form, "client_id"))
    if app is None or _one(form, "client_secret") != app["client_secret"]:
        return _json(403, {"error": "unauthorized_client"})
    with state.lock:
        state.tokens.pop(_one(form, "token"), None)
    return _json(200, {})


# --- Authenticated API ---------------------------------------------------------------------


def _authorized(state: State, req, handler):
    """Checks the bearer token and the rate limit, then runs handler(user) with the headers added."""
    auth = req.headers.get("Authorization", "")
    grant = state.tokens.get(auth.removeprefix("Bearer ").strip()) if auth.startswith("Bearer ") else None
    if grant is None:
        return _json(401, {"error": "The access token is invalid"})
    user = state.mastodon_users[grant["user_id"]]
    now = time.time()
    with state.lock:
        calls = [t for t in state.mastodon_calls.get(user["id"], []) if t > now - WINDOW]
        calls.append(now)
        state.mastodon_calls[user["id"]] = calls
        limit = state.mastodon_rate_limit
    reset = (calls[0] + WINDOW) if calls else now + WINDOW
    headers = rate_headers(limit - len(calls), reset, limit)
    if len(calls) > limit:
        return _json(429, {"error": "Too many requests"}, headers)
    response = handler(user)
    response.headers.update(headers)
    return response


def account_json(user: dict, base_url: str, *, own: bool = False) -> dict:
    host = base_url.split("://", 1)[1]
    data = {"id": user["id"], "username": user["username"], "acct": user["username"],
            "display_name": user["display_name"], "locked": False, "bot": False, "discoverable": True,
            "group": False, "created_at": "2026-01-01T00:00:00.000Z", "note": "", "url": f"{base_url}/@{user['username']}",
            "uri": f"{base_url}/users/{user['username']}", "avatar": f"{base_url}/avatars/original/missing.png",
            "avatar_static": f"{base_url}/avatars/original/missing.png", "header": f"{base_url}/headers/original/missing.png",
            "header_static": f"{base_url}/headers/original/missing.png", "followers_count": 0, "following_count": 0,
            "statuses_count": 0, "last_status_at": None, "emojis": [], "fields": []}
    if own:
        data["source"] = {"privacy": "public", "sensitive": False, "language": "en", "note": "", "fields": [],
                          "follow_requests_count": 0}
    data["fqn"] = f"{user['username']}@{host}"
    return data


def verify_credentials(state: State, req):
    return _authorized(state, req, lambda user: _json(200, account_json(user, req.base_url, own=True)))


def to_html(text: str) -> str:
    """Plain text as Mastodon renders it: escaped, links shortened for display (the rest kept in
    invisible spans), paragraphs in <p>, single line breaks as <br />."""
    def link(match: re.Match) -> str:
        url = match.group(0)
        scheme, _, rest = url.partition("://")
        shown, hidden = rest[:30], rest[30:]
        ellipsis = "ellipsis" if hidden else ""
        return (f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" translate="no">'
                f'<span class="invisible">{scheme}://</span><span class="{ellipsis}">{html.escape(shown)}</span>'
                f'<span class="invisible">{html.escape(hidden)}</span></a>')

    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        pieces, last = [], 0
        for match in _URL.finditer(paragraph):
            pieces += [html.escape(paragraph[last:match.start()]), link(match)]
            last = match.end()
        pieces.append(html.escape(paragraph[last:]))
        paragraphs.append("<p>" + "".join(pieces).replace("\n", "<br />") + "</p>")
    return "".join(paragraphs)


def status_json(state: State, status: dict, base_url: str) -> dict:
    user = state.mastodon_users[status["account_id"]]
    return {"id": status["id"], "created_at": _iso(status["created"]), "edited_at": None,
            "in_reply_to_id": status["in_reply_to_id"],
            "in_reply_to_account_id": status["account_id"] if status["in_reply_to_id"] else None,
            "sensitive": False, "spoiler_text": "", "visibility": status["visibility"], "language": "en",
            "uri": f"{base_url}/users/{user['username']}/statuses/{status['id']}",
            "url": f"{base_url}/@{user['username']}/{status['id']}", **counts(state, status),
            "favourited": False, "reblogged": False, "muted": False, "bookmarked": False,
            "pinned": False, "content": to_html(status["text"]), "filtered": [], "reblog": None,
            "application": {"name": status["application"], "website": None},
            "account": account_json(user, base_url),
            "media_attachments": [media_json(state.media[m], base_url) for m in status["media_ids"]],
            "mentions": [], "tags": [], "emojis": [], "card": None, "poll": None}


def counts(state: State, status: dict) -> dict[str, int]:
    """replies_count from the statuses replying to it, the rest (and any) as a test set them."""
    replies = sum(1 for s in state.statuses.values() if s["in_reply_to_id"] == status["id"])
    return {"replies_count": replies, "reblogs_count": 0, "favourites_count": 0, **state.counts.get(status["id"], {})}


VISIBILITIES = ("public", "unlisted", "private", "direct")


def create_status(state: State, req):
    def create(user):
        form = req.form()
        key = req.headers.get("Idempotency-Key", "")
        now = time.time()
        with state.lock:
            if key and (user["id"], key) in state.idempotency:
                status_id, at = state.idempotency[(user["id"], key)]
                if at > now - IDEMPOTENCY_TTL:  # the same status again, not a second one
                    return _json(200, status_json(state, state.statuses[status_id], req.base_url))
        text = _one(form, "status")
        media_ids = [str(m) for m in (form.get("media_ids[]") or form.get("media_ids") or []) if m]
        reply_to = _one(form, "in_reply_to_id") or None
        if not text.strip() and not media_ids:
            return _json(422, {"error": "Validation failed: Text can't be blank"})
        counted = _URL.sub("x" * 23, text)
        if graphemes(counted) > state.max_characters:
            return _json(422, {"error": f"Validation failed: Text character limit of {state.max_characters} exceeded"})
        if len(media_ids) > 4:
            return _json(422, {"error": "Validation failed: Media attachments cannot be more than 4"})
        for media_id in media_ids:
            media = state.media.get(media_id)
            if media is None or media["account_id"] != user["id"]:
                return _json(422, {"error": "Validation failed: Media attachments are invalid"})
            if not media["processed"]:
                return _json(422, {"error": "Cannot attach files that have not finished processing. Try again in a moment!"})
        if reply_to and reply_to not in state.statuses:
            return _json(404, {"error": "Record not found"})
        if (_one(form, "visibility") or "public") not in VISIBILITIES:
            return _json(422, {"error": "Validation failed: Visibility is not included in the list"})
        grant = state.tokens[req.headers.get("Authorization", "").removeprefix("Bearer ").strip()]
        app = state.apps.get(grant["client_id"], {}).get("name", "Web")
        status = {"id": state.next_id(), "account_id": user["id"], "text": text, "media_ids": media_ids,
                  "in_reply_to_id": reply_to, "visibility": _one(form, "visibility") or "public",
                  "created": now, "application": app}
        with state.lock:
            state.statuses[status["id"]] = status
            if key:
                state.idempotency[(user["id"], key)] = (status["id"], now)
        return _json(200, status_json(state, status, req.base_url))

    return _authorized(state, req, create)


def get_status(state: State, req, status_id: str):
    status = state.statuses.get(status_id)
    if status is None:
        return _json(404, {"error": "Record not found"})
    return _json(200, status_json(state, status, req.base_url))


def account_statuses(state: State, req, account_id: str):
    def read(user):
        if account_id not in state.mastodon_users:
            return _json(404, {"error": "Record not found"})
        limit = min(int(req.arg("limit", "20") or 20), 40)
        mine = [s for s in state.statuses.values() if s["account_id"] == account_id]
        mine.sort(key=lambda s: int(s["id"]), reverse=True)
        return _json(200, [status_json(state, s, req.base_url) for s in mine[:limit]])

    return _authorized(state, req, read)


def media_json(media: dict, base_url: str) -> dict:
    url = f"{base_url}/system/media_attachments/{media['id']}" if media["processed"] else None
    return {"id": media["id"], "type": "video" if media["mime_type"].startswith("video/") else "image",
            "url": url, "preview_url": url, "remote_url": None, "text_url": None, "meta": {},
            "description": media["description"] or None, "blurhash": None}


def create_media(state: State, req):
    def upload(user):
        parts = req.multipart()
        content, mime_type = parts.get("file", (b"", None))
        if not content or mime_type is None:
            return _json(422, {"error": "Validation failed: File can't be blank"})
        description = parts.get("description", (b"", None))[0].decode(errors="replace")
        # Images are processed at once (200); videos take a poll or two (202, then 206, then 200).
        video = mime_type.startswith("video/")
        media = {"id": state.next_id(), "account_id": user["id"], "mime_type": mime_type, "size": len(content),
                 "description": description, "processed": not video, "polls_left": 1 if video else 0}
        with state.lock:
            state.media[media["id"]] = media
        return _json(202 if video else 200, media_json(media, req.base_url))

    return _authorized(state, req, upload)


def get_media(state: State, req, media_id: str):
    def read(user):
        media = state.media.get(media_id)
        if media is None or media["account_id"] != user["id"]:
            return _json(404, {"error": "Record not found"})
        with state.lock:
            if not media["processed"]:
                if media["polls_left"] > 0:
                    media["polls_left"] -= 1
                    return _json(206, media_json(media, req.base_url))
                media["processed"] = True
        return _json(200, media_json(media, req.base_url))

    return _authorized(state, req, read)


def _one(form: dict, name: str) -> str:
    values = form.get(name) or []
    return str(values[0]) if values else ""
