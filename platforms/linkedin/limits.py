"""LinkedIn's rules: commentary of about 3,000 characters (Postiz and Ayrshare; LinkedIn does not
publish a figure), no threads, up to 20 images or one video per post (only images are sent here).
Commentary is "little text format": its reserved characters must be escaped, or LinkedIn cuts
the post silently at the first one (learn.microsoft.com/linkedin/.../shares/little-text-format)."""

from __future__ import annotations

import re

MAX_CHARACTERS = 3000
MAX_IMAGES = 20
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif")
# \ | { } @ [ ] ( ) < > # * _ ~ (the backslash first, so escapes are not escaped again)
_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")


def escape(text: str) -> str:
    return _RESERVED.sub(r"\\\1", text or "")


def unescape(text: str) -> str:
    return re.sub(r"\\([\\|{}@\[\]()<>#*_~])", r"\1", text or "")


def length(text: str) -> int:
    return len(text or "")


def problem(text: str) -> str:
    used = length(text)
    if used > MAX_CHARACTERS:
        return f"Too long for LinkedIn: {used} characters, LinkedIn allows about {MAX_CHARACTERS}"
    return ""


def media_problem(files) -> str:
    files = list(files)
    if any(f.kind not in ("image", "gif") or f.mime_type not in IMAGE_TYPES for f in files):
        return "LinkedIn takes images here (JPEG, PNG or GIF): SocialHub does not send videos there yet"
    if len(files) > MAX_IMAGES:
        return f"LinkedIn takes at most {MAX_IMAGES} images per post"
    return ""
