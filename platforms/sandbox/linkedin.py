"""The LinkedIn stand-in: OpenID Connect as allauth's openid_connect provider reads it (the
discovery document at /oauth/.well-known/openid-configuration, the consent page, the token endpoint
answering an RS256 id_token whose key is published at jwks_uri, /v2/userinfo), the pages a member
administers (organizationAcls, organizations), images (initializeUpload, then PUT), posts by a
member or by an organization the member administers (POST /rest/posts answers 201 with
x-restli-id; the same commentary again answers 422 DUPLICATE_POST naming the existing post) and
an author's posts. Requests without the LinkedIn-Version and Rest.li 2.0.0 headers are refused, as
LinkedIn does."""

from __future__ import annotations

import html
import json
import re
import secrets
import time
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from .state import State

TOKEN_TTL = 60 * 86400
ID_TOKEN_TTL = 3600
MAX_COMMENTARY = 3000
DUPLICATE_WINDOW = 24 * 3600
KEY_ID = "sandbox-key-1"
# What a token granted with these scopes may do (learn.microsoft.com/linkedin: organization access
# control by role; shares/posts-api).
ADMIN_SCOPES = {"r_organization_admin", "rw_organization_admin"}
ORGANIZATION_POSTING = "w_organization_social"
# The roles whose members may create a page's organic posts: ADMINISTRATOR ("post updates") and
# CONTENT_ADMINISTRATOR ("create and manage Page content, including updates").
POSTING_ROLES = ("ADMINISTRATOR", "CONTENT_ADMINISTRATOR")
ALL_SCOPES = ("openid", "profile", "w_member_social", ORGANIZATION_POSTING, "r_organization_admin")
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # one per sandbox process


def _json(status, data, headers=None):
    from .server import json_response

    return json_response(status, data, headers)


def _error(status: int, message: str, code: str = "", **extra):
    body = {"status": status, "serviceErrorCode": 100 if status != 401 else 65600, "message": message, **extra}
    if code:
        body["code"] = code
    return _json(status, body)


def route(req):
    p, m = req.path.rstrip("/"), req.method
    if (m, p) == ("GET", "/oauth/.well-known/openid-configuration"):
        return openid_configuration, "linkedin.discovery"
    if (m, p) == ("GET", "/oauth/openid/jwks"):
        return jwks, "linkedin.jwks"
    if (m, p) == ("GET", "/oauth/v2/authorization"):
        return authorize_page, "linkedin.oauth"
    if (m, p) == ("POST", "/oauth/v2/authorization"):
        return authorize_decision, "linkedin.oauth"
    if (m, p) == ("POST", "/oauth/v2/accessToken"):
        return access_token, "linkedin.token"
    if (m, p) == ("GET", "/v2/userinfo"):
        return userinfo, "linkedin.userinfo"
    if (m, p) == ("GET", "/rest/organizationAcls"):
        return organization_acls, "linkedin.organizationAcls"
    if m == "GET" and (match := re.fullmatch(r"/rest/organizations/(\d+)", p)):
        return (lambda s, r: organization(s, r, match.group(1))), "linkedin.organizations"
    if (m, p) == ("POST", "/rest/images") and req.arg("action") == "initializeUpload":
        return initialize_upload, "linkedin.images"
    if m == "PUT" and (match := re.fullmatch(r"/_li_upload/(\w+)", p)):
        return (lambda s, r: upload(s, r, match.group(1))), "linkedin.upload"
    if (m, p) == ("POST", "/rest/posts"):
        return create_post, "linkedin.posts"
    if (m, p) == ("GET", "/rest/posts"):
        return posts_by_author, "linkedin.posts_by_author"
    return None, ""


def handles(path: str) -> bool:
    return path.startswith(("/oauth/v2/", "/oauth/.well-known/", "/oauth/openid/", "/v2/userinfo", "/rest/",
                            "/_li_upload/"))


def issuer(req) -> str:
    return f"{req.base_url}/oauth"


