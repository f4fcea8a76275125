"""Content-Security-Policy (django-csp) and Permissions-Policy on every answer.

Our own pages load scripts and styles only from /static/ (no inline code, no on* handlers), so
the policy in settings.CONTENT_SECURITY_POLICY allows 'self' and nothing inline. Forms may lead
to X (connecting an account redirects to X's consent page, and browsers check a form's redirects
against form-action): the origins of the X_* URL settings are added to form-action. The API docs
pages (Swagger UI, ReDoc) are third-party templates with an inline initializer script and
styles that their bundles inject at run time: under API_DOCS_PREFIXES each inline script is
allowed by its SHA-256 hash (computed from the page itself), inline styles are allowed and web
workers may come from blob: URLs (ReDoc). Nothing else is loosened there.
https://django-csp.readthedocs.io/en/latest/configuration.html
"""

import base64
import hashlib
import re
from urllib.parse import urlsplit

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings

INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def _script_hashes(html: bytes) -> list[str]:
    return [
        "'sha256-%s'" % base64.b64encode(hashlib.sha256(body).digest()).decode()
        for body in INLINE_SCRIPT.findall(html)
    ]


def _x_origins() -> list[str]:
    """X's origins, and LinkedIn's, Facebook's and Instagram's sign-in (their connect forms' redirects go there too). A Mastodon
    instance is typed in, so it cannot be listed: its connect flow leaves by a link instead."""
    urls = (settings.X_OAUTH2_AUTHORIZE_URL, settings.X_API_URL, settings.X_WEB_URL, settings.LINKEDIN_OIDC_URL,
            settings.FACEBOOK_DIALOG_URL, settings.INSTAGRAM_AUTH_URL)
    return sorted({f"{p.scheme}://{p.netloc}" for p in map(urlsplit, urls) if p.scheme and p.netloc})


class SecurityHeadersMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        response = super().process_response(request, response)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        parts.update = {**(parts.update or {}), "form-action": _x_origins()}
        if request.path.startswith(settings.API_DOCS_PREFIXES) and not response.streaming:
            docs = {
                "script-src": _script_hashes(response.content),
                "style-src": [UNSAFE_INLINE],
                "worker-src": ["blob:"],
            }
            parts.update = {**(parts.update or {}), **docs}
        return parts
