"""Checking and storing receipts: type by content, size, and no location data left in photos."""
from __future__ import annotations

import hashlib
import io
import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

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


def store(upload_dir: str, content: bytes) -> tuple[str, str]:
    """Write the bytes under a random name, as a pending file (`.{key}.tmp`) that `link` makes the receipt's file
    once its row is committed; returns (storage key, sha256). A crash before the commit leaves only a pending
    file, which `sweep` removes after a day; a crash after it leaves a pending file whose row exists, which is
    linked when it is first asked for (`path_for`) or by `sweep`. So there is never a row without its file, nor,
    for longer than a day, a file without its row."""
    key = secrets.token_hex(16)
    pending = _pending(upload_dir, key)
    pending.parent.mkdir(parents=True, exist_ok=True)
    pending.write_bytes(content)
    return key, hashlib.sha256(content).hexdigest()


def _pending(upload_dir: str, key: str) -> Path:
    return Path(upload_dir) / key[:2] / f".{key}.tmp"


def link(upload_dir: str, key: str) -> None:
    """The row is committed: the pending file becomes the receipt's file (an atomic rename)."""
    pending = _pending(upload_dir, key)
    if pending.exists():
        os.replace(pending, Path(upload_dir) / key[:2] / key)


def path_for(upload_dir: str, key: str) -> Path:
    """The receipt's file (for a committed row), linking it first if a crash came between commit and link."""
    target = Path(upload_dir) / key[:2] / key
    if not target.exists():
        link(upload_dir, key)
    return target


def discard(upload_dir: str, key: str) -> None:
    """Remove a stored file whose database row was never committed."""
    for path in (_pending(upload_dir, key), Path(upload_dir) / key[:2] / key):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def sweep(upload_dir: str, has_row, older_than: timedelta = timedelta(days=1)) -> tuple[int, int]:
    """Tidy the upload store: pending files whose row exists are linked; files with no row, older than a day (a
    request still saving one is younger), are removed. `has_row(keys)` answers which keys have a row. Returns
    (linked, removed)."""
    root = Path(upload_dir)
    if not root.exists():
        return 0, 0
    cutoff = time.time() - older_than.total_seconds()
    found: dict[str, list[tuple[Path, bool]]] = {}
    for path in root.glob("*/*"):
        if path.is_file():
            pending = path.name.startswith(".") and path.name.endswith(".tmp")
            found.setdefault(path.name[1:-4] if pending else path.name, []).append((path, pending))
    rows = has_row(list(found))
    linked = removed = 0
    for key, paths in found.items():
        if key in rows:
            if all(pending for _, pending in paths):
                link(upload_dir, key)
                linked += 1
        elif all(path.stat().st_mtime < cutoff for path, _ in paths):
            discard(upload_dir, key)
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
