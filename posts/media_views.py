"""Serving uploaded media: the one way a stored file leaves the app, in development and production.

A file is served to someone who may see what it belongs to (the post through Post.objects.for_user,
the template through ContentTemplate.objects.for_user), or to anyone holding a signed link that has
not expired (posts.media.signed_url). It always goes out as the type checked at upload, never as
something a browser would run: nosniff, a sandboxing CSP, and `attachment` for anything that is
not one of the media types (only possible for rows written before the check existed).
"""

from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseForbidden
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
    return file_response(media)


def file_response(media) -> FileResponse:
    safe = media.mime_type in MEDIA_TYPES
    extension = MEDIA_TYPES.get(media.mime_type, "bin")
    try:
        handle = media.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is gone.") from None
    response = FileResponse(
        handle,
        content_type=media.mime_type if safe else "application/octet-stream",
        as_attachment=not safe,
        filename=f"{media.url_owner}-{media.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, the file is still no page: no scripts, no plugins, a unique origin.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
