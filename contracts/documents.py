"""What a contract document may be: checked against the file's bytes, not its name."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

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
# Office formats that are ZIP archives: what they unpack to is checked (zip bombs).
ZIPPED = {"docx", "xlsx", "pptx", "odt", "ods"}
# What a PDF may not carry: scripts, actions run on opening or on events, programs
# started from the document. Names as pypdf decodes them (/J#61vaScript too).
PDF_ACTIVE_KEYS = {"/JavaScript", "/JS", "/AA", "/Launch"}
PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/Rendition"}
PDF_MAX_OBJECTS = 200_000  # a walk longer than this is refused, not finished


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
    if kind.extension == "pdf":
        _check_pdf(upload)
    elif kind.extension in ZIPPED:
        _check_zip(upload)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        kind.extension, ALLOWED[kind.extension], upload.size, digest.hexdigest()
    )


def _refuse_pdf(message, code: str):
    return ValidationError(message, code=code)


def _check_pdf(upload) -> None:
    """Refuse a PDF that runs anything: JavaScript, an action when opened (other than
    going to a page) or on an event, a launched program; or one we cannot read."""
    try:
        reader = PdfReader(upload, strict=False)
        root = reader.trailer["/Root"].get_object()
        opening = root.get("/OpenAction")
        if opening is not None and not _is_destination(opening.get_object()):
            raise _refuse_pdf(
                _("PDFs that run an action when opened are not allowed."), "pdf_active"
            )
        if _has_active_content(root):
            raise _refuse_pdf(
                _("PDFs with JavaScript or other active content are not allowed."),
                "pdf_active",
            )
    except ValidationError:
        raise
    except (
        PyPdfError,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        RecursionError,
    ):
        raise _refuse_pdf(
            _("This PDF cannot be read; please save it again as PDF."), "pdf_unreadable"
        ) from None


def _is_destination(value) -> bool:
    # Opening at a page ([page /Fit], a named destination or a GoTo action) is
    # harmless, and LibreOffice writes it into ordinary PDFs.
    if isinstance(value, ArrayObject | str | bytes):
        return True
    return isinstance(value, DictionaryObject) and value.get("/S") == "/GoTo"


def _has_active_content(root) -> bool:
    """Walk every dictionary and array reachable from the catalogue (not the
    content streams' data) looking for scripts and actions."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    walked = 0
    while stack:
        value = stack.pop()
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key in seen:
                continue
            seen.add(key)
            value = value.get_object()
        walked += 1
        if walked > PDF_MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(value, DictionaryObject):
            if PDF_ACTIVE_KEYS & {str(key) for key in value}:
                return True
            if value.get("/S") in PDF_ACTIVE_ACTIONS:
                return True
            stack.extend(
                item for key, item in value.items() if key != NameObject("/Parent")
            )
        elif isinstance(value, ArrayObject):
            stack.extend(value)
    return False


def _check_zip(upload) -> None:
    """Refuse an office file that unpacks to more than the limit (a zip bomb)."""
    limit = settings.CONTRACT_DOCUMENT_MAX_UNPACKED_BYTES
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ValidationError(
            _("This file cannot be read; please save it again."), code="zip_unreadable"
        ) from None
    # Python's zipfile never unpacks more than an entry's declared size (a longer
    # entry fails its CRC check), so the declared sizes bound what is unpacked.
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limit or len(entries) > settings.CONTRACT_DOCUMENT_MAX_ENTRIES:
        raise ValidationError(
            _("The file unpacks to more than %(limit)s; it is not accepted."),
            params={"limit": filesizeformat(limit)},
            code="zip_bomb",
        )
