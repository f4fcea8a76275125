"""Media upload v2: chunked (initialize, append, finalize, STATUS), one-shot for images, alt text.

Videos and GIFs go through processing: finalize answers "pending", and each STATUS poll moves them
on ("in_progress" with progress_percent) until "succeeded" after `media_processing_polls` polls.
With the `media_processing_fails` fault on at upload, every kind goes through processing and ends
"failed" with X's `processing_info.error` {code, name, message}.

Lifetimes as X's docs show them: initialize answers `expires_after_secs` 1295999 (the upload
session), finalize and STATUS a shorter one, 86400 at finalize, counting down after. The media
expires by the finalize lifetime: after it, attaching the id answers "Your media IDs are invalid."
Only a tweet's own author's succeeded, unexpired media may be attached to it (checked in tweets.py).
"""
from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from typing import Any

from .auth import Identity
from .problems import invalid_request
from .state import Media, SandboxState
from .web import Request, Response, json_response

SESSION_EXPIRES_AFTER_S = 1295999  # initialize (docs: media-upload-chunked.mdx)
EXPIRES_AFTER_S = 86400  # finalize (same page); the media's own lifetime
PROCESSING_ERROR = {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}  # X's documented example
MAX_ALT_TEXT = 1000
MAX_BYTES = {"tweet_image": 5 * 1024 * 1024, "tweet_gif": 15 * 1024 * 1024, "tweet_video": 512 * 1024 * 1024}
MEDIA_TYPES = {
    "tweet_image": {"image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "image/tiff"},
    "tweet_gif": {"image/gif"},
    "tweet_video": {"video/mp4", "video/quicktime", "video/webm"},
}
KEY_PREFIX = {"tweet_image": "3_", "tweet_gif": "16_", "tweet_video": "7_"}


# ---- multipart --------------------------------------------------------------------------------

@dataclass
class Part:
    data: bytes
    filename: str | None = None
    content_type: str | None = None


def parse_multipart(content_type: str, body: bytes) -> dict[str, Part]:
    """Parts of a multipart/form-data body by field name. Byte-exact: nothing is decoded.

    Raises ApiError 400 when the body is not multipart or has no boundary.
    """
    header = Message()
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str):
        raise invalid_request("Expected a multipart/form-data body.", {"Content-Type": [content_type]})
    # Each delimiter is CRLF "--" boundary (RFC 2046); prefixing a CRLF makes the first one alike.
    chunks = (b"\r\n" + body).split(b"\r\n--" + boundary.encode())
    parts: dict[str, Part] = {}
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):  # the closing delimiter
            break
        head, _, data = chunk.partition(b"\r\n\r\n")
        headers = HeaderParser().parsestr(head.decode("latin-1").lstrip(" \t\r\n"))
        name = headers.get_param("name", header="content-disposition")
        if isinstance(name, str):
            filename = headers.get_param("filename", header="content-disposition")
            parts[name] = Part(data, filename if isinstance(filename, str) else None,
                               headers.get("Content-Type"))
    return parts


def media_parts(req: Request) -> dict[str, Part]:
    """The fields of an upload body: multipart (raw bytes), or JSON with `media` base64-encoded as
    X's spec allows (xdk sends JSON). Raises ApiError 400 for bad base64 or another body type."""
    if req.content_type != "application/json":
        return parse_multipart(req.headers.get("Content-Type", ""), req.body)
    parts = {name: Part(str(value).encode()) for name, value in req.json_object().items()
             if name != "media" and value is not None}
    encoded = req.json_object().get("media")
    if encoded is not None:
        try:
            parts["media"] = Part(base64.b64decode(str(encoded), validate=True))
        except binascii.Error:
            raise invalid_request("`media` must be base64 in a JSON body.", {"media": []}) from None
    return parts


def _field(parts: dict[str, Part], name: str) -> str | None:
    part = parts.get(name)
    return part.data.decode("utf-8", "replace") if part is not None else None


# ---- chunked upload ---------------------------------------------------------------------------

