"""The curator's upload page.

CSRF protection is applied inside the view, not by the middleware: the middleware reads
request.POST, which would pull the whole upload off the wire before we can refuse it by its
declared length. (Django's documented pattern for per-view upload handling.)
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from media_library.access import curator_required
from media_library.forms import ClipUploadForm
from media_library.processing import is_out_of_space
from media_library.processing.ingest import size_refusal
from media_library.processing.pipeline import out_of_space_upload_message

logger = logging.getLogger(__name__)

# Room for the form's other fields and the multipart framing around the file.
MULTIPART_OVERHEAD = 64 * 1024
TEMPLATE = "media_library/clip_upload.html"


@csrf_exempt
@curator_required
def clip_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        declared = _content_length(request)
        if declared > settings.MEDIA_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
            # Answer before reading the body; the connection's remaining bytes are discarded.
            form = ClipUploadForm()
            refusal = size_refusal(declared)
            return render(request, TEMPLATE, {"form": form, "refusal": refusal}, status=413)
        refusal, status = _unreadable(request)
        if refusal:
            return render(
                request, TEMPLATE, {"form": ClipUploadForm(), "refusal": refusal}, status=status
            )
    return _clip_upload(request)


def _unreadable(request: HttpRequest) -> tuple[str, int]:
    """Why the multipart body cannot be read, and the status to say it with; ("", 200) when
    it can. Parsing it here (the CSRF check would parse it next anyway) turns Django's parse
    errors into a page that says what to do, instead of a bare 400 or 500. Django refuses a
    part whose headers pass 1 KB (`MAX_TOTAL_HEADER_SIZE`), and in practice only a file name
    makes them that long. A large upload is spooled to FILE_UPLOAD_TEMP_DIR as it is read,
    which fails when that disk is full (Django deletes the spooled file)."""
    try:
        request.POST  # noqa: B018 (reading it parses the body, files included)
    except MultiPartParserError as error:
        if "header size" in str(error):
            return _(
                "The file name is too long to upload (over about 900 bytes). Rename the file "
                "to something shorter (the library keeps only its first 120 characters anyway) "
                "and upload it again; nothing was saved."
            ), 400
        return _(
            "The upload could not be read: it was cut off or malformed. Nothing was saved; "
            "please try again."
        ), 400
    except OSError as error:
        if not is_out_of_space(error):
            raise
        logger.error("Out of space while receiving an upload: %r", error)
        # The part being spooled is left open by the parser; closing it deletes it.
        for handler in request.upload_handlers:
            if (spooled := getattr(handler, "file", None)) is not None:
                spooled.close()
        return out_of_space_upload_message(), HTTPStatus.INSUFFICIENT_STORAGE
    return "", HTTPStatus.OK


@csrf_protect
def _clip_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ClipUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                clip = form.save(request.user)
            except ValidationError as error:
                form.add_error("file", error)
                if error.code == "out_of_space":
                    return render(
                        request, TEMPLATE, {"form": form}, status=HTTPStatus.INSUFFICIENT_STORAGE
                    )
            else:
                return redirect(clip.get_absolute_url())
    else:
        form = ClipUploadForm()
    return render(request, TEMPLATE, {"form": form})


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
