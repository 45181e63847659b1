"""Serving uploaded files (issue 13, hole 9).

Nothing serves the media folder as a whole, in production or not: photos and covers go through
`media` (unguessable names, long browser cache), attachments and documents through their own
permission views, which call `file_response` after the check. With a proxy in front
(settings.RSE_MEDIA_SENDFILE), the application only answers the headers and the proxy sends the
bytes: nginx's X-Accel-Redirect to an `internal` location, or X-Sendfile (Apache, lighttpd).

An uploaded file is shown inline only when it is a raster image; anything else (SVG, HTML, PDF…)
is a download, and every answer carries nosniff and a sandboxing CSP, so a file with a script in
it never runs in our origin.
"""

import mimetypes
import secrets
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
# What `media` serves: public to every signed-in person, under names nobody can guess.
PUBLIC_MEDIA_PREFIXES = ("photos/", "covers/")


@deconstructible
class RandomName:
    """upload_to for files anyone signed in may fetch by URL: a random name in `folder`, keeping
    only the extension, so the URL tells nothing (not who, not what) and cannot be guessed."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        suffix = PurePosixPath(filename).suffix.lower()[:8]
        return f"{self.folder}/{secrets.token_urlsafe(18)}{suffix}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder


def file_response(fieldfile, *, filename=None, content_type=None, inline=False, cache_control="private, no-cache"):
    """The answer for one stored file: `inline` is honoured only for raster images."""
    name = fieldfile.name
    filename = filename or name.rsplit("/", 1)[-1]
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    inline = inline and content_type in INLINE_TYPES
    storage = fieldfile.storage
    mode = settings.RSE_MEDIA_SENDFILE
    if mode and isinstance(storage, FileSystemStorage):
        try:
            if not storage.exists(name):
                raise Http404
        except SuspiciousFileOperation as exc:
            raise Http404 from exc
        response = HttpResponse(content_type=content_type)
        if mode == "x-accel-redirect":
            response["X-Accel-Redirect"] = settings.RSE_MEDIA_ACCEL_PREFIX.rstrip("/") + "/" + quote(name)
        else:
            response["X-Sendfile"] = storage.path(name)
        response["Content-Disposition"] = content_disposition_header(not inline, filename)
    else:
        try:
            handle = fieldfile.open("rb")
        except (FileNotFoundError, SuspiciousFileOperation) as exc:
            raise Http404 from exc
        response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = cache_control
    return response


class _Stored:
    """A name in the default storage, shaped like a FieldFile for file_response."""

    def __init__(self, name):
        self.name, self.storage = name, default_storage

    def open(self, mode="rb"):
        return self.storage.open(self.name, mode)


@login_required
@require_GET
def media(request, path):
    """/media/<path>: profile photos and community covers only. Their names are random and never
    reused (a new photo gets a new name), so browsers may keep them for a year."""
    if not path.startswith(PUBLIC_MEDIA_PREFIXES) or ".." in path.split("/"):
        raise Http404
    return file_response(_Stored(path), inline=True, cache_control="private, max-age=31536000, immutable")
