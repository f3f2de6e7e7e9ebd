"""Notifications in the portal: the list, opening one, marking read, and how each person wants to hear."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..partials import render, wants_partial
from .forms import settings_form
from .models import CHANNEL_LABELS, KINDS, Channel, Kind
from .services import find, kinds_for, mark_all_read, mark_read, page_for, save_settings, settings_for, unread_count

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def header_count():
    """The header's unread count, asked for only by pages that show it (one query)."""
    return {"notification_count": lambda: unread_count(current_user) if current_user.is_authenticated else 0}


def _list(status: int = 200):
    user = current_user._get_current_object()
    page = page_for(user, request.args.get("page", type=int))
    body = render("notifications/list.html", "notifications/_list.html", page=page, unread=unread_count(user))
    return body, status


@bp.route("")
@login_required
def list_page():
    return _list()


@bp.route("/count")
@login_required
def count():
    """The header's count, for htmx to refresh now and then."""
    return render_template("notifications/_count.html", unread=unread_count(current_user))


@bp.route("/<int:notification_id>")
@login_required
def open_one(notification_id: int):
    """Opening a notification marks it read and goes to what it is about."""
    found = find(current_user, notification_id)
    if found is None:
        abort(404)
    mark_read(found)
    db.session.commit()
    return redirect(request.script_root + found.link, 303)


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def read_one(notification_id: int):
    found = find(current_user, notification_id)
    if found is None:
        abort(404)
    mark_read(found)
    db.session.commit()
    return _after_change()


@bp.route("/read", methods=["POST"])
@login_required
def read_all():
    marked = mark_all_read(current_user)
    db.session.commit()
    if not wants_partial():
        flash("All your notifications are marked as read." if marked else "You had no unread notifications.",
              "success")
    return _after_change()


def _after_change():
    if wants_partial():
        return _list()
    return redirect(url_for("notifications.list_page", page=request.args.get("page", type=int)), 303)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    user = current_user._get_current_object()
    kinds = kinds_for(user)
    if not kinds:
        return render_template("notifications/settings.html", form=None, kinds=kinds)
    current = settings_for(user)
    form = settings_form(kinds, current)
    if form.validate_on_submit():
        save_settings(user, {kind: Channel(form[kind.value].data) for kind in kinds})
        db.session.commit()
        flash("Your choices have been saved.", "success")
        return redirect(url_for("notifications.settings"), 303)
    return render_template("notifications/settings.html", form=form, kinds=kinds, info=KINDS,
                           labels=CHANNEL_LABELS, Kind=Kind)