def initialize(state: SandboxState, req: Request, ident: Identity) -> Response:
    """POST /2/media/upload/initialize JSON {media_type, total_bytes, media_category}."""
    body = req.json_object()
    category = body.get("media_category", "tweet_image")
    media_type = body.get("media_type", "")
    total_bytes = body.get("total_bytes")
    _check_kind(category, media_type)
    if isinstance(total_bytes, str) and total_bytes.isdigit():
        total_bytes = int(total_bytes)
    if not isinstance(total_bytes, int) or not 0 < total_bytes <= MAX_BYTES[category]:
        raise invalid_request(f"`total_bytes` must be between 1 and {MAX_BYTES[category]} for {category}.",
                              {"total_bytes": [str(total_bytes)]})
    media = _new_media(state, ident, category, media_type, total_bytes)
    return json_response(200, {"data": {"id": media.id, "media_key": media.media_key,
                                        "expires_after_secs": SESSION_EXPIRES_AFTER_S}})


def _check_kind(category: Any, media_type: Any) -> None:
    if category not in MEDIA_TYPES:
        raise invalid_request("`media_category` must be tweet_image, tweet_gif or tweet_video.",
                              {"media_category": [str(category)]})
    if media_type not in MEDIA_TYPES[category]:
        raise invalid_request(f"`media_type` {media_type!r} is not allowed for {category}.",
                              {"media_type": [str(media_type)]})


def _new_media(state: SandboxState, ident: Identity, category: str, media_type: str, total_bytes: int) -> Media:
    assert ident.user_id is not None
    media_id = state.new_id()
    now = time.time()
    media = Media(media_id, KEY_PREFIX[category] + media_id, ident.user_id, media_type, category,
                  total_bytes, now, expires_at=now + SESSION_EXPIRES_AFTER_S,
                  fails_processing=state.faults.settings.media_processing_fails)
    with state.lock:
        state.media[media.id] = media
    return media


def append(state: SandboxState, req: Request, ident: Identity, media_id: str) -> Response:
    """POST /2/media/upload/{id}/append {media, segment_index} (multipart, or JSON with base64 media):
    segments strictly in order."""
    parts = media_parts(req)
    chunk = parts.get("media")
    segment = _field(parts, "segment_index")
    if chunk is None or segment is None or not segment.isdigit():
        raise invalid_request("`media` and a numeric `segment_index` are required.", {"segment_index": [str(segment)]})
    with state.lock:  # hashing a chunk under the lock is cheap next to receiving it
        media = _own_media(state, ident, media_id)
        _check_append(media, int(segment), len(chunk.data))
        media.hasher.update(chunk.data)
        media.received_bytes += len(chunk.data)
        media.next_segment += 1
    return json_response(200, {"data": {"expires_at": int(media.expires_at)}})


def _check_append(media: Media, segment: int, size: int) -> None:
    if media.state != "uploading":
        raise invalid_request("This media is already finalized.", {"media_id": [media.id]})
    if segment != media.next_segment:
        raise invalid_request(f"Expected segment_index {media.next_segment}, got {segment}.",
                              {"segment_index": [str(segment)]})
    if media.received_bytes + size > media.total_bytes:
        raise invalid_request("More bytes than total_bytes declared at initialize.", {"media": [str(size)]})


def finalize(state: SandboxState, req: Request, ident: Identity, media_id: str) -> Response:
    """POST /2/media/upload/{id}/finalize: every declared byte must have arrived."""
    with state.lock:
        media = _own_media(state, ident, media_id)
        if media.state != "uploading":
            raise invalid_request("This media is already finalized.", {"media_id": [media_id]})
        if media.received_bytes != media.total_bytes:
            raise invalid_request(f"Received {media.received_bytes} bytes, total_bytes says {media.total_bytes}.",
                                  {"media_id": [media_id]})
        needs_processing = media.fails_processing or (
            media.category != "tweet_image" and state.config.media_processing_polls > 0)
        media.state = "pending" if needs_processing else "succeeded"
        media.expires_at = time.time() + EXPIRES_AFTER_S
        data = _media_data(media)
    if needs_processing:
        data["processing_info"] = {"state": "pending", "check_after_secs": 1}
    return json_response(200, {"data": data})


