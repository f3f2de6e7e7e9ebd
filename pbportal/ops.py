"""What a load balancer and an operator need: `/healthz` and `/readyz`, a request id on every request, one
structured log line per request (never personal data: ids, routes, statuses and times only), and Prometheus
metrics at `/metrics` for a scraper holding `METRICS_TOKEN` (404 to anyone else)."""
from __future__ import annotations

import hmac
import json
import logging
import os
import re
import time
import uuid

import redis
from flask import Blueprint, Flask, abort, current_app, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import func, select, text

from .extensions import db, limiter
from .outbox import OutboxMessage, OutboxStatus
from .storage import uploads
from .timeutil import utcnow

log = logging.getLogger("pbportal.request")
bp = Blueprint("ops", __name__)

# A request id from a proxy is kept only when it looks like one (no spaces, no markup, bounded), else made anew.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


REQUESTS = Counter("pbportal_requests", "Requests answered, by route pattern, method and status",
                   ["route", "method", "status"])
DURATION = Histogram("pbportal_request_duration_seconds", "Time to answer a request, by route pattern",
                     ["route"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def request_id() -> str:
    """This request's id (also in the X-Request-ID response header and on error pages, for support)."""
    rid = g.get("request_id")
    if rid is None:
        given = request.headers.get("X-Request-ID", "")
        rid = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_id = rid
    return rid


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for the worker's logs (the request lines are JSON already)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if message.startswith("{"):  # already a structured line (log_line): keep its fields at the top level
            try:
                fields = json.loads(message)
            except ValueError:
                fields = {"message": message}
        else:
            fields = {"message": message}
        out = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
               "level": record.levelname, "logger": record.name, **fields}
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, separators=(",", ":"), default=str)

    converter = time.gmtime


def configure_worker_logging(format_: str) -> None:
    """The worker's logging: JSON lines (production), or plain text (`make run`, LOG_FORMAT=text)."""
    if logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if format_ == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


def log_line(event: str, **fields) -> str:
    """One JSON line: the event first, then the fields in the order given."""
    return json.dumps({"event": event, **fields}, separators=(",", ":"), default=str)


def _start() -> None:
    g.started = time.perf_counter()
    request_id()


def _finish(response):
    started = g.get("started")
    if started is None:  # a request that failed before before_request ran
        return response
    response.headers["X-Request-ID"] = request_id()
    user = g.get("_login_user")  # only if this request already loaded it: logging never costs a query
    route = request.url_rule.rule if request.url_rule else None  # the pattern, never the ids in the path
    seconds = time.perf_counter() - started
    REQUESTS.labels(route or "(none)", request.method, str(response.status_code)).inc()
    DURATION.labels(route or "(none)").observe(seconds)
    log.info(log_line(
        "request",
        request_id=request_id(),
        method=request.method,
        route=route,
        status=response.status_code,
        duration_ms=round(seconds * 1000, 1),
        user_id=user.id if user is not None and user.is_authenticated else None,
        htmx=bool(request.headers.get("HX-Request")),
    ))
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is up and answering. Touches nothing else, so a slow database never restarts web processes."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Ready for traffic: the database, Redis (when rate limits are kept there) and the upload store answer.
    503 with which part failed, and nothing else, when one does not."""
    checks = {"database": _database(), "redis": _redis(), "uploads": _uploads()}
    ready = all(state in ("ok", "not used") for state in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), (200 if ready else 503)


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means not ready; the reason goes to the log, not the page
        current_app.logger.exception("readyz: the database did not answer")
        db.session.rollback()
        return "failed"


def _redis() -> str:
    uri = current_app.config.get("RATELIMIT_STORAGE_URI", "")
    if not uri.startswith(("redis://", "rediss://")):
        return "not used"
    try:
        client = redis.Redis.from_url(uri, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    except Exception:  # noqa: BLE001
        current_app.logger.exception("readyz: Redis did not answer")
        return "failed"


def _uploads() -> str:
    """The upload store answers: a local folder exists and can be written to; an S3 bucket is there for us."""
    try:
        uploads().check()
        return "ok"
    except Exception:  # noqa: BLE001
        current_app.logger.exception("readyz: the upload store could not be written")
        return "failed"


@bp.get("/metrics")
@limiter.exempt
def metrics():
    """Prometheus text format, for a scraper sending `Authorization: Bearer <METRICS_TOKEN>`. With no token set, or
    the wrong one, it is not there (404). Queue figures are read from the database at each scrape."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        abort(404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # gunicorn: every worker process's counts, summed
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    registry = CollectorRegistry()
    pending, oldest = db.session.execute(
        select(func.count(), func.min(OutboxMessage.created_at)).where(OutboxMessage.status == OutboxStatus.PENDING)
    ).one()
    Gauge("pbportal_outbox_pending", "Emails waiting to be sent", registry=registry).set(pending)
    Gauge("pbportal_outbox_oldest_pending_age_seconds", "Age of the oldest email not yet sent (0 when none)",
          registry=registry).set((utcnow() - oldest).total_seconds() if oldest else 0)
    failed = db.session.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.FAILED))
    Gauge("pbportal_outbox_failed", "Emails given up on after every retry", registry=registry).set(failed)
    return body + generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}


def register(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.register_blueprint(bp)
    app.add_template_global(request_id, "request_id")
    if not app.testing and not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
