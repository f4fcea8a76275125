"""Serving uploaded media: the one way a stored file leaves the app, in development and production.

A file is served to someone who may see what it belongs to (the post through Post.objects.for_user,
the template through ContentTemplate.objects.for_user), or to anyone holding a signed link that has
not expired (posts.media.signed_url). It always goes out as the type checked at upload, never as
something a browser would run: nosniff, a sandboxing CSP, and `attachment` for anything that is
not one of the media types (only possible for rows written before the check existed).
A single byte range is honoured (206), so videos play and seek.
"""

import re

from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden, StreamingHttpResponse
from django.views.decorators.http import require_GET

from content_templates.models import ContentTemplate, TemplateMedia

from .media import MEDIA_TYPES, signature_is_valid
from .models import Post, PostMedia

MODELS = {"post": PostMedia, "template": TemplateMedia}


def _visible(user, owner: str, pk: int):
    """The media row if `user` may see what it belongs to, else None."""
    if not user.is_authenticated:
        return None
    if owner == "post":
        posts = Post.objects.for_user(user)
        return PostMedia.objects.filter(Q(post__in=posts) | Q(part__post__in=posts), pk=pk).first()
    return TemplateMedia.objects.filter(template__in=ContentTemplate.objects.for_user(user), pk=pk).first()


@require_GET
def serve(request, owner: str, pk: int):
    model = MODELS.get(owner)
    if model is None:
        raise Http404("No such file.")
    signature = request.GET.get("signature")
    if signature is not None:
        if not signature_is_valid(owner, pk, request.GET.get("expires", ""), signature):
            return HttpResponseForbidden("This link has expired or is not valid.", content_type="text/plain")
        media = model.objects.filter(pk=pk).first()
    else:
        media = _visible(request.user, owner, pk)
    if media is None or not media.file:
        raise Http404("No such file.")
    return file_response(media, request.headers.get("Range", ""))


# One range of bytes (RFC 9110 section 14.1.2): what browsers ask for to play and seek a video.
BYTE_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")
CHUNK = 64 * 1024


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte asked for; None to send the whole file. Raises ValueError when the
    range lies outside the file."""
    match = BYTE_RANGE.match(header.strip())
    if not match or not (match[1] or match[2]):
        return None  # absent, several ranges, or another unit: the whole file is a valid answer
    if match[1]:
        first, last = int(match[1]), min(int(match[2]), size - 1) if match[2] else size - 1
    else:  # the last N bytes
        first, last = max(size - int(match[2]), 0), size - 1
    if first > last or first >= size:
        raise ValueError("range not satisfiable")
    return first, last


def _read(handle, first: int, last: int):
    handle.seek(first)
    left = last - first + 1
    try:
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


def file_response(media, range_header: str = "") -> HttpResponse:
    safe = media.mime_type in MEDIA_TYPES
    extension = MEDIA_TYPES.get(media.mime_type, "bin")
    content_type = media.mime_type if safe else "application/octet-stream"
    try:
        handle = media.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is gone.") from None
    size = media.file.size
    try:
        wanted = _byte_range(range_header, size)
    except ValueError:
        handle.close()
        response = HttpResponse(status=416, content_type="text/plain")
        response["Content-Range"] = f"bytes */{size}"
        return _harden(response)
    if wanted is None:
        response = FileResponse(
            handle, content_type=content_type, as_attachment=not safe,
            filename=f"{media.url_owner}-{media.pk}.{extension}",
        )
    else:
        first, last = wanted
        response = StreamingHttpResponse(_read(handle, first, last), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
        response["Content-Disposition"] = f'{"inline" if safe else "attachment"}; filename="{media.url_owner}-{media.pk}.{extension}"'
    response["Accept-Ranges"] = "bytes"
    return _harden(response)


def _harden(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, the file is still no page: no scripts, no plugins, a unique origin.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
