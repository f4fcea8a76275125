"""Facebook Pages' rules: a post's text of 63,206 characters (the figure PLATFORMS.md gives,
unverified by Meta's own pages), no threads, photos only (JPEG, PNG or GIF; Facebook asks for
photos under 4 MB, developers.facebook.com/docs/graph-api/reference/page/photos). Videos go
through /{page-id}/videos with publish_video, which SocialHub does not send yet."""

from __future__ import annotations

import re

MAX_CHARACTERS = 63206
MAX_PHOTO_BYTES = 4 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif")
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


def length(text: str) -> int:
    return len(text or "")


def problem(text: str) -> str:
    used = length(text)
    if used > MAX_CHARACTERS:
        return f"Too long for Facebook: {used:,} characters, Facebook allows {MAX_CHARACTERS:,}"
    return ""


def media_problem(files) -> str:
    files = list(files)
    if any(f.kind not in ("image", "gif") or f.mime_type not in PHOTO_TYPES for f in files):
        return "Facebook Pages take photos here (JPEG, PNG or GIF): SocialHub does not send videos there yet"
    if any(f.size > MAX_PHOTO_BYTES for f in files):
        return "Facebook takes photos of at most 4 MB each"
    return ""


def first_link(text: str) -> str:
    """The first web address in the text: a text post with one becomes a link post (its preview)."""
    found = _URL.search(text or "")
    return found.group(0).rstrip(".,;:!?)") if found else ""
