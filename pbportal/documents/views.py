"""A budget's documents: listed by kind, uploaded (for the budget, or attached to one of its records), opened
through the access check, and removed with a reason."""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.models import Role
from ..budget.access import get_budget_or_404, holds_the_account, owned_or_404
from ..extensions import db
from ..spending.receipts import ACCEPT, file_response
from ..storage import upload_location
from . import services
from .forms import DocumentForm, RemoveForm
from .models import DOCUMENT_KINDS, Document, Subject

bp = Blueprint("documents", __name__, url_prefix="/budgets/<int:budget_id>/documents")


def may_keep(user, budget) -> bool:
    """Who may add and remove documents on a budget they can see: the person and those acting for them, their
    case manager, and the provider holding a managed account."""
    return user.role in (Role.HOLDER, Role.REPRESENTATIVE, Role.CASE_MANAGER) or holds_the_account(user, budget)


def _back(budget, value: str) -> str | None:
    """Where to go after an upload from another page of this budget (the PA page, a review…); None otherwise."""
    if re.fullmatch(rf"/budgets/{budget.id}/[A-Za-z0-9/_-]*(#[a-z0-9-]+)?", value or ""):
        return value
    return None


def _index(budget, form, status=200):
    documents = services.kept(budget.id)
    grouped = {label: [d for d in documents if d.kind == kind] for kind, label in DOCUMENT_KINDS.items()}
    return render_template("documents/index.html", budget=budget, form=form, accept=ACCEPT,
                           grouped={k: v for k, v in grouped.items() if v}, count=len(documents),
                           can_keep=may_keep(current_user, budget)), status


@bp.route("", methods=["GET", "POST"])
@login_required
def index(budget_id: int):
    budget = get_budget_or_404(budget_id)
    form = DocumentForm() if may_keep(current_user, budget) else None
    if request.method == "POST":
        if form is None:
            abort(404)
        about, about_id = form.about.data, int(form.about_id.data) if (form.about_id.data or "").isdigit() else None
        if about not in set(Subject) or not services.subject_exists(budget.id, about, about_id):
            abort(404)  # a record of another budget, or none: nothing to attach to
        if form.validate_on_submit():
            document = services.add(budget.id, form.checked, form.kind.data, form.title.data, about, about_id,
                                    current_user, upload_location())
            flash(f"{document.kind_label} ‘{document.title}’ uploaded.", "success")
            return redirect(_back(budget, form.back.data) or url_for("documents.index", budget_id=budget.id), 303)
    return _index(budget, form)


@bp.route("/<int:document_id>")
@login_required
def open_document(budget_id: int, document_id: int):
    budget = get_budget_or_404(budget_id)
    document = owned_or_404(Document, document_id, budget)
    if document.removed_at is not None:
        abort(404)
    content = services.content_of(document, upload_location())
    if content is None:
        abort(404)
    return file_response(content, document.content_type, document.original_name, request.args.get("download") == "1")


@bp.route("/<int:document_id>/remove", methods=["GET", "POST"])
@login_required
def remove(budget_id: int, document_id: int):
    budget = get_budget_or_404(budget_id, may_keep)
    document = owned_or_404(Document, document_id, budget, joinedload(Document.uploaded_by))
    if document.removed_at is not None:
        abort(404)
    form = RemoveForm()
    if form.validate_on_submit():
        # Two people removing it at once: the row lock makes the second see the first's removal.
        db.session.execute(select(Document.id).where(Document.id == document.id).with_for_update())
        db.session.refresh(document, attribute_names=["removed_at"])
        if document.removed_at is not None:
            flash(f"‘{document.title}’ had just been removed by someone else.", "important")
            return redirect(url_for("documents.index", budget_id=budget.id), 303)
        services.remove(document, form.reason.data, current_user)
        db.session.commit()
        flash(f"‘{document.title}’ removed. It no longer shows here; the record of it stays.", "success")
        return redirect(url_for("documents.index", budget_id=budget.id), 303)
    return render_template("documents/remove.html", budget=budget, document=document, form=form)
