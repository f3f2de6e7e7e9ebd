"""What any request may carry, checked before any view sees it: ids in addresses no larger than the id columns
hold, and no NUL character anywhere (PostgreSQL cannot store one in text, and no person types one)."""
from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

# Ids are INTEGER columns: 32-bit on PostgreSQL. A bigger number cannot name anything.
LARGEST_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a number past LARGEST_ID does not match, so the address is not found (404)."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits, min, LARGEST_ID if max is None else max, signed)


def register(app: Flask) -> None:
    """Before the blueprints: the converter applies to the rules added after it."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_nul)


def _refuse_nul() -> None:
    if "\x00" in request.full_path or any("\x00" in value for value in request.args.values()):
        abort(400)
    too_large = request.max_content_length is not None and (request.content_length or 0) > request.max_content_length
    if too_large:  # not read here: the view (or its access check) answers first, then 413
        return
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in ("application/x-www-form-urlencoded",
                                                                           "multipart/form-data"):
        if any("\x00" in value for value in request.form.values()) or any(
                "\x00" in (f.filename or "") for f in request.files.values()):
            abort(400)
