"""Command-line tasks: `flask --app app demo-data`, `create-user`, `worker` and `reminders`."""
from __future__ import annotations

import logging
import signal
import threading

import click
from flask import Flask, current_app
from sqlalchemy import select

from .auth.models import Organisation, Role, User
from .auth.passwords import password_problem
from .banking import jobs as match_jobs
from .demo import load_demo_data
from .documents.services import sweep_documents
from .exports import services as exports
from .extensions import db
from .ops import configure_worker_logging, log_line
from .outbox import BATCH, deliver_due
from .reminders import run_daily_if_due, run_reminders
from .retention import services as retention
from .spending.services import sweep_receipts
from .storage import upload_location
from .timeutil import today

log = logging.getLogger("pbportal.worker")


def register(app: Flask) -> None:
    @app.cli.command("demo-data")
    def demo_data() -> None:
        """Load the demo organisations, users and budgets (safe to run again)."""
        created = load_demo_data()
        click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", required=True,
                  type=click.Choice([role.value for role in Role]))
    @click.option("--organisation", default=None, help="Exact name of the user's organisation")
    @click.password_option()
    def create_user(email: str, name: str, role: str, organisation: str | None, password: str) -> None:
        """Add a user who can sign in."""
        org = None
        if organisation:
            org = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
            if org is None:
                raise click.ClickException(f"No organisation called {organisation!r}")
        problem = password_problem(password, user_inputs=(email, name))
        if problem:
            raise click.ClickException(problem)
        if db.session.scalar(select(User.id).where(User.email == email.strip().lower())) is not None:
            raise click.ClickException(f"{email} already has an account")
        user = User(email=email.strip().lower(), name=name, role=role, organisation=org)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"Created {role} {email}")

    @app.cli.command("retention")
    @click.option("--confirm", is_flag=True, help="Remove what is listed (without it, nothing changes).")
    def retention_command(confirm: bool) -> None:
        """List, and with --confirm remove, the personal data of budgets that ended more than RETENTION_YEARS ago
        (README, Retention)."""
        years = current_app.config["RETENTION_YEARS"]
        found = retention.due(today(), years)
        if not found:
            click.echo(f"No budget ended more than {years} years ago still holds personal data.")
            return
        for entry in found:
            kept = f"; {len(entry.pas_kept)} PA(s) kept for their pay records" if entry.pas_kept else ""
            click.echo(f"Budget {entry.budget_id} ({entry.person_name}), ended {entry.ended_on:%-d %B %Y}: "
                       f"names, contacts and notes, {entry.files} file(s), {len(entry.pas_cleared)} PA(s){kept}")
        if not confirm:
            click.echo(f"{len(found)} budget(s) listed. Nothing was changed: run again with --confirm to remove it.")
            return
        for entry in found:
            files = retention.remove(entry)
            db.session.commit()
            retention.remove_files(upload_location(), files)
        click.echo(f"Removed the personal data of {len(found)} budget(s).")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
    def worker(once: bool) -> None:
        """Deliver the email outbox every WORKER_INTERVAL seconds, and run the daily reminders once a day at
        REMINDERS_AT, until stopped (SIGTERM or Ctrl-C)."""
        # What the worker does (and, with no MAIL_SERVER, each email) is logged: JSON lines unless LOG_FORMAT=text.
        configure_worker_logging(current_app.config["LOG_FORMAT"])
        if once:
            match_jobs.run_due()
            exports.run_due()
            click.echo(f"Outbox: {deliver_due()}.")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        interval = current_app.config["WORKER_INTERVAL"]
        click.echo(f"Worker started: delivering the outbox every {interval:g} s.")
        while not stop.is_set():
            try:
                run_daily_if_due()
            except Exception:  # noqa: BLE001 - the reminders failing must not stop email; the day is tried again
                db.session.rollback()
                log.exception("The daily reminders failed; email goes on")
            try:
                for job in match_jobs.run_due():  # accepting every suggestion on a statement, asked for by staff
                    log.info(log_line("match_job", job_id=job.id, budget_id=job.budget_id, status=job.status,
                                      accepted=job.accepted, passed_over=job.passed_over))
            except Exception:  # noqa: BLE001 - a job that fails says so on its page; email goes on
                db.session.rollback()
                log.exception("A matching job failed; email goes on")
            try:
                made = exports.run_due()  # downloads of all a budget's data, and removing expired ones
                if made:
                    log.info(log_line("exports", made=made))
            except Exception:  # noqa: BLE001 - a failed export says so on its page; email goes on
                db.session.rollback()
                log.exception("Making exports failed; email goes on")
            done = deliver_due()
            if done.sent or done.retrying or done.failed:
                log.info(log_line("outbox", sent=done.sent, retrying=done.retrying, failed=done.failed))
            db.session.remove()
            if done.sent + done.retrying + done.failed < BATCH:  # a full batch: more may be waiting, go on at once
                stop.wait(interval)
        click.echo("Worker stopped.")

    @app.cli.command("reminders")
    @click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Run as if today were this day (YYYY-MM-DD).")
    def reminders(on) -> None:
        """Queue what is due today (reminders and daily digests). Safe to run again: nobody is told twice."""
        told = run_reminders(on.date() if on else None)
        for name, count in told.items():
            click.echo(f"{name}: {count} told")

    @app.cli.command("sweep-receipts")
    def sweep_receipts_command() -> None:
        """Tidy the receipt store: finish files whose rows were saved, remove day-old files nobody saved."""
        linked, removed = sweep_receipts(upload_location())
        click.echo(f"Receipts: {linked} linked, {removed} removed.")
        linked, removed = sweep_documents(upload_location())
        click.echo(f"Documents: {linked} linked, {removed} removed.")
