"""Checking and storing receipts: type by content, size, and no location data left in photos."""
from __future__ import annotations

import hashlib
import io
import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, send_file
from PIL import Image, ImageOps, UnidentifiedImageError

from ..storage import uploads

Image.MAX_IMAGE_PIXELS = 60_000_000  # a 60-megapixel photo is plenty; larger is refused, not decoded

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"


class ReceiptError(ValueError):
    """The file is not a receipt we can keep; the message is for the user."""


@dataclass
class CheckedReceipt:
    content: bytes
    content_type: str
    original_name: str


def sniff(head: bytes) -> str | None:
    """The file's type from its first bytes, whatever its name says."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_receipt(stream, filename: str, max_bytes: int) -> CheckedReceipt:
    """Read an upload, refuse what is too big or not a photo/PDF, and strip photo metadata."""
    content = stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ReceiptError(f"The receipt must be smaller than {max_bytes // (1024 * 1024)} MB")
    if not content:
        raise ReceiptError("The selected file is empty")
    kind = sniff(content[:16])
    if kind is None:
        raise ReceiptError("The receipt must be a photo (JPG, PNG or WEBP) or a PDF")
    if kind == "application/pdf":
        if b"%%EOF" not in content[-2048:]:
            raise ReceiptError("The PDF could not be read: it may be damaged. Try saving it again")
    else:
        content = _clean_image(content, kind)
    name = os.path.basename(filename or "receipt").strip()[:200] or "receipt"
    return CheckedReceipt(content, kind, name)


def check_upload(upload, max_bytes: int) -> CheckedReceipt | None:
    """The file chosen in a form's receipt field, checked (ReceiptError if it cannot be kept); None when no file
    was chosen."""
    if not upload or not getattr(upload, "filename", ""):
        return None
    return check_receipt(upload.stream, upload.filename, max_bytes)


def _clean_image(content: bytes, kind: str) -> bytes:
    """Re-encode the photo upright, without EXIF (so no GPS location, camera or owner data)."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            fmt = image.format
            image = ImageOps.exif_transpose(image)
            if fmt == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            save_args = {"quality": 88, "optimize": True} if fmt in ("JPEG", "WEBP") else {"optimize": True}
            image.save(out, format=fmt, **save_args)  # no exif= argument: metadata is dropped
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise ReceiptError("The photo could not be read: it may be damaged. Try taking it again") from None


def store(upload_dir: str, content: bytes, prefix: str = "") -> tuple[str, str]:
    """Write the bytes under a random name, as a pending file (`.{key}.tmp`) that `link` makes the receipt's file
    once its row is committed; returns (storage key, sha256). A crash before the commit leaves only a pending
    file, which `sweep` removes after a day; a crash after it leaves a pending file whose row exists, which is
    linked when it is first asked for (`read`) or by `sweep`. So there is never a row without its file, nor,
    for longer than a day, a file without its row. `upload_dir` is the upload store's location (a folder, or
    s3://bucket/prefix: pbportal.storage)."""
    key = secrets.token_hex(16)
    uploads(upload_dir).put(prefix + _pending(key), content)
    return key, hashlib.sha256(content).hexdigest()


def _pending(key: str) -> str:
    return f"{key[:2]}/.{key}.tmp"


def _final(key: str) -> str:
    return f"{key[:2]}/{key}"


def link(upload_dir: str, key: str, prefix: str = "") -> None:
    """The row is committed: the pending file becomes the receipt's file (a rename; on S3, a copy and a delete)."""
    uploads(upload_dir).rename(prefix + _pending(key), prefix + _final(key))


def read(upload_dir: str, key: str, prefix: str = "") -> bytes | None:
    """The receipt's bytes (for a committed row), linking it first if a crash came between commit and link; None
    if the store has no such file."""
    found = uploads(upload_dir).get(prefix + _final(key))
    if found is None:
        link(upload_dir, key, prefix)
        found = uploads(upload_dir).get(prefix + _final(key))
    return found


def discard(upload_dir: str, key: str, prefix: str = "") -> None:
    """Remove a stored file whose database row was never committed."""
    store_ = uploads(upload_dir)
    for name in (_pending(key), _final(key)):
        store_.delete(prefix + name)


def sweep(upload_dir: str, has_row, older_than: timedelta = timedelta(days=1), prefix: str = "") -> tuple[int, int]:
    """Tidy the upload store: pending files whose row exists are linked; files with no row, older than a day (a
    request still saving one is younger), are removed. `has_row(keys)` answers which keys have a row. Returns
    (linked, removed). Receipts are at the top of the store; other kinds of file (documents) under a `prefix`,
    swept with their own `has_row`."""
    cutoff = time.time() - older_than.total_seconds()
    found: dict[str, list[tuple[bool, float]]] = {}
    for name, modified in uploads(upload_dir).listing(prefix.rstrip("/")):
        folder, _, file = name[len(prefix):].partition("/")
        if len(folder) != 2 or "/" in file or not file:
            continue  # not a receipt (statements waiting to be imported, documents, exports…)
        pending = file.startswith(".") and file.endswith(".tmp")
        key = file[1:-4] if pending else file
        if len(key) == 32 and key[:2] == folder:
            found.setdefault(key, []).append((pending, modified))
    rows = has_row(list(found))
    linked = removed = 0
    for key, files in found.items():
        if key in rows:
            if all(pending for pending, _ in files):
                link(upload_dir, key, prefix)
                linked += 1
        elif all(modified < cutoff for _, modified in files):
            discard(upload_dir, key, prefix)
            removed += 1
    return linked, removed


def check_form_receipt(form) -> bool:
    """Read and check a form's optional `receipt` file: sets `form.checked_receipt` (None when no file was
    chosen), or puts the reason on the field and answers False. Forms call it once their other fields are right,
    so a large file is read only when it can be kept."""
    try:
        form.checked_receipt = check_upload(form.receipt.data, current_app.config["RECEIPT_MAX_BYTES"])
    except ReceiptError as err:
        form.receipt.errors.append(str(err))
        return False
    return True


def file_response(content: bytes, content_type: str, name: str, download: bool = False):
    """A stored receipt or document, sent after the caller's access check: photos open in the browser unless
    asked to download; PDFs always download, so no PDF is ever rendered inside our origin. Never cached, never
    sniffed, its name neutralised by Content-Disposition."""
    inline = content_type.startswith("image/") and not download
    response = send_file(io.BytesIO(content), mimetype=content_type, download_name=name, as_attachment=not inline,
                         max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
