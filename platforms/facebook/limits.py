"""Facebook Pages' rules: a post's text of 63,206 characters (the figure PLATFORMS.md gives,
unverified by Meta's own pages), no threads; photos (JPEG, PNG or GIF; Facebook asks for photos
under 4 MB, developers.facebook.com/docs/graph-api/reference/page/photos), or one video (MP4) alone:
a video post is its own call (POST /{page-id}/videos), so it cannot carry photos as well. Videos go
up to 1 GB, the limit of a video Facebook fetches from a URL (file_url) rather than one sent in
resumable chunks (video-api/guides/publishing)."""

from __future__ import annotations

import re

MAX_CHARACTERS = 63206
MAX_PHOTO_BYTES = 4 * 1024 * 1024
MAX_VIDEO_BYTES = 1024 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif")
VIDEO_TYPES = ("video/mp4",)
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
    videos = [f for f in files if f.kind == "video"]
    if videos:
        if len(files) > 1:
            return "Facebook takes a video alone: one video per post, without photos (send those in another post)"
        if videos[0].mime_type not in VIDEO_TYPES:
            return "Facebook Pages take MP4 videos here"
        return "Facebook takes videos up to 1 GB" if videos[0].size > MAX_VIDEO_BYTES else ""
    if any(f.kind not in ("image", "gif") or f.mime_type not in PHOTO_TYPES for f in files):
        return "Facebook Pages take photos here as JPEG, PNG or GIF (WebP is not sent there)"
    if any(f.size > MAX_PHOTO_BYTES for f in files):
        return "Facebook takes photos of at most 4 MB each"
    return ""


def first_link(text: str) -> str:
    """The first web address in the text: a text post with one becomes a link post (its preview)."""
    found = _URL.search(text or "")
    return found.group(0).rstrip(".,;:!?)") if found else ""
