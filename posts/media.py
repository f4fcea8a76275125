"""Which files a post may carry, judged by their content (magic bytes), not their name."""

from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError

MB = 1024 * 1024
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
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
        size = file.size
        if size > LIMITS[kind]:
            raise ValidationError(
                f"{name} is {size / MB:.1f} MB; X takes {kind} files up to {LIMITS[kind] // MB} MB.",
                code="media_size",
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
