"""LinkedIn's REST API with plain requests (its SDKs are stale; signing in is allauth's, see
connect.py): the versioned API (LinkedIn-Version header, Rest.li protocol 2.0.0) for the pages a
member administers, posts and images, and one error mapping. Every URL comes from settings.

Facts (learn.microsoft.com/en-us/linkedin/): shares/posts-api (POST /rest/posts answers 201 with
the post's URN in x-restli-id), shares/images-api (initializeUpload, then PUT the file),
organizations/organization-access-control-by-role (organizationAcls?q=roleAssignee),
shared/authentication (60-day tokens, refresh tokens for approved partners only), error handling
({status, serviceErrorCode, message}; 422 DUPLICATE_POST names the existing post).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils import timezone

from socials.publishers import PublishError

from .. import common

log = logging.getLogger(__name__)

_URN = re.compile(r"urn:li:(?:share|ugcPost):\d+")
ORGANIZATION = "urn:li:organization:"
# Page roles that may create the page's organic posts (organizations/organization-access-control-by-role):
# ADMINISTRATOR ("post updates") and CONTENT_ADMINISTRATOR ("create and manage Page content, including
# updates"). Not DIRECT_SPONSORED_CONTENT_POSTER (sponsored content, which SocialHub does not make),
# RECRUITING_POSTER (jobs), ANALYST, CURATOR, LEAD_CAPTURE_ADMINISTRATOR or LEAD_GEN_FORMS_MANAGER.
POSTING_ROLES = frozenset({"ADMINISTRATOR", "CONTENT_ADMINISTRATOR"})
PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    """An organization page the member administers."""

    id: str
    name: str
    vanity: str = ""

    @property
    def urn(self) -> str:
        return f"{ORGANIZATION}{self.id}"


class LinkedIn:
    """One member's calls. Raises PublishError (see `error`)."""

    def __init__(self, access_token: str, *, account=None, timeout: float | None = None):
        self.account = account
        self.timeout = timeout or settings.LINKEDIN_TIMEOUT
        self.session = requests.Session()
        self.session.headers.update({
            "Authorization": f"Bearer {access_token}",
            "LinkedIn-Version": settings.LINKEDIN_VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
        })

    def _call(self, method: str, path: str, *, doing: str, sent: bool = False, **kwargs) -> requests.Response:
        url = path if path.startswith("http") else f"{settings.LINKEDIN_API_URL}{path}"
        try:
            answer = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise common.retry("timeout", f"LinkedIn did not answer while {doing}", outcome_unknown=sent) from exc
        except requests.RequestException as exc:
            raise common.retry("connection", f"LinkedIn could not be reached while {doing}",
                               outcome_unknown=sent) from exc
        if answer.status_code >= 400:
            raise error(answer, doing=doing, sent=sent, account=self.account)
        return answer

    def userinfo(self) -> dict:
        return self._call("GET", "/v2/userinfo", doing="reading the member's profile").json()

    def administered_pages(self) -> list[Page]:
        """The organization pages the member may post to (a POSTING_ROLES role, approved), with their
        names. One read of every approved role (the finder's `role` filter takes one role only)."""
        ids, start = [], 0
        while True:
            answer = self._call("GET", "/rest/organizationAcls", doing="listing the pages you administer", params={
                "q": "roleAssignee", "state": "APPROVED", "start": start, "count": PAGE_SIZE,
            }).json()
            elements = answer.get("elements") or []
            ids += [urn.rsplit(":", 1)[1] for e in elements
                    if (urn := str(e.get("organization") or "")).startswith(ORGANIZATION)
                    and e.get("role") in POSTING_ROLES and e.get("state") == "APPROVED"]
            start += len(elements)
            if len(elements) < PAGE_SIZE or start >= int((answer.get("paging") or {}).get("total") or 0):
                break
        return [self.page(org_id) for org_id in dict.fromkeys(ids)]

    def page(self, org_id: str) -> Page:
        org = self._call("GET", f"/rest/organizations/{org_id}", doing="reading a page's name").json()
        return Page(id=str(org_id), name=str(org.get("localizedName") or org_id), vanity=str(org.get("vanityName") or ""))

    def upload_image(self, owner: str, data: bytes) -> str:
        """initializeUpload, then PUT the whole file to the URL LinkedIn gives. Returns the image URN."""
        answer = self._call("POST", "/rest/images?action=initializeUpload", doing="starting an image upload",
                            json={"initializeUploadRequest": {"owner": owner}}).json()
        value = answer.get("value") or {}
        self._call("PUT", value["uploadUrl"], doing="uploading an image", data=data)
        return str(value["image"])

    def create_post(self, *, author: str, commentary: str, images: list[dict]) -> str:
        """POST /rest/posts; the new post's URN from the x-restli-id header."""
        body = {
            "author": author, "commentary": commentary, "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False,
        }
        if len(images) == 1:
            body["content"] = {"media": images[0]}
        elif images:
            body["content"] = {"multiImage": {"images": images}}
        answer = self._call("POST", "/rest/posts", doing="posting", sent=True, json=body)
        urn = answer.headers.get("x-restli-id") or answer.headers.get("x-linkedin-id") or ""
        if not urn:
            raise common.retry("server", "LinkedIn answered without the new post's id", outcome_unknown=True)
        return urn

    def posts_by(self, author: str, *, count: int = 50) -> list[dict]:
        """The author's newest posts (GET /rest/posts?q=author), newest first."""
        answer = self._call("GET", "/rest/posts", doing="reading the member's posts",
                            params={"q": "author", "author": author, "count": count, "sortBy": "LAST_MODIFIED"})
        return list(answer.json().get("elements") or [])


def error(answer: requests.Response, *, doing: str, sent: bool = False, account=None) -> PublishError:
    """LinkedIn's {status, serviceErrorCode, message} as the engine's kinds."""
    try:
        body = answer.json()
    except ValueError:
        body = {}
    message = str(body.get("message") or answer.reason or "")
    status = answer.status_code
    codes = [str(e.get("code")) for e in (body.get("errorDetails") or {}).get("inputErrors") or [] if isinstance(e, dict)]
    if status == 401:
        from .accounts import reconnect

        return reconnect(account, "LinkedIn no longer accepts SocialHub's access: reconnect the account")
    if status == 429:
        # LinkedIn's daily limits reset at midnight UTC and the answer names no time.
        midnight = (timezone.now() + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return common.wait_until(f"LinkedIn's daily limit: waiting until {midnight:%Y-%m-%d %H:%M} UTC", midnight)
    if status == 422 and "DUPLICATE_POST" in codes:
        found = _URN.search(message)
        return PublishError("duplicate", "LinkedIn already has this post", permanent=True,
                            details={"existing": found.group(0) if found else ""})
    if status >= 500:
        return common.retry("server", f"LinkedIn failed ({status}) while {doing}", outcome_unknown=sent)
    if status == 403:
        return common.permanent("forbidden", f"LinkedIn refused it ({message}): the connection may lack a permission")
    return common.permanent("bad_request", f"LinkedIn refused it: {message or status}")
