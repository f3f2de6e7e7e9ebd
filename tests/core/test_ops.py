"""What a load balancer and an operator see: /healthz, /readyz against the real database, Redis and upload folder,
the request id, and one structured log line per request with no personal data."""
from __future__ import annotations

import json
import logging
import re
import sys
from datetime import timedelta

from pbportal.extensions import db
from pbportal.ops import JsonFormatter, log_line
from pbportal.outbox import OutboxMessage
from pbportal.timeutil import utcnow

from ..conftest import EMAIL, login


def _lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "pbportal.request"]


def test_healthz_answers_without_signing_in(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_readyz_checks_the_database_redis_and_the_upload_store(app, client, tmp_path):
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/15"
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "uploads": "ok"}}
    assert not [p for p in (tmp_path / "uploads").iterdir() if p.name.startswith(".readyz")]  # nothing left behind


def test_readyz_without_redis_for_limits_says_it_is_not_used(client):
    assert client.get("/readyz").get_json()["checks"]["redis"] == "not used"


def test_readyz_is_503_naming_the_part_that_failed(app, client, tmp_path):
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:1/0"  # nothing listens there
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app.config["UPLOAD_DIR"] = str(blocker / "uploads")
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.get_json() == {"status": "unavailable",
                            "checks": {"database": "ok", "redis": "failed", "uploads": "failed"}}


def test_one_log_line_per_request_with_ids_not_personal_data(client, world, caplog):
    caplog.set_level(logging.INFO, logger="pbportal.request")
    login(client, EMAIL["holder"])
    caplog.clear()
    r = client.get(f"/budgets/{world.dp.id}", headers={"X-Request-ID": "lb-1234abcd"})
    assert r.status_code == 200 and r.headers["X-Request-ID"] == "lb-1234abcd"
    [line] = _lines(caplog)
    assert line["event"] == "request" and line["request_id"] == "lb-1234abcd"
    assert line["method"] == "GET" and line["route"] == "/budgets/<int:budget_id>" and line["status"] == 200
    assert line["user_id"] == world.holder.id and line["duration_ms"] >= 0 and line["htmx"] is False
    text = caplog.text
    assert EMAIL["holder"] not in text and world.holder.name not in text and world.dp.person_name not in text


def test_a_request_id_that_is_not_one_is_replaced(client, caplog):
    caplog.set_level(logging.INFO, logger="pbportal.request")
    r = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    rid = r.headers["X-Request-ID"]
    assert len(rid) == 32 and "<" not in rid
    [line] = _lines(caplog)
    assert line["request_id"] == rid and line["user_id"] is None and line["route"] == "/healthz"


def test_an_error_page_shows_the_request_id_for_support(client, caplog):
    caplog.set_level(logging.INFO, logger="pbportal.request")
    r = client.post("/sign-in", data={"email": "a" * 17_000_000}, headers={"X-Request-ID": "support-ref-42"})
    assert r.status_code == 413
    assert "quote reference" in r.get_data(as_text=True) and "support-ref-42" in r.get_data(as_text=True)
    assert _lines(caplog)[-1]["status"] == 413


def test_metrics_are_not_there_without_the_token(app, client):
    assert client.get("/metrics").status_code == 404
    app.config["METRICS_TOKEN"] = "scrape-secret-123"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404


def test_metrics_count_requests_per_route_and_tell_the_email_queue(app, client, world):
    app.config["METRICS_TOKEN"] = "scrape-secret-123"
    auth = {"Authorization": "Bearer scrape-secret-123"}

    def count(text, route, status):
        pattern = (r'^pbportal_requests_total\{method="GET",route="' + re.escape(route)
                   + r'",status="' + status + r'"\} ([0-9.]+)$')
        found = re.search(pattern, text, re.M)
        return float(found.group(1)) if found else 0.0

    before = client.get("/metrics", headers=auth).get_data(as_text=True)
    client.get("/healthz")
    client.get("/healthz")
    client.get(f"/budgets/{world.dp.id}")  # signed out: sent to sign in
    after = client.get("/metrics", headers=auth)
    text = after.get_data(as_text=True)
    assert after.headers["Cache-Control"] == "no-store"
    assert count(text, "/healthz", "200") - count(before, "/healthz", "200") == 2
    assert count(text, "/budgets/<int:budget_id>", "302") - count(before, "/budgets/<int:budget_id>", "302") == 1
    assert 'pbportal_request_duration_seconds_bucket{le="0.01",route="/healthz"}' in text
    assert re.search(r"^pbportal_outbox_pending 0\.0$", text, re.M)
    old = OutboxMessage(to_address="someone@example.org", subject="Hello", body="Hi",
                        created_at=utcnow() - timedelta(minutes=10))
    db.session.add_all([old, OutboxMessage(to_address="other@example.org", subject="Hello", body="Hi")])
    db.session.commit()
    text = client.get("/metrics", headers=auth).get_data(as_text=True)
    assert re.search(r"^pbportal_outbox_pending 2\.0$", text, re.M)
    age = float(re.search(r"^pbportal_outbox_oldest_pending_age_seconds ([0-9.]+)$", text, re.M).group(1))
    assert 600 <= age < 660
    assert "someone@example.org" not in text


def test_the_worker_logs_one_json_object_a_line():
    formatter = JsonFormatter()
    plain = logging.LogRecord("pbportal.outbox", logging.WARNING, __file__, 1, "Email %s not sent (try %s)",
                              (7, 2), None)
    line = json.loads(formatter.format(plain))
    assert (line["level"], line["logger"]) == ("WARNING", "pbportal.outbox")
    assert line["message"] == "Email 7 not sent (try 2)"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    structured = logging.LogRecord("pbportal.worker", logging.INFO, __file__, 1,
                                   log_line("outbox", sent=3, retrying=0, failed=1), (), None)
    line = json.loads(formatter.format(structured))
    assert (line["event"], line["sent"], line["failed"], line["logger"]) == ("outbox", 3, 1, "pbportal.worker")
    try:
        raise RuntimeError("the database went away")
    except RuntimeError:
        failed = logging.LogRecord("pbportal.worker", logging.ERROR, __file__, 1, "The daily reminders failed", (),
                                   sys.exc_info())
    line = json.loads(formatter.format(failed))
    assert "RuntimeError: the database went away" in line["error"] and "\n" not in formatter.format(failed)
