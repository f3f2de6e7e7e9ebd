"""People and organisations."""
from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..choices import check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class OrgKind(enum.StrEnum):
    """Funders (a council, or an NHS body for personal health budgets) and managed-account providers."""

    COUNCIL = "council"
    NHS = "nhs"
    PROVIDER = "provider"


ORG_KIND_LABELS = {OrgKind.COUNCIL: "Council", OrgKind.NHS: "NHS body", OrgKind.PROVIDER: "Managed-account provider"}


class Role(enum.StrEnum):
    HOLDER = "holder"
    REPRESENTATIVE = "representative"
    PROVIDER_STAFF = "provider_staff"
    CASE_MANAGER = "case_manager"
    ORG_ADMIN = "org_admin"
    ADMIN = "admin"


ROLE_LABELS = {Role.HOLDER: "Budget holder", Role.REPRESENTATIVE: "Representative of a budget holder",
               Role.PROVIDER_STAFF: "Staff of a managed-account provider", Role.CASE_MANAGER: "Case manager",
               Role.ORG_ADMIN: "Organisation administrator", Role.ADMIN: "Site administrator"}
# Staff sign in with two factors; holders and representatives may choose to.
STAFF_ROLES = (Role.PROVIDER_STAFF, Role.CASE_MANAGER, Role.ORG_ADMIN, Role.ADMIN)


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (CheckConstraint(check_in("kind", OrgKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # A funder's own settings; empty means the default for its kind (see the properties below).
    first_review_months_setting: Mapped[int | None] = mapped_column("first_review_months")
    review_interval_months_setting: Mapped[int | None] = mapped_column("review_interval_months")
    contingency_weeks_setting: Mapped[int | None] = mapped_column("contingency_weeks")
    surplus_weeks_setting: Mapped[int | None] = mapped_column("surplus_weeks")
    return_interval_months_setting: Mapped[int | None] = mapped_column("return_interval_months")
    # How people reach the organisation: shown to the people it funds or whose accounts it holds (help pages,
    # the budget page), set by its admin.
    contact_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    contact_hours: Mapped[str] = mapped_column(String(200), default="", server_default="")

    @property
    def first_review_months(self) -> int:
        """Council DPs: within 6 months of the first payment; NHS personal health budgets: 3 months."""
        return self.first_review_months_setting or (3 if self.kind == OrgKind.NHS else 6)

    @property
    def review_interval_months(self) -> int:
        return self.review_interval_months_setting or 12

    @property
    def contingency_weeks(self) -> int:
        """Weeks of the costliest contingency arrangement the money held should cover."""
        return self.contingency_weeks_setting or 4

    @property
    def surplus_weeks(self) -> int:
        """Weeks of funding held above which the funder counts money as surplus (and may claw it back)."""
        return self.surplus_weeks_setting or 8

    @property
    def return_interval_months(self) -> int:
        """How often a monitoring return is due for each of its budgets (a direct payment's or a managed
        account's), in months from the plan year's start."""
        return self.return_interval_months_setting or 3

    @property
    def kind_label(self) -> str:
        return ORG_KIND_LABELS[self.kind]

    @property
    def is_funder(self) -> bool:
        """Councils and NHS bodies fund budgets (and have settings); providers hold managed accounts."""
        return self.kind != OrgKind.PROVIDER


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(check_in("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the person accepted their invitation and chose a password; None while the invitation is open (an
    # invited person cannot sign in or reset a password until then).
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Two-factor sign-in (auth/two_factor.py): the TOTP key once confirmed, when, and the last time-step used
    # (a code works once). Staff must use it unless exempt, which only the demo data sets.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    two_factor_exempt: Mapped[bool] = mapped_column(default=False, server_default=false())

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    def set_password(self, password: str) -> None:
        """A password chosen: an invited person joins when they choose their first."""
        self.password_hash = generate_password_hash(
            password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        )
        if self.joined_at is None:
            self.joined_at = utcnow()

    def check_password(self, password: str) -> bool:
        return self.password_hash != "" and check_password_hash(self.password_hash, password)

    # The token of the device session this request came with (auth/sessions.py): what Flask-Login keeps in the
    # cookie. Set when the session is begun or found; never stored on the user.
    current_session_token = None  # str while a request has one; a plain attribute, not a column

    def get_id(self) -> str | None:
        return self.current_session_token

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def has_joined(self) -> bool:
        return self.joined_at is not None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def must_set_up_two_factor(self) -> bool:
        return self.is_staff and not self.has_two_factor and not self.two_factor_exempt

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]
