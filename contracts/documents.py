"""What a contract document may be: checked against the file's bytes, not its name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Detected type -> allowed (PDF, office formats, images). No HTML, SVG, scripts or
# programs: they could run in a browser or on a desktop.
ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "tif": "image/tiff",
}
# Names people give these files (the name must fit what the bytes are).
NAME_SUFFIXES = {"jpg": {"jpg", "jpeg"}, "tif": {"tif", "tiff"}}


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    size: int
    sha256: str


def check_upload(upload) -> CheckedFile:
    """Size, type by magic bytes, and a name that matches; else ValidationError."""
    limit = settings.CONTRACT_DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(limit)s."),
            params={"limit": filesizeformat(limit)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED:
        raise ValidationError(
            _("Only PDF, office documents and images are allowed; this file is not."),
            code="type",
        )
    suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in NAME_SUFFIXES.get(kind.extension, {kind.extension}):
        raise ValidationError(
            _("The file's name says .%(suffix)s but its content is %(kind)s."),
            params={"suffix": suffix or "?", "kind": kind.extension.upper()},
            code="mismatch",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        kind.extension, ALLOWED[kind.extension], upload.size, digest.hexdigest()
    )
