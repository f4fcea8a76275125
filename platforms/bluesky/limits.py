"""Bluesky's limits (bluesky-social/atproto, lexicons/app/bsky/feed/post.json and
embed/images.json): text at most 300 graphemes (3,000 bytes), at most 4 images of at most
2,000,000 bytes each, with alt text."""

from __future__ import annotations

from ..text import graphemes

MAX_GRAPHEMES = 300
MAX_BYTES = 3000
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 2_000_000
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


def length(text: str) -> int:
    return graphemes(text)


def problem(text: str) -> str:
    used = length(text)
    if used > MAX_GRAPHEMES:
        return f"Too long for Bluesky: {used} characters, Bluesky allows {MAX_GRAPHEMES}"
    if len((text or "").encode()) > MAX_BYTES:
        return f"Too long for Bluesky: more than {MAX_BYTES} bytes"
    return ""


def media_problem(files) -> str:
    """Why these attachments cannot go to Bluesky, or "". `files`: objects with kind, mime_type, size."""
    files = list(files)
    if any(f.kind not in ("image", "gif") or f.mime_type not in IMAGE_TYPES for f in files):
        return "Bluesky takes images only (JPEG, PNG, WebP or GIF): SocialHub does not send videos there yet"
    if len(files) > MAX_IMAGES:
        return f"Bluesky takes at most {MAX_IMAGES} images per post"
    big = [f for f in files if f.size > MAX_IMAGE_BYTES]
    if big:
        return f"Bluesky takes images up to 2 MB each: {len(big)} image(s) are larger"
    return ""
