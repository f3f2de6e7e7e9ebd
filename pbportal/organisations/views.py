"""An organisation admin's pages: the organisation's staff, inviting them, and each person's role and access."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..audit import record, refuse
from ..auth import two_factor
from ..auth.invitations import AlreadyHasAccount, statuses
from ..auth.models import ROLE_LABELS, Organisation, Role, User
from ..extensions import db
from ..forms import ActionForm
from ..partials import render
from . import services
from .forms import ContactForm, InviteForm, RoleForm
from .services import FILTER_LABELS, StaffError

bp = Blueprint("organisation", __name__, url_prefix="/organisation")
CONTACT_FIELDS = ("contact_phone", "contact_email", "contact_hours")


def _admins_org() -> Organisation:
    """The signed-in organisation admin's organisation; 404 for everyone else."""
    if current_user.role != Role.ORG_ADMIN or current_user.organisation is None:
        refuse("organisation staff pages")
    return current_user.organisation


def _member_or_404(org: Organisation, user_id: int) -> User:
    found = services.member_or_none(org, user_id)
    if found is None:
        refuse("User", user_id)
    return found


@bp.route("/staff")
@login_required
def staff():
    org = _admins_org()
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    page = services.staff_page(org, request.args.get("page", type=int), role, status)
    return render("organisations/staff.html", "organisations/_staff.html", org=org, page=page,
                  states=statuses(page.items), roles=services.role_choices(org), role=role, status=status,
                  status_labels=FILTER_LABELS, pager_args={k: v for k, v in (("role", role), ("status", status)) if v})


@bp.route("/staff/invite", methods=["GET", "POST"])
@login_required
def invite():
    org = _admins_org()
    form = InviteForm(roles=services.role_choices(org))
    if form.validate_on_submit():
        try:
            person = services.invite_staff(org, form.name.data, form.email.data, form.role.data, current_user)
        except AlreadyHasAccount:
            form.email.errors.append("Someone already has a pbportal account with this email address. "
                                     "Ask them, or use a different address.")
        else:
            db.session.commit()
            flash(f"Invitation sent to {person.name} at {person.email}.", "success")
            return redirect(url_for("organisation.person", user_id=person.id), 303)
    return render_template("organisations/invite.html", org=org, form=form)


def _person_page(org, person, role_form=None, status=200):
    return render_template("organisations/person.html", org=org, person=person, state=statuses([person])[person.id],
                           role_form=role_form or RoleForm(roles=services.role_choices(org), role=person.role),
                           action=ActionForm(), is_me=person.id == current_user.id,
                           role_label=ROLE_LABELS[Role(person.role)]), status


@bp.route("/staff/<int:user_id>")
@login_required
def person(user_id: int):
    org = _admins_org()
    return _person_page(org, _member_or_404(org, user_id))


@bp.route("/staff/<int:user_id>/role", methods=["POST"])
@login_required
def change_role(user_id: int):
    org = _admins_org()
    member = _member_or_404(org, user_id)
    form = RoleForm(roles=services.role_choices(org))
    if form.validate_on_submit():
        try:
            services.change_role(member, form.role.data, current_user)
        except StaffError as err:
            db.session.rollback()
            form.role.errors.append(str(err))
        else:
            db.session.commit()
            flash(f"{member.name} is now: {ROLE_LABELS[Role(member.role)]}.", "success")
            return redirect(url_for("organisation.person", user_id=member.id), 303)
    return _person_page(org, _member_or_404(org, user_id), form)


def _action(user_id: int, act, done: str):
    org = _admins_org()
    member = _member_or_404(org, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        act(member, current_user)
    except (StaffError, ValueError) as err:
        db.session.rollback()
        flash(str(err), "important")
    else:
        db.session.commit()
        flash(done.format(name=member.name, email=member.email), "success")
    return redirect(url_for("organisation.person", user_id=user_id), 303)


@bp.route("/staff/<int:user_id>/resend", methods=["POST"])
@login_required
def resend(user_id: int):
    return _action(user_id, services.resend, "A new invitation has been sent to {email}. The old link no longer works.")


@bp.route("/staff/<int:user_id>/cancel", methods=["POST"])
@login_required
def cancel(user_id: int):
    return _action(user_id, services.cancel, "The invitation to {name} is cancelled: its link no longer works.")


@bp.route("/staff/<int:user_id>/reactivate", methods=["POST"])
@login_required
def reactivate(user_id: int):
    return _action(user_id, services.reactivate, "{name} can sign in again.")


@bp.route("/staff/<int:user_id>/deactivate", methods=["GET", "POST"])
@login_required
def deactivate(user_id: int):
    org = _admins_org()
    member = _member_or_404(org, user_id)
    form = ActionForm()
    error = ""
    if form.validate_on_submit():
        try:
            services.deactivate(member, current_user)
        except StaffError as err:
            db.session.rollback()
            error = str(err)
        else:
            db.session.commit()
            flash(f"{member.name} is deactivated and has been signed out everywhere. Their records stay.", "success")
            return redirect(url_for("organisation.person", user_id=member.id), 303)
    return render_template("organisations/deactivate.html", org=org, person=member, form=form, error=error)


@bp.route("/staff/<int:user_id>/two-factor", methods=["GET", "POST"])
@login_required
def reset_two_factor(user_id: int):
    """A lost phone: the person sets up two-factor sign-in again at their next sign-in."""
    org = _admins_org()
    member = _member_or_404(org, user_id)
    if not member.has_two_factor or member.id == current_user.id:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        two_factor.reset_by_admin(member, current_user)
        db.session.commit()
        flash(f"{member.name}’s two-factor sign-in is reset. They have been signed out, and will set it up again "
              "when they next sign in.", "success")
        return redirect(url_for("organisation.person", user_id=member.id), 303)
    return render_template("organisations/reset_two_factor.html", org=org, person=member, form=form)


@bp.route("/contact", methods=["GET", "POST"])
@login_required
def contact():
    """How people reach the organisation: shown on the help page and the budget page of the people it funds or
    whose accounts it holds."""
    org = _admins_org()
    form = ContactForm(obj=org)
    if form.validate_on_submit():
        before = {name: getattr(org, name) for name in CONTACT_FIELDS}
        for name in CONTACT_FIELDS:
            setattr(org, name, form[name].data or "")
        changed = {name: getattr(org, name) for name in CONTACT_FIELDS if getattr(org, name) != before[name]}
        if changed:
            record("organisation.contact_changed", org, actor=current_user, budget_id=None, was=before, now=changed)
        db.session.commit()
        flash("Contact details saved. People will see them on their help page and budget page.", "success")
        return redirect(url_for("organisation.contact"), 303)
    return render_template("organisations/contact.html", org=org, form=form)