def openid_configuration(state: State, req):
    """LinkedIn's discovery document's shape (www.linkedin.com/oauth/.well-known/openid-configuration)."""
    base = req.base_url
    return _json(200, {
        "issuer": issuer(req), "authorization_endpoint": f"{base}/oauth/v2/authorization",
        "token_endpoint": f"{base}/oauth/v2/accessToken", "userinfo_endpoint": f"{base}/v2/userinfo",
        "jwks_uri": f"{base}/oauth/openid/jwks", "response_types_supported": ["code"],
        "subject_types_supported": ["pairwise"], "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email"], "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "claims_supported": ["iss", "aud", "iat", "exp", "sub", "name", "given_name", "family_name", "picture",
                             "email", "email_verified", "locale"],
    })


def jwks(state: State, req):
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(_KEY.public_key()))
    return _json(200, {"keys": [{**public, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]})


def _id_token(req, *, client_id: str, member: dict) -> str:
    now = int(time.time())
    given, _, family = member["name"].partition(" ")
    claims = {"iss": issuer(req), "aud": client_id, "iat": now, "exp": now + ID_TOKEN_TTL, "sub": member["sub"],
              "name": member["name"], "given_name": given, "family_name": family, "email_verified": True,
              "locale": "en_US"}
    return jwt.encode(claims, _KEY, algorithm="RS256", headers={"kid": KEY_ID})


def authorize_page(state: State, req):
    from .server import html_response

    if not req.arg("client_id") or not req.arg("redirect_uri"):
        return html_response("<h1>Bad request</h1><p>client_id and redirect_uri are required.</p>", 400)
    fields = "".join(f'<input type="hidden" name="{k}" value="{html.escape(req.arg(k))}">'
                     for k in ("client_id", "redirect_uri", "scope", "state"))
    return html_response(f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Sign in with LinkedIn - LinkedIn sandbox</title></head><body>
<p role="status"><strong>LinkedIn sandbox</strong>: a local stand-in, not linkedin.com.</p>
<h1>SocialHub would like to</h1><p>{html.escape(req.arg('scope'))}</p>
<form method="post" action="/oauth/v2/authorization">{fields}
<label for="name">Sign in as</label> <input id="name" name="name" value="Alice Example" required>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form></body></html>""")


def authorize_decision(state: State, req):
    from .server import redirect

    form = req.form()
    redirect_uri = _one(form, "redirect_uri")
    query = {"state": _one(form, "state")}
    if _one(form, "decision") != "allow":
        query.update(error="user_cancelled_authorize", error_description="The user cancelled the authorization")
        return redirect(f"{redirect_uri}?{urlencode(query)}")
    member = state.linkedin_member(_one(form, "name") or "Alice Example")
    code = secrets.token_urlsafe(24)
    with state.lock:
        state.li_codes[code] = {"sub": member["sub"], "redirect_uri": redirect_uri, "scope": _one(form, "scope"),
                                "client_id": _one(form, "client_id")}
    query["code"] = code
    return redirect(f"{redirect_uri}?{urlencode(query)}")


def access_token(state: State, req):
    form = req.form()
    with state.lock:
        grant = state.li_codes.pop(_one(form, "code"), None)
    if not _one(form, "client_id") or not _one(form, "client_secret"):
        return _json(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
    if grant is None or grant["redirect_uri"] != _one(form, "redirect_uri") or grant["client_id"] != _one(form, "client_id"):
        return _json(400, {"error": "invalid_request", "error_description": "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired."})
    token = secrets.token_urlsafe(32)
    with state.lock:
        state.li_tokens[token] = {"sub": grant["sub"], "expires": time.time() + TOKEN_TTL,
                                  "scopes": set(grant["scope"].split())}
    answer = {"access_token": token, "expires_in": TOKEN_TTL, "scope": grant["scope"].replace(" ", ","),
              "token_type": "Bearer"}
    if "openid" in grant["scope"].split():
        answer["id_token"] = _id_token(req, client_id=grant["client_id"], member=state.li_members[grant["sub"]])
    return _json(200, answer)


def _member(state: State, req, *, versioned: bool = True):
    """(member, None) for a good token (and the REST headers), else (None, error response). The
    member carries the token's `scopes`."""
    if versioned and (not req.headers.get("LinkedIn-Version") or req.headers.get("X-Restli-Protocol-Version") != "2.0.0"):
        return None, _error(426, "A LinkedIn-Version header and X-Restli-Protocol-Version: 2.0.0 are required",
                            "VERSION_MISSING")
    auth = req.headers.get("Authorization", "")
    grant = state.li_tokens.get(auth.removeprefix("Bearer ").strip()) if auth.startswith("Bearer ") else None
    if grant is None or grant["expires"] <= time.time():
        return None, _error(401, "Invalid access token", "INVALID_ACCESS_TOKEN")
    return {**state.li_members[grant["sub"]], "scopes": grant["scopes"]}, None


def _may_act_as(state: State, member: dict, author: str, *, scope: str = "") -> bool:
    """The member themself, or an organization where their role may post, approved (with the
    scope that allows it)."""
    if author == f"urn:li:person:{member['sub']}":
        return True
    org = state.li_orgs.get(author.removeprefix("urn:li:organization:"))
    role, state_ = (org or {}).get("acl", {}).get(member["sub"], ("", ""))
    return bool(org and role in POSTING_ROLES and state_ == "APPROVED" and (not scope or scope in member["scopes"]))


def organization_acls(state: State, req):
    member, problem = _member(state, req)
    if problem:
        return problem
    if not ADMIN_SCOPES & member["scopes"]:
        return _error(403, "Not enough permissions to access: organizationAcls.FINDER-roleAssignee", "ACCESS_DENIED")
    if req.arg("q") != "roleAssignee":
        return _error(400, "q=roleAssignee is required", "QUERY_PARAM_NOT_ALLOWED")
    # role and state are optional filters of the roleAssignee finder: without them, every role in any state.
    role, wanted = req.arg("role"), req.arg("state")
    mine = sorted(((o, *o["acl"][member["sub"]]) for o in state.li_orgs.values() if member["sub"] in o["acl"]),
                  key=lambda found: int(found[0]["id"]))
    mine = [(o, r, s) for o, r, s in mine if (not role or r == role) and (not wanted or s == wanted)]
    start, count = int(req.arg("start", "0") or 0), min(int(req.arg("count", "10") or 10), 100)
    elements = [{"roleAssignee": f"urn:li:person:{member['sub']}", "role": r, "state": s,
                 "organization": f"urn:li:organization:{o['id']}"} for o, r, s in mine[start:start + count]]
    return _json(200, {"elements": elements, "paging": {"start": start, "count": count, "links": [], "total": len(mine)}})


def organization(state: State, req, org_id: str):
    member, problem = _member(state, req)
    if problem:
        return problem
    org = state.li_orgs.get(org_id)
    if org is None:
        return _error(404, f"Organization {org_id} not found", "NOT_FOUND")
    return _json(200, {"id": int(org["id"]), "localizedName": org["name"], "vanityName": org["vanity"],
                       "name": {"localized": {"en_US": org["name"]}, "preferredLocale": {"country": "US", "language": "en"}}})


def userinfo(state: State, req):
    member, problem = _member(state, req, versioned=False)
    if problem:
        return problem
    given, _, family = member["name"].partition(" ")
    return _json(200, {"sub": member["sub"], "name": member["name"], "given_name": given, "family_name": family,
                       "picture": f"{req.base_url}/media/{member['sub']}.png", "locale": {"country": "US", "language": "en"},
                       "email_verified": True})


def initialize_upload(state: State, req):
    member, problem = _member(state, req)
    if problem:
        return problem
    owner = ((req.json().get("initializeUploadRequest") or {}).get("owner")) or ""
    if not _may_act_as(state, member, owner, scope=ORGANIZATION_POSTING):
        return _error(403, "Not enough permissions to access: owner", "ACCESS_DENIED")
    image_id = "D" + secrets.token_hex(8)
    with state.lock:
        state.li_images[image_id] = {"owner": owner, "uploaded": False, "size": 0}
    return _json(200, {"value": {"uploadUrlExpiresAt": int((time.time() + 3600) * 1000),
                                 "uploadUrl": f"{req.base_url}/_li_upload/{image_id}",
                                 "image": f"urn:li:image:{image_id}"}})


def upload(state: State, req, image_id: str):
    image = state.li_images.get(image_id)
    if image is None:
        return _error(404, "Upload URL not found")
    with state.lock:
        image.update(uploaded=True, size=len(req.body))
    return _json(201, {})


def create_post(state: State, req):
    member, problem = _member(state, req)
    if problem:
        return problem
    body = req.json()
    author = str(body.get("author") or "")
    commentary = body.get("commentary")
    if not _may_act_as(state, member, author, scope=ORGANIZATION_POSTING):
        return _error(403, f"Not enough permissions to post as {author}", "ACCESS_DENIED")
    if not isinstance(commentary, str) or body.get("lifecycleState") != "PUBLISHED" or not body.get("distribution"):
        return _error(422, "/commentary, /distribution and /lifecycleState are required", "UNPROCESSABLE_ENTITY")
    if len(commentary) > MAX_COMMENTARY:
        return _error(422, f"/commentary :: length of {len(commentary)} exceeds the maximum allowed {MAX_COMMENTARY}",
                      "UNPROCESSABLE_ENTITY")
    content = body.get("content") or {}
    images = [content["media"]] if "media" in content else list((content.get("multiImage") or {}).get("images") or [])
    for image in images:
        stored = state.li_images.get(str(image.get("id", "")).removeprefix("urn:li:image:"))
        if stored is None or not stored["uploaded"] or stored["owner"] != author:
            return _error(422, f"/content/media/id :: {image.get('id')} is not an uploaded image", "UNPROCESSABLE_ENTITY")
    now = time.time()
    with state.lock:
        for post in state.li_posts.values():
            if post["author"] == author and post["commentary"] == commentary and post["created"] > now - DUPLICATE_WINDOW:
                return _error(422, f"Content is a duplicate of {post['id']}", errorDetailType="com.linkedin.common.error.BadRequest",
                              errorDetails={"inputErrors": [{"description": "Duplicate post is detected", "input": {},
                                                             "code": "DUPLICATE_POST"}]})
        urn = f"urn:li:share:{state.next_id()}"
        state.li_posts[urn] = {"id": urn, "author": author, "commentary": commentary, "created": now,
                               "content": content or None}
    from .server import Response

    return Response(201, b"", headers={"x-restli-id": urn, "x-linkedin-id": urn})


def posts_by_author(state: State, req):
    member, problem = _member(state, req)
    if problem:
        return problem
    author = req.arg("author")
    if req.arg("q") != "author" or not _may_act_as(state, member, author):
        return _error(403, "Not enough permissions to read these posts", "ACCESS_DENIED")
    count = min(int(req.arg("count", "10") or 10), 100)
    mine = sorted((p for p in state.li_posts.values() if p["author"] == author), key=lambda p: -p["created"])
    elements = [{"id": p["id"], "author": p["author"], "commentary": p["commentary"], "visibility": "PUBLIC",
                 "lifecycleState": "PUBLISHED", "createdAt": int(p["created"] * 1000),
                 "lastModifiedAt": int(p["created"] * 1000), **({"content": p["content"]} if p["content"] else {})}
                for p in mine[:count]]
    return _json(200, {"elements": elements, "paging": {"start": 0, "count": count, "links": []}})


def _one(form: dict, name: str) -> str:
    values = form.get(name) or []
    return str(values[0]) if values else ""
