"""Which files a post may carry, judged by their content (magic bytes and container), not their
name; how stored files are named; and signed, expiring links to them.

A stored file's name is made here from a random id and the extension of the detected type, never
from the uploaded name, so a file can only ever be served as one of MEDIA_TYPES (posts/media_views.py).
"""

import struct
import time
import uuid
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

MB = 1024 * 1024
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
# Every type a file may be stored and served as, with the extension its stored name gets.
MEDIA_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "video/mp4": "mp4",
}
LIMITS = {"image": 5 * MB, "gif": 15 * MB, "video": 512 * MB}
MAX_IMAGES = 4
MAX_ALT_TEXT = 1000


@dataclass(frozen=True)
class CheckedMedia:
    file: object  # a Django File / UploadedFile
    kind: str
    mime_type: str
    size: int
    alt_text: str


def sniff(file) -> str | None:
    """The file's MIME type from its first bytes, or None when unknown."""
    file.seek(0)
    head = file.read(262)
    file.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def _kind_of(mime: str | None) -> str | None:
    if mime in IMAGE_TYPES:
        return "image"
    if mime == "image/gif":
        return "gif"
    if mime == "video/mp4":
        return "video"
    return None


def check_media(files: list, alt_texts: list[str] | None = None) -> list[CheckedMedia]:
    """Validate a post's attachments. Raises ValidationError with a message a person can act on.

    X takes up to 4 images, or one GIF, or one MP4 video.
    """
    alt_texts = list(alt_texts or [])
    checked = []
    for index, file in enumerate(files):
        name = getattr(file, "name", f"file {index + 1}")
        mime = sniff(file)
        kind = _kind_of(mime)
        if kind is None:
            raise ValidationError(
                f"{name} is not a supported file: use JPEG, PNG or WebP images, a GIF or an MP4 video.",
                code="media_type",
            )
        size = real_size(file)
        if size > LIMITS[kind]:
            raise ValidationError(
                f"{name} is {size / MB:.1f} MB; X takes {kind} files up to {LIMITS[kind] // MB} MB.",
                code="media_size",
            )
        if kind == "video" and not is_mp4_video(file, size):
            raise ValidationError(
                f"{name} is not a playable MP4 video: its contents do not match an MP4 file's structure.",
                code="media_container",
            )
        alt = (alt_texts[index] if index < len(alt_texts) else "") or ""
        if len(alt) > MAX_ALT_TEXT:
            raise ValidationError(
                f"The alt text of {name} is longer than {MAX_ALT_TEXT} characters.", code="alt_text"
            )
        checked.append(CheckedMedia(file=file, kind=kind, mime_type=mime, size=size, alt_text=alt))
    kinds = [m.kind for m in checked]
    if len(checked) > 1 and ("gif" in kinds or "video" in kinds):
        raise ValidationError(
            "A GIF or a video must be the only attachment of a post.", code="media_mix"
        )
    if len(checked) > MAX_IMAGES:
        raise ValidationError(f"A post takes at most {MAX_IMAGES} images.", code="media_count")
    return checked


def real_size(file) -> int:
    """The number of bytes the file really holds (not a size the caller claims)."""
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return size


# --- MP4 (ISO base media file format, ISO/IEC 14496-12): a file is a sequence of boxes, each a
# 32-bit big-endian size (1: a 64-bit size follows; 0: to the end of the file) and a 4-character
# type. The walk reads box headers only, so a 512 MB file costs a few dozen small reads.

_CONTAINERS = {b"moov", b"trak", b"mdia"}  # the path down to a track's handler (hdlr)


def _boxes(file, start: int, end: int):
    """(type, payload start, box end) of each box between start and end. Raises ValueError
    when the boxes do not tile [start, end) exactly."""
    pos = start
    while pos < end:
        if end - pos < 8:
            raise ValueError("truncated box header")
        file.seek(pos)
        size, kind = struct.unpack(">I4s", file.read(8))
        header = 8
        if size == 1:
            raw = file.read(8)
            if len(raw) < 8:
                raise ValueError("truncated large size")
            size, header = struct.unpack(">Q", raw)[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError("box size out of bounds")
        if not all(0x20 <= byte < 0x7F for byte in kind):
            raise ValueError("box type is not a four-character code")
        yield kind, pos + header, pos + size
        pos += size


def _has_video_track(file, start: int, end: int) -> bool:
    for kind, payload, box_end in _boxes(file, start, end):
        if kind == b"hdlr" and box_end - payload >= 12:
            file.seek(payload + 8)  # version and flags (4), pre_defined (4), then handler_type
            if file.read(4) == b"vide":
                return True
        elif kind in _CONTAINERS and _has_video_track(file, payload, box_end):
            return True
    return False


def is_mp4_video(file, size: int) -> bool:
    """Whether the file is an MP4 whose top-level boxes cover it exactly, starting with `ftyp`,
    with a `moov` holding a video track and an `mdat` with data in it."""
    try:
        top = list(_boxes(file, 0, size))
        if not top or top[0][0] != b"ftyp":
            return False
        has_data = any(kind == b"mdat" and end > payload for kind, payload, end in top)
        moov = next(((payload, end) for kind, payload, end in top if kind == b"moov"), None)
        return has_data and moov is not None and _has_video_track(file, *moov)
    except (ValueError, struct.error):
        return False
    finally:
        file.seek(0)


# --- Stored names and links.


def stored_name(folder: str, mime_type: str) -> str:
    """A new storage name for a file of a checked type: a random id and that type's extension.
    The uploaded name is never used, so it cannot choose how the file is served."""
    if mime_type not in MEDIA_TYPES:
        raise ValueError(f"{mime_type!r} is not a media type this app stores.")
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{MEDIA_TYPES[mime_type]}"


_SIGNER_SALT = "posts.media.signed_url"


def _signature_payload(owner: str, pk: int, expires: int) -> str:
    return f"{owner}:{pk}:{expires}"


def signed_url(media, *, expires_in: int | None = None) -> str:
    """A path to the file that works without logging in until it expires (default
    MEDIA_SIGNED_URL_SECONDS). posts/media_views.py honours it."""
    expires = int(time.time()) + (expires_in or settings.MEDIA_SIGNED_URL_SECONDS)
    signature = signing.Signer(salt=_SIGNER_SALT).signature(_signature_payload(media.url_owner, media.pk, expires))
    return f"{media.url}?expires={expires}&signature={signature}"


def public_url(media, *, expires_in: int | None = None) -> str:
    """signed_url as an absolute address (SITE_URL), for a platform that fetches the file itself
    (Instagram takes images by URL)."""
    return settings.SITE_URL.rstrip("/") + signed_url(media, expires_in=expires_in)


def signature_is_valid(owner: str, pk: int, expires: str, signature: str) -> bool:
    """Whether (expires, signature) is a link signed_url made for this file, not yet expired."""
    if not expires.isascii() or not expires.isdigit() or int(expires) < time.time():
        return False
    expected = signing.Signer(salt=_SIGNER_SALT).signature(_signature_payload(owner, pk, int(expires)))
    return signing.constant_time_compare(expected, signature)


def media_url(owner: str, pk: int) -> str:
    return reverse("media-file", args=[owner, pk])
