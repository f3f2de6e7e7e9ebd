"""Keeping documents: checked like receipts (type by content, size, photo metadata stripped, names neutralised),
stored under documents/ in the upload store, linked only once their row is committed, removed only with a
reason (the row and the audit trail stay)."""
from __future__ import annotations

from collections import defaultdict

from flask import g
from sqlalchemy import column, select, table
from sqlalchemy.orm import joinedload

from ..audit import record
from ..extensions import db
from ..spending.receipts import CheckedReceipt, discard, link, read, store, sweep
from ..spending.services import rows_naming
from ..timeutil import utcnow
from .models import Document, Subject

PREFIX = "documents/"

# The tables of the records a document can be about, each with a budget_id column: a document's subject must be
# one of that budget's records (checked here, so this layer needs none of theirs).
SUBJECT_TABLES = {
    Subject.PA: "personal_assistant",
    Subject.CHECK: "employment_check",
    Subject.REVIEW: "review",
    Subject.REVIEW_REQUEST: "review_request",
    Subject.LINE_COMMENT: "line_comment",
    Subject.RETURN_EVENT: "return_event",
}


def subject_exists(budget_id: int, about: str, about_id: int | None) -> bool:
    """Whether the record a document would be about is one of this budget's."""
    if about == Subject.BUDGET:
        return about_id is None
    name = SUBJECT_TABLES.get(about)
    if name is None or about_id is None:
        return False
    subject = table(name, column("id"), column("budget_id"))
    return db.session.scalar(select(subject.c.id).where(subject.c.id == about_id,
                                                        subject.c.budget_id == budget_id)) is not None


def add(budget_id: int, checked: CheckedReceipt, kind: str, title: str, about: str, about_id: int | None, actor,
        location: str) -> Document:
    """Store the file and its row, and commit: all or nothing (a failure removes the file again)."""
    key, digest = store(location, checked.content, PREFIX)
    try:
        document = Document(budget_id=budget_id, kind=kind, title=title or checked.original_name, about=about,
                            about_id=about_id, storage_key=key, original_name=checked.original_name,
                            content_type=checked.content_type, size_bytes=len(checked.content), sha256=digest,
                            uploaded_by_id=actor.id)
        db.session.add(document)
        record("document.uploaded", document, actor=actor, budget_id=budget_id, kind=kind, about=about,
               about_id=about_id, name=checked.original_name, size_bytes=len(checked.content))
        db.session.commit()
    except Exception:
        db.session.rollback()
        discard(location, key, PREFIX)
        raise
    link(location, key, PREFIX)  # only now: the row that names the file is committed
    return document


def remove(document: Document, reason: str, actor) -> None:
    """Hide the document from lists and downloads; the row stays, with who, when and why, and so does the file
    until the budget's records are removed at the end of retention."""
    document.removed_at, document.removed_by_id, document.removed_reason = utcnow(), actor.id, reason
    record("document.removed", document, actor=actor, budget_id=document.budget_id, kind=document.kind,
           title=document.title, reason=reason)


def content_of(document: Document, location: str) -> bytes | None:
    return read(location, document.storage_key, PREFIX)


def kept(budget_id: int) -> list[Document]:
    """The budget's documents not removed, newest first, with who uploaded them."""
    return list(db.session.scalars(
        select(Document).options(joinedload(Document.uploaded_by))
        .where(Document.budget_id == budget_id, Document.removed_at.is_(None))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())))


def by_subject(budget_id: int) -> dict[tuple[str, int | None], list[Document]]:
    """The budget's documents by what they are about, for a page that shows them beside many records: one query
    a request, however many records the page shows (kept on the request's `g`)."""
    cache = g.setdefault("documents_by_subject", {})
    if budget_id not in cache:
        found: dict[tuple[str, int | None], list[Document]] = defaultdict(list)
        for document in kept(budget_id):
            found[(document.about, document.about_id)].append(document)
        cache[budget_id] = found
    return cache[budget_id]


def sweep_documents(location: str) -> tuple[int, int]:
    """Documents' files left by a crash: linked if their row committed, removed after a day if not."""
    return sweep(location, rows_naming(Document.storage_key), prefix=PREFIX)
