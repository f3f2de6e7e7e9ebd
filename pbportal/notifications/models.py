"""Notifications: what a person is told, in the portal and by email, and how each person wants to hear."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..choices import check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class Channel(enum.StrEnum):
    """How a person hears of one kind of notification (always in the portal as well)."""

    EMAIL = "email"
    DIGEST = "digest"
    PORTAL = "portal"


CHANNEL_LABELS = {Channel.EMAIL: "An email straight away", Channel.DIGEST: "One email a day with everything new",
                  Channel.PORTAL: "Only here in pbportal"}


class Kind(enum.StrEnum):
    """What a notification is about. KINDS below describes the ones the portal sends."""

    # To a holder and their representatives
    PA_CHECK_EXPIRING = "pa_check_expiring"
    PAY_BELOW_MINIMUM = "pay_below_minimum"
    PLAN_SHORT_OF_COST = "plan_short_of_cost"
    REVIEW_STEP = "review_step"
    REVIEW_RECORDED = "review_recorded"
    PLAN_AGREED = "plan_agreed"
    LINE_OVERSPENT = "line_overspent"
    MONEY_LOW = "money_low"
    MONEY_SURPLUS = "money_surplus"
    LINE_ANSWERED = "line_answered"
    RETURN_SUBMITTED_FOR_ACCOUNT = "return_submitted_for_account"
    EXPORT_READY = "export_ready"
    # To a managed-account provider's staff
    HOLDER_QUESTION = "holder_question"
    RETURN_QUERIED = "return_queried"
    RETURN_ACCEPTED = "return_accepted"
    STATEMENT_NOT_IMPORTED = "statement_not_imported"
    # To a case manager
    REVIEW_REQUESTED = "review_requested"
    REVIEW_COMING_DUE = "review_coming_due"
    REVIEW_OVERDUE = "review_overdue"
    RETURN_SUBMITTED = "return_submitted"
    WARNING_STANDING = "warning_standing"


@dataclass(frozen=True)
class KindInfo:
    label: str  # what a person chooses about, on the settings page
    hint: str
    default: Channel
    audience: tuple[str, ...]  # roles that can receive it (the settings page shows only these)


HOLDER_SIDE = ("holder", "representative")
CASE_MANAGER = ("case_manager",)
PROVIDER = ("provider_staff",)
KINDS: dict[Kind, KindInfo] = {
    # The holder and their representatives
    Kind.PA_CHECK_EXPIRING: KindInfo(
        "Checks, training and insurance running out",
        "A personal assistant's DBS check, right to work or training, or the employer's insurance: 30 days "
        "before, 7 days before and on the day", Channel.EMAIL, HOLDER_SIDE),
    Kind.PAY_BELOW_MINIMUM: KindInfo(
        "Pay below the minimum wage", "When pay is recorded, or a rate changes, below the legal minimum",
        Channel.EMAIL, HOLDER_SIDE),
    Kind.PLAN_SHORT_OF_COST: KindInfo(
        "The plan short of what employing costs", "When the plan's lines for personal assistants fall short of "
        "their true cost (pay, employer's National Insurance, pension and holiday)", Channel.EMAIL, HOLDER_SIDE),
    Kind.REVIEW_STEP: KindInfo(
        "Review requests", "Each step of a review request: acknowledged, booked, completed or declined",
        Channel.EMAIL, HOLDER_SIDE),
    Kind.REVIEW_RECORDED: KindInfo("Reviews recorded", "When your case manager records a review",
                                   Channel.EMAIL, HOLDER_SIDE),
    Kind.PLAN_AGREED: KindInfo("Plans signed off", "When a version of the plan's budget is signed off",
                               Channel.EMAIL, HOLDER_SIDE),
    Kind.LINE_OVERSPENT: KindInfo("A budget line overspent", "When spending on a line first goes over its budget",
                                  Channel.EMAIL, HOLDER_SIDE),
    Kind.MONEY_LOW: KindInfo(
        "Money held running low", "When the money held first falls below what the funder expects you to keep "
        "for emergencies", Channel.EMAIL, HOLDER_SIDE),
    Kind.MONEY_SURPLUS: KindInfo(
        "Money held above the surplus level", "When the money held first goes above the level at which the "
        "funder may take some back", Channel.DIGEST, HOLDER_SIDE),
    Kind.LINE_ANSWERED: KindInfo("Answers to your questions", "When the provider answers a question you asked "
                                 "about a line of your managed account's statement", Channel.EMAIL, HOLDER_SIDE),
    Kind.RETURN_SUBMITTED_FOR_ACCOUNT: KindInfo(
        "Monitoring returns for your account", "When the provider sends the council a return for your managed "
        "account", Channel.DIGEST, HOLDER_SIDE),
    # A managed-account provider's staff
    Kind.HOLDER_QUESTION: KindInfo("Questions from people", "When someone asks about a line of their statement",
                                   Channel.EMAIL, PROVIDER),
    # (and a direct-payment holder who keeps the account's books and sends the returns)
    Kind.RETURN_QUERIED: KindInfo("Returns queried", "When a case manager queries a monitoring return you sent",
                                  Channel.EMAIL, PROVIDER + HOLDER_SIDE),
    Kind.RETURN_ACCEPTED: KindInfo("Returns accepted", "When a case manager accepts a monitoring return you sent",
                                   Channel.DIGEST, PROVIDER + HOLDER_SIDE),
    Kind.STATEMENT_NOT_IMPORTED: KindInfo(
        "Statements not imported", "When no bank statement has been imported for an account for 35 days",
        Channel.DIGEST, PROVIDER),
    # A case manager
    Kind.REVIEW_REQUESTED: KindInfo("Review requests", "When someone on your caseload asks for a review",
                                    Channel.EMAIL, CASE_MANAGER),
    Kind.REVIEW_COMING_DUE: KindInfo("Reviews coming due", "30 days before a person's review is due",
                                     Channel.DIGEST, CASE_MANAGER),
    Kind.REVIEW_OVERDUE: KindInfo("Reviews overdue", "The day after a person's review was due",
                                  Channel.DIGEST, CASE_MANAGER),
    Kind.RETURN_SUBMITTED: KindInfo("Monitoring returns to check", "When a provider submits a return",
                                    Channel.DIGEST, CASE_MANAGER),
    Kind.WARNING_STANDING: KindInfo(
        "Warnings left standing", "When a warning on someone's budget has stood for 14 days", Channel.DIGEST,
        CASE_MANAGER),
    Kind.EXPORT_READY: KindInfo(
        "Downloads of all the data ready", "When a download of a budget's data you asked for is ready",
        Channel.EMAIL, HOLDER_SIDE + CASE_MANAGER),
}


class Notification(db.Model):
    """One thing one person is told. `occasion` makes telling idempotent: the same person is never told of the
    same occasion twice (a reminders run repeated, or resumed after a crash, adds nothing)."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "occasion"),
        CheckConstraint(check_in("kind", Kind), name="kind"),
        CheckConstraint(check_in("channel", Channel), name="channel"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
        Index("ix_notification_digest", "channel", "emailed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    budget_id: Mapped[int | None] = mapped_column(ForeignKey("budget.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    occasion: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    # Where it leads, inside the portal (a path such as /budgets/3/pas/7).
    link: Mapped[str] = mapped_column(String(300))
    # How the person had chosen to hear of this kind when it was made.
    channel: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When its email (straight away, or in a digest) was queued; None while a digest has still to include it.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def kind_label(self) -> str:
        return KINDS[Kind(self.kind)].label


class NotificationSetting(db.Model):
    """A person's choice for one kind; no row means the kind's default."""

    __tablename__ = "notification_setting"
    __table_args__ = (
        UniqueConstraint("user_id", "kind"),
        CheckConstraint(check_in("kind", Kind), name="kind"),
        CheckConstraint(check_in("channel", Channel), name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))


class DailyRun(db.Model):
    """A daily job's run for one day (the reminders): claimed by one worker, so it runs once a day however many
    workers there are; a run that never finished (a crash) is taken up again after a while."""

    __tablename__ = "daily_run"
    __table_args__ = (UniqueConstraint("job", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StandingCondition(db.Model):
    """Something wrong with a budget (a line overspent, pay below the minimum wage…) from when it was first seen
    until it stopped being true. People are told when it starts, and not again until it has ended and started
    again; the case manager is told if it has stood for 14 days."""

    __tablename__ = "standing_condition"
    __table_args__ = (
        # One open row per budget and problem, even when two requests find it at once.
        Index("uq_standing_condition_open", "budget_id", "key", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(40))  # what the holder side is told as; None: not told
    title: Mapped[str] = mapped_column(String(300))
    started_on: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    case_manager_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
