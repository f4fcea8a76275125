"""What the post and template services share when they write: edits that change only the fields
given, and media going in (checked, saved in order) and out (rows now, files once committed)."""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from .media import CheckedMedia, check_media

# An edit argument that was not given: the field keeps its value (None may be a value).
UNSET = object()


def clean_media(media_files: Sequence, alt_texts: Sequence[str] = ()) -> list[CheckedMedia]:
    """Check new files (type, size, count, alt texts). Raises ValidationError on "media"."""
    try:
        return check_media(list(media_files or []), list(alt_texts or []))
    except ValidationError as exc:
        raise ValidationError({"media": exc.messages}) from exc


def check_mix(kept: Sequence, new: Sequence[CheckedMedia]) -> None:
    """The kept media and the new ones together (X takes 4 images, or 1 GIF or video).
    Raises ValidationError on "media"."""
    if kept and new:
        try:
            check_media([m.file for m in kept] + [m.file for m in new])
        except ValidationError as exc:
            raise ValidationError({"media": exc.messages}) from exc


def save_media(model, media: Sequence[CheckedMedia], *, start: int = 0, **owner) -> None:
    """Store checked files as `model` rows (PostMedia, TemplateMedia) of `owner`, in order from `start`."""
    for order, item in enumerate(media, start=start):
        model.objects.create(
            **owner, file=item.file, kind=item.kind, mime_type=item.mime_type, size=item.size,
            alt_text=item.alt_text, order=order,
        )


def renumber(media: Iterable) -> None:
    """Order the media 0, 1, 2... as they come, writing only the rows that move."""
    for order, item in enumerate(media):
        if item.order != order:
            type(item).objects.filter(pk=item.pk).update(order=order)


def remove_media(queryset) -> None:
    """Delete these media rows now and their files once the transaction commits."""
    media = list(queryset)
    queryset.model.objects.filter(pk__in=[m.pk for m in media]).delete()
    delete_files_on_commit(media)


def delete_files_on_commit(media: Iterable) -> None:
    """Delete the media's stored files after commit: a rolled-back delete keeps its files."""
    files = [(m.file.storage, m.file.name) for m in media if m.file]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
