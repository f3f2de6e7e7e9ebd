"""Accepting every suggestion on a statement, in the worker: a 10,000-line statement takes longer than any proxy
lets one web request run, so the request only asks (a `MatchJob`) and the page shows the worker's progress.

The worker takes a job with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never take the same
one), then works through the lines still to match in batches, oldest first: each batch's lines are locked, their
suggestions worked out once for the batch, and accepted with one flush (matching.accept_batch), then the batch
and the job's progress commit together. A worker killed mid-job leaves its lease to run out; the next one carries
on after the last committed batch. Lines someone else dealt with meanwhile are no longer "to match", so they are
passed over, never matched twice."""
from __future__ import annotations

import enum
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, and_, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import record
from ..auth.models import User
from ..budget.locks import PeriodLocked
from ..budget.models import Budget
from ..choices import check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from . import matching
from .models import LineStatus, StatementLine

log = logging.getLogger(__name__)
BATCH = 200
LEASE = timedelta(minutes=5)


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MatchJob(db.Model):
    """A request to accept every suggestion on a managed account's statement lines still to match."""

    __tablename__ = "match_job"
    __table_args__ = (
        CheckConstraint(check_in("status", JobStatus), name="status"),
        Index("ix_match_job_budget_status", "budget_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)  # lines to match when it was asked for
    accepted: Mapped[int] = mapped_column(default=0)
    passed_over: Mapped[int] = mapped_column(default=0)  # lines with no suggestion, left to match by hand
    last_line_id: Mapped[int] = mapped_column(default=0)  # where the next batch starts
    message: Mapped[str] = mapped_column(Text, default="")
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def looked_at(self) -> int:
        return self.accepted + self.passed_over

    @property
    def percent(self) -> int:
        return 100 if self.finished else min(99, self.looked_at * 100 // self.total) if self.total else 0


def unfinished(budget_id: int) -> MatchJob | None:
    return db.session.scalar(select(MatchJob).where(
        MatchJob.budget_id == budget_id, MatchJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])))


def ask(budget: Budget, actor) -> MatchJob:
    """Queue a job for the budget (the one already queued or running, if there is one). The caller holds the
    budget's row lock, so two people asking at once make one job."""
    job = unfinished(budget.id)
    if job is not None:
        return job
    total = db.session.scalar(select(db.func.count()).select_from(StatementLine).where(
        StatementLine.budget_id == budget.id, StatementLine.status == LineStatus.UNMATCHED))
    job = MatchJob(budget_id=budget.id, requested_by_id=actor.id, total=total or 0)
    db.session.add(job)
    db.session.flush()
    record("match_job.asked", job, actor=actor, budget_id=budget.id, lines=job.total)
    return job


def _claim(now: datetime) -> MatchJob | None:
    """Take one job nobody holds (queued, or running with a lease that ran out) and commit the claim."""
    free = and_(MatchJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
                or_(MatchJob.claimed_until.is_(None), MatchJob.claimed_until < now))
    chosen = select(MatchJob.id).where(free).order_by(MatchJob.created_at, MatchJob.id).limit(1)
    if db.session.get_bind().dialect.name == "postgresql":
        job_id = db.session.scalar(chosen.with_for_update(skip_locked=True))
    else:
        job_id = db.session.scalar(chosen)
    if job_id is None:
        db.session.commit()
        return None
    token = secrets.token_hex(16)
    claimed = db.session.execute(
        update(MatchJob).where(MatchJob.id == job_id, free)
        .values(claim_token=token, claimed_until=now + LEASE, status=JobStatus.RUNNING,
                started_at=db.func.coalesce(MatchJob.started_at, now))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return db.session.scalar(select(MatchJob).where(MatchJob.id == job_id, MatchJob.claim_token == token)) \
        if claimed else None


def _batch(job: MatchJob) -> bool:
    """The next batch of the job's lines, locked, accepted and committed with the job's progress. False when
    there were no lines left (or the claim was lost)."""
    job = db.session.scalar(select(MatchJob).where(MatchJob.id == job.id, MatchJob.claim_token == job.claim_token)
                            .with_for_update())
    if job is None:
        db.session.rollback()
        return False
    lines = list(db.session.scalars(
        select(StatementLine).where(StatementLine.budget_id == job.budget_id,
                                    StatementLine.status == LineStatus.UNMATCHED, StatementLine.id > job.last_line_id)
        .order_by(StatementLine.id).limit(BATCH).with_for_update()))
    if not lines:
        db.session.rollback()
        return False
    budget = db.session.get(Budget, job.budget_id)
    actor = db.session.get(User, job.requested_by_id)
    accepted, passed_over = matching.accept_batch(budget, lines, actor)
    job.accepted += accepted
    job.passed_over += passed_over
    job.last_line_id = lines[-1].id
    job.claimed_until = utcnow() + LEASE
    db.session.commit()
    return True


def run_one(now: datetime | None = None) -> MatchJob | None:
    """Claim a job and run it to the end; the job, or None if there was none to run."""
    job = _claim(now or utcnow())
    if job is None:
        return None
    job_id, token = job.id, job.claim_token
    try:
        while _batch(job):
            pass
    except Exception as error:  # noqa: BLE001 - the job says it failed; the worker goes on with other work
        db.session.rollback()
        log.exception("Match job %s failed", job_id)
        message = str(error) if isinstance(error, (ValueError, PeriodLocked)) else \
            "Something went wrong. The lines accepted before it are kept; ask again to carry on."
        _end(job_id, token, JobStatus.FAILED, message[:500])
    else:
        _end(job_id, token, JobStatus.DONE, "")
    return db.session.get(MatchJob, job_id)


def _end(job_id: int, token: str, status: JobStatus, message: str) -> None:
    job = db.session.scalar(select(MatchJob).where(MatchJob.id == job_id, MatchJob.claim_token == token)
                            .with_for_update())
    if job is None:
        db.session.rollback()
        return
    job.status, job.message, job.finished_at = status, message, utcnow()
    job.claim_token = job.claimed_until = None
    record(f"match_job.{status}", job, actor=None, budget_id=job.budget_id, accepted=job.accepted,
           passed_over=job.passed_over)
    db.session.commit()


def run_due(limit: int = 5) -> list[MatchJob]:
    """Run up to `limit` jobs one after another (the worker's loop); the jobs that ran."""
    ran: list[MatchJob] = []
    while len(ran) < limit and (job := run_one()) is not None:
        ran.append(job)
    return ran

