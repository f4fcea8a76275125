"""Instagram's rules, checked while a post is written (PLATFORMS.md, from developers.facebook.com/docs/
instagram-platform/content-publishing): a caption of at most 2,200 characters, 30 hashtags and 20
@mentions; at least one image or video (no text-only posts); images JPEG only, up to 8 MB, with an
aspect ratio from 4:5 to 1.91:1; a carousel of up to 10 images; a video goes alone, as a reel."""

from __future__ import annotations

import io
import re

import imagesize

MAX_CHARACTERS = 2200
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
MAX_CAROUSEL = 10
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_VIDEO_BYTES = 300 * 1024 * 1024  # reels (content-publishing, reel specifications)
MIN_RATIO, MAX_RATIO = 4 / 5, 1.91
_HASHTAG = re.compile(r"(?<![\w&])[#＃]\w+")
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")
NEEDS_MEDIA = "Instagram needs at least one image or video: it takes no text-only posts"


def length(text: str) -> int:
    return len(text or "")


def hashtags(text: str) -> int:
    return len(_HASHTAG.findall(text or ""))


def problem(text: str) -> str:
    used = length(text)
    if used > MAX_CHARACTERS:
        return f"Too long for Instagram: {used} characters, Instagram allows {MAX_CHARACTERS:,}"
    if (tags := hashtags(text)) > MAX_HASHTAGS:
        return f"Too many hashtags for Instagram: {tags}, Instagram allows {MAX_HASHTAGS}"
    if (mentions := len(_MENTION.findall(text or ""))) > MAX_MENTIONS:
        return f"Too many @mentions for Instagram: {mentions}, Instagram allows {MAX_MENTIONS}"
    return ""


def media_problem(files) -> str:
    """Why these attachments cannot go to Instagram, or "". `files`: objects with kind, mime_type,
    size, and (stored media) a `file` whose header gives the image's dimensions."""
    files = list(files)
    if not files:
        return NEEDS_MEDIA
    videos = [f for f in files if f.kind == "video"]
    if videos and len(files) > 1:
        return "Instagram takes a video alone (as a reel): send the images in another post"
    if videos:
        return "Instagram takes videos up to 300 MB" if videos[0].size > MAX_VIDEO_BYTES else ""
    if any(f.mime_type != "image/jpeg" for f in files):
        return "Instagram takes JPEG images only: save PNG, WebP and GIF files as JPEG first"
    if len(files) > MAX_CAROUSEL:
        return f"Instagram takes at most {MAX_CAROUSEL} images per post (a carousel)"
    if any(f.size > MAX_IMAGE_BYTES for f in files):
        return "Instagram takes images up to 8 MB each"
    for number, item in enumerate(files, start=1):
        ratio = _ratio(item)
        if ratio and not MIN_RATIO - 0.005 <= ratio <= MAX_RATIO + 0.005:
            which = "The image" if len(files) == 1 else f"Image {number}"
            return (f"{which} is {ratio:.2f}:1 wide; Instagram takes aspect ratios from 4:5 (0.8:1, portrait) "
                    "to 1.91:1 (landscape): crop it")
    return ""


def _ratio(item) -> float | None:
    """Width over height from the image's header, or None when it cannot be read."""
    stored = getattr(item, "file", None)
    if not stored:
        return None
    try:
        with stored.open("rb") as fileobj:  # at most 8 MB: larger images are refused before
            width, height = imagesize.get(io.BytesIO(fileobj.read()))  # (bytes would be taken for a path)
    except OSError:
        return None
    return width / height if width > 0 and height > 0 else None