def status(state: SandboxState, req: Request, ident: Identity) -> Response:
    """GET /2/media/upload?command=STATUS&media_id=...: each poll moves processing on."""
    query = req.query
    if query.get("command") != "STATUS":
        raise invalid_request("Only command=STATUS is supported with GET.", {"command": [query.get("command", "")]})
    with state.lock:
        media = _own_media(state, ident, query.get("media_id", ""))
        if media.state == "uploading":
            raise invalid_request("This media is not finalized yet.", {"media_id": [media.id]})
        info = _advance_processing(media, max(state.config.media_processing_polls, 1))
        return json_response(200, {"data": {**_media_data(media), "processing_info": info}})


def _advance_processing(media: Media, polls_needed: int) -> dict[str, Any]:
    if media.state in ("pending", "in_progress"):
        media.status_polls += 1
        if media.status_polls >= polls_needed:
            media.state = "failed" if media.fails_processing else "succeeded"
        else:
            media.state = "in_progress"
    if media.state == "succeeded":
        return {"state": "succeeded", "progress_percent": 100}
    if media.state == "failed":
        return {"state": "failed", "progress_percent": 100 * (media.status_polls - 1) // polls_needed,
                "error": dict(PROCESSING_ERROR)}
    return {"state": "in_progress", "check_after_secs": 1,
            "progress_percent": 100 * media.status_polls // polls_needed}


def _own_media(state: SandboxState, ident: Identity, media_id: str) -> Media:
    media = state.media.get(media_id)
    if media is None or media.owner_id != ident.user_id:
        raise invalid_request("Unknown media id.", {"media_id": [media_id]})
    return media


def _media_data(media: Media) -> dict[str, Any]:
    remaining = max(round(media.expires_at - time.time()), 0)
    return {"id": media.id, "media_key": media.media_key, "size": media.total_bytes,
            "expires_after_secs": remaining}


# ---- one-shot upload and metadata -------------------------------------------------------------

def upload_simple(state: SandboxState, req: Request, ident: Identity) -> Response:
    """POST /2/media/upload {media, media_category, media_type?} (multipart, or JSON with base64
    media): images only."""
    parts = media_parts(req)
    chunk = parts.get("media")
    if chunk is None or not chunk.data:
        raise invalid_request("`media` is required.", {"media": []})
    category = _field(parts, "media_category") or "tweet_image"
    if category != "tweet_image":
        raise invalid_request("One-shot upload is for images; use initialize/append/finalize.",
                              {"media_category": [category]})
    media_type = _field(parts, "media_type") or sniff_image_type(chunk.data)
    _check_kind(category, media_type)
    if len(chunk.data) > MAX_BYTES[category]:
        raise invalid_request("The image is larger than 5 MB.", {"media": [str(len(chunk.data))]})
    media = _new_media(state, ident, category, media_type, len(chunk.data))
    with state.lock:
        media.hasher.update(chunk.data)
        media.received_bytes = len(chunk.data)
        media.state = "failed" if media.fails_processing else "succeeded"
        media.expires_at = time.time() + EXPIRES_AFTER_S
        data = {**_media_data(media), "image": {"image_type": media_type}}
    if media.fails_processing:
        data["processing_info"] = {"state": "failed", "error": dict(PROCESSING_ERROR)}
    return json_response(200, {"data": data})


def sniff_image_type(data: bytes) -> str:
    """The image MIME type from the magic bytes, or "" when unknown."""
    signatures = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
                  (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"BM", "image/bmp"))
    for magic, media_type in signatures:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


def metadata(state: SandboxState, req: Request, ident: Identity) -> Response:
    """POST /2/media/metadata JSON {id, metadata: {alt_text: {text}}}: text up to 1000 characters."""
    body = req.json_object()
    media_id = str(body.get("id", ""))
    meta = body.get("metadata")
    alt = meta.get("alt_text") if isinstance(meta, dict) else None
    text = alt.get("text") if isinstance(alt, dict) else None
    if not isinstance(text, str) or len(text) > MAX_ALT_TEXT:
        raise invalid_request(f"`metadata.alt_text.text` must be a string of at most {MAX_ALT_TEXT} characters.",
                              {"metadata.alt_text.text": [str(text)[:50]]})
    with state.lock:
        media = _own_media(state, ident, media_id)
        media.alt_text = text
    # The spec's CreateMediaMetadataResponseData: id and the metadata now on the media (an object).
    return json_response(200, {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": text}}}})
