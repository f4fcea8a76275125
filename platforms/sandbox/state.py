"""Everything the Mastodon and Bluesky sandbox remembers, behind one lock."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import random
import secrets
import threading
import time
from collections import deque


def cid_for(data: bytes) -> str:
    """A real CIDv1 (dag-cbor, sha2-256) in base32, as a PDS gives records and blobs."""
    raw = bytes([0x01, 0x71, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def jwt(claims: dict) -> str:
    """An unsigned-looking JWT: atproto reads its `exp`, the sandbox checks it by lookup."""
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    return f"{part({'typ': 'at+jwt', 'alg': 'HS256'})}.{part(claims)}.{secrets.token_urlsafe(16)}"


CREATES = frozenset({"mastodon.statuses", "bluesky.createRecord", "linkedin.posts", "facebook.feed",
                     "facebook.videos", "instagram.media_publish"})


class State:
    ACCESS_TTL = 2 * 3600  # a PDS's access JWTs last about two hours

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.bluesky_issuer = ""  # the entryway's address (start_sandbox sets it; a reset keeps it)
        self.reset()

    def reset(self) -> None:
        with getattr(self, "lock", threading.RLock()):
            self.faults: dict[str, deque] = {}
            # Random faults on the routes that create posts: {"fail_rate", "lose_rate", "seed"}.
            self.chaos: dict = {}
            self.injected: dict[str, int] = {"failed": 0, "lost": 0}  # random faults dealt so far
            self.random = random.Random(0)
            # Engagement set by tests (POST /_sandbox/counts): status id or at:// uri -> {count name: n}
            self.counts: dict[str, dict[str, int]] = {}
            # Mastodon
            self.ids = itertools.count(int(time.time() * 1000) << 16)
            self.apps: dict[str, dict] = {}  # client_id -> app
            self.codes: dict[str, dict] = {}  # code -> {client_id, user_id, scope, redirect_uri}
            self.tokens: dict[str, dict] = {}  # access token -> {user_id, scope, client_id}
            self.mastodon_users: dict[str, dict] = {}  # id -> user
            self.statuses: dict[str, dict] = {}  # id -> status
            self.idempotency: dict[tuple[str, str], tuple[str, float]] = {}  # (user, key) -> (status id, at)
            self.media: dict[str, dict] = {}
            self.max_characters = 500
            self.mastodon_rate_limit = 300
            self.mastodon_calls: dict[str, list[float]] = {}
            # Bluesky
            self.bluesky_users: dict[str, dict] = {}  # did -> user
            self.sessions: dict[str, dict] = {}  # access jwt -> {did, exp}
            self.refresh_tokens: dict[str, str] = {}  # refresh jwt -> did
            self.records: dict[str, dict] = {}  # at uri -> {cid, value, indexedAt}
            self.blobs: dict[tuple[str, str], dict] = {}  # (did, cid) -> {mimeType, size}
            self.logins: list[float] = []
            self.refreshes = 0  # refreshSession calls answered
            self.access_ttl = self.ACCESS_TTL
            # Bluesky OAuth (bluesky_oauth.py)
            self.oauth_clients: dict[str, dict] = {}  # client_id -> its metadata document
            self.par_requests: dict[str, dict] = {}  # request_uri -> the pushed request
            self.oauth_codes: dict[str, dict] = {}
            self.oauth_refresh: dict[str, dict] = {}  # refresh token -> {did, client_id, jkt, scope}
            self.oauth_refreshes = 0  # refresh_token grants asked for
            self.dpop_nonce = secrets.token_urlsafe(16)
            self.dpop_jtis: set[str] = set()
            self.nonce_refusals = 0  # use_dpop_nonce answers given
            # LinkedIn
            self.li_members: dict[str, dict] = {}  # sub -> member
            self.li_codes: dict[str, dict] = {}
            self.li_tokens: dict[str, dict] = {}  # token -> {sub, expires}
            self.li_images: dict[str, dict] = {}
            self.li_posts: dict[str, dict] = {}  # urn -> post
            self.li_orgs: dict[str, dict] = {}  # id -> {id, name, vanity, acl: {sub: (role, state)}}
            # Facebook
            self.fb_users: dict[str, dict] = {}  # id -> {id, name, pages: [page ids]}
            self.fb_pages: dict[str, dict] = {}  # id -> {id, name, username, tasks: {user id: [tasks]}}
            self.fb_codes: dict[str, dict] = {}
            self.fb_tokens: dict[str, dict] = {}  # token -> {kind, user_id, page_id, expires, long, secret}
            self.fb_photos: dict[str, dict] = {}
            self.fb_posts: dict[str, dict] = {}  # "{page}_{post}" -> post
            self.fb_videos: dict[str, dict] = {}  # video id -> video (its post reaches the feed once processed)
            self.fb_video_processing = 0.0  # seconds before a video's post is in the page's feed
            self.fb_calls: dict[str, list[float]] = {}  # page id -> call times in the last hour
            self.fb_rate_limit = 4800  # calls per page an hour
            # Instagram
            self.ig_users: dict[str, dict] = {}  # user_id -> user
            self.ig_codes: dict[str, dict] = {}
            self.ig_tokens: dict[str, dict] = {}  # token -> {user_id, expires}
            self.ig_containers: dict[str, dict] = {}  # container id -> container
            self.ig_media: dict[str, dict] = {}  # media id -> published media
            self.ig_quota = 100  # posts per 24 hours (content_publishing_limit's quota_total)
            self.ig_refreshes = 0

    # --- faults

    def add_fault(self, fault: dict) -> None:
        with self.lock:
            times = int(fault.get("times", 1))
            self.faults.setdefault(str(fault.get("route", "")), deque()).extend([fault] * times)

    def take_fault(self, route: str) -> dict | None:
        """A queued fault for this route, else (on a route that creates posts) a random one."""
        with self.lock:
            queue = self.faults.get(route)
            if queue:
                return queue.popleft()
            if route in CREATES and self.chaos:
                draw = self.random.random()
                if draw < self.chaos.get("fail_rate", 0):
                    self.injected["failed"] += 1
                    return {"status": 503}
                if draw < self.chaos.get("fail_rate", 0) + self.chaos.get("lose_rate", 0):
                    self.injected["lost"] += 1
                    return {"lose_answer": True}
            return None

    def set_chaos(self, settings: dict) -> None:
        with self.lock:
            self.chaos = {k: float(settings.get(k, 0)) for k in ("fail_rate", "lose_rate")}
            self.random = random.Random(int(settings.get("seed", 0)))

    # --- Mastodon

    def mastodon_user(self, username: str) -> dict:
        with self.lock:
            for user in self.mastodon_users.values():
                if user["username"] == username:
                    return dict(user)
            user_id = str(next(self.ids))
            token = secrets.token_urlsafe(24)
            user = {"id": user_id, "username": username, "display_name": username.title(), "token": token}
            self.mastodon_users[user_id] = user
            self.tokens[token] = {"user_id": user_id, "scope": "read write", "client_id": ""}
            return dict(user)

    def next_id(self) -> str:
        with self.lock:
            return str(next(self.ids))

    # --- LinkedIn

    def linkedin_member(self, name: str) -> dict:
        with self.lock:
            for member in self.li_members.values():
                if member["name"] == name:
                    return dict(member)
            member = {"sub": secrets.token_urlsafe(8).replace("-", "x").replace("_", "y"), "name": name}
            self.li_members[member["sub"]] = member
            return dict(member)

    def linkedin_organization(self, name: str, admins: list[str], roles: list[dict] | None = None) -> dict:
        """A page administered by these members (by name; each is made if new), and other members'
        roles on it ({"name", "role", "state"}: CONTENT_ADMINISTRATOR, ANALYST, ..., REQUESTED, ...)."""
        with self.lock:
            given = [(admin, "ADMINISTRATOR", "APPROVED") for admin in admins]
            given += [(r["name"], r.get("role") or "ADMINISTRATOR", r.get("state") or "APPROVED") for r in roles or []]
            acl = {self.linkedin_member(who)["sub"]: (role, state) for who, role, state in given}
            org = next((o for o in self.li_orgs.values() if o["name"] == name), None)
            if org is None:
                org_id = str(1000 + len(self.li_orgs) + 1)
                org = {"id": org_id, "name": name, "vanity": name.lower().replace(" ", "-"), "acl": {}}
                self.li_orgs[org_id] = org
            org["acl"].update(acl)
            return {**{k: v for k, v in org.items() if k != "acl"}, "admins": sorted(
                sub for sub, (role, state) in org["acl"].items() if (role, state) == ("ADMINISTRATOR", "APPROVED"))}

    # --- Facebook

    def facebook_user(self, name: str, pages: list[str] | None = None) -> dict:
        """The person named so (made with two pages, or the pages named, the first time)."""
        with self.lock:
            for user in self.fb_users.values():
                if user["name"] == name:
                    return dict(user)
            user = {"id": self.next_id(), "name": name, "pages": []}
            for page_name in pages or [f"{name.split()[0]}'s Bakery", f"{name.split()[0]}'s Garden"]:
                page_id = self.next_id()
                self.fb_pages[page_id] = {"id": page_id, "name": page_name, "username": "", "tasks": {}}
                user["pages"].append(page_id)
            self.fb_users[user["id"]] = user
            return dict(user)

    def facebook_token(self, kind: str, user_id: str, *, page_id: str = "", ttl: int = 0, secret: str = "") -> str:
        """A new token; ttl 0 never expires (a page token read with a long-lived user token)."""
        token = "EAA" + secrets.token_urlsafe(32)
        with self.lock:
            self.fb_tokens[token] = {"kind": kind, "user_id": user_id, "page_id": page_id, "secret": secret,
                                     "expires": time.time() + ttl if ttl else 0, "long": ttl > 86400}
        return token

    # --- Instagram

    def instagram_user(self, username: str) -> dict:
        with self.lock:
            for user in self.ig_users.values():
                if user["username"] == username:
                    return dict(user)
            user = {"user_id": "1784" + str(next(self.ids))[-11:], "app_scoped_id": str(next(self.ids)),
                    "username": username, "name": username.split(".")[0].title()}
            self.ig_users[user["user_id"]] = user
            return dict(user)

    # --- Bluesky

    def bluesky_user(self, handle: str, app_password: str) -> dict:
        with self.lock:
            for user in self.bluesky_users.values():
                if user["handle"] == handle:
                    user["app_password"] = app_password
                    return dict(user)
            did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
            user = {"did": did, "handle": handle, "displayName": handle.split(".")[0].title(),
                    "app_password": app_password}
            self.bluesky_users[did] = user
            return dict(user)

    def new_session(self, did: str) -> tuple[str, str]:
        with self.lock:
            now = int(time.time())
            access = jwt({"scope": "com.atproto.appPass", "sub": did, "iat": now, "exp": now + self.access_ttl,
                          "aud": "did:web:sandbox"})
            refresh = jwt({"scope": "com.atproto.refresh", "sub": did, "iat": now, "exp": now + 90 * 86400,
                           "jti": secrets.token_urlsafe(8)})
            self.sessions[access] = {"did": did, "exp": now + self.access_ttl}
            self.refresh_tokens[refresh] = did
            return access, refresh

    def new_oauth_session(self, did: str, *, jkt: str, client_id: str, scope: str) -> tuple[str, str]:
        """DPoP-bound tokens: the access token works only with proofs by the key `jkt` names."""
        with self.lock:
            now = int(time.time())
            access = jwt({"scope": scope, "sub": did, "iat": now, "exp": now + self.access_ttl,
                          "aud": "did:web:sandbox", "cnf": {"jkt": jkt}, "client_id": client_id})
            refresh = "ref-" + secrets.token_hex(24)
            self.sessions[access] = {"did": did, "exp": now + self.access_ttl, "jkt": jkt}
            self.oauth_refresh[refresh] = {"did": did, "client_id": client_id, "jkt": jkt, "scope": scope}
            return access, refresh

