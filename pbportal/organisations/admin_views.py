"""The site administrator's pages for organisations: adding one with its first admin, and inviting more admins."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..audit import refuse
from ..auth.invitations import AlreadyHasAccount, invite_new, statuses
from ..auth.models import Organisation, Role, User
from ..extensions import db
from . import services
from .forms import AdminInviteForm, OrganisationForm
from .services import StaffError

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


def _site_admin() -> None:
    if current_user.role != Role.ADMIN:
        refuse("site administration")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    _site_admin()
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = services.create_organisation(form.name.data, form.kind.data, form.admin_name.data,
                                               form.admin_email.data, current_user)
        except StaffError as err:
            db.session.rollback()
            form.name.errors.append(str(err))
        except AlreadyHasAccount:
            db.session.rollback()
            form.admin_email.errors.append("Someone already has a pbportal account with this email address. "
                                           "Use a different address.")
        else:
            db.session.commit()
            flash(f"{org.name} is added, and its admin has been invited.", "success")
            return redirect(url_for("organisations.show", org_id=org.id), 303)
    return render_template("organisations/new.html", form=form)


@bp.route("/<int:org_id>", methods=["GET", "POST"])
@login_required
def show(org_id: int):
    _site_admin()
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    form = AdminInviteForm()
    if form.validate_on_submit():
        try:
            invite_new(form.email.data, form.name.data, Role.ORG_ADMIN, org, current_user, org.name)
        except AlreadyHasAccount:
            form.email.errors.append("Someone already has a pbportal account with this email address. "
                                     "Use a different address.")
        else:
            db.session.commit()
            flash(f"{form.name.data} has been invited as an admin of {org.name}.", "success")
            return redirect(url_for("organisations.show", org_id=org.id), 303)
    admins = db.session.scalars(select(User).where(User.organisation_id == org.id, User.role == Role.ORG_ADMIN)
                                .order_by(User.name)).all()
    return render_template("organisations/show.html", org=org, admins=admins, states=statuses(admins), form=form)
