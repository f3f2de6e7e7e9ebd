"""Data out: the spending in any span (CSV and a printable page) for whoever sees the budget, and all of a
budget's data as one ZIP for the person, their representative or their case manager: made at once for a small
budget, by the worker for a large one (with a notification), only for the person who asked, removed after a week;
the ZIP holds every kind of record, every receipt and document, a README, and nothing of anyone else's."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest

from pbportal.audit import AuditEvent
from pbportal.exports import bundle, services
from pbportal.exports.models import ExportRequest
from pbportal.extensions import db
from pbportal.notifications.models import Kind, Notification
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today, utcnow

from ..conftest import EMAIL, login, make_entry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _span(start, end, **extra):
    params = {"starts_on": [str(start.day), str(start.month), str(start.year)],
              "ends_on": [str(end.day), str(end.month), str(end.year)], **extra}
    return params


def test_the_spending_for_a_span_as_a_page_and_a_csv(holder, world):
    start = world.dp.plan_year_start
    void = make_entry(world.dp, world.lines["gym"], 3000, paid_on=start + timedelta(days=3), payee="Gym Ltd",
                      status="voided")
    void.change_reason = "Paid twice by mistake"
    make_entry(world.dp, world.lines["gym"], 3000, paid_on=start + timedelta(days=40), payee="Gym Ltd")
    make_entry(world.dp, world.lines["gym"], 999, paid_on=start - timedelta(days=1), payee="Before the span")
    db.session.commit()
    page = holder.get(f"/budgets/{world.dp.id}/spending/download", query_string=_span(start, today()))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Paid twice by mistake" in html and "Before the span" not in html
    assert "Maria Santos" in html and "Somebody Else" not in html
    assert "£150.00" in html  # £120.00 on wages + £30.00 at the gym (the voided one does not count)
    r = holder.get(f"/budgets/{world.dp.id}/spending/download", query_string=_span(start, today(), format="csv"))
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["Date paid", "Paid to", "Budget line", "Category", "Amount (£)"]
    payees = [row[1] for row in rows[1:] if row and row[1]]
    assert sorted(payees) == ["Gym Ltd", "Gym Ltd", "Maria Santos"]
    assert ["voided", "Paid twice by mistake"] in [row[6:8] for row in rows[1:4]]
    assert ["", "", "All lines", "Total", "150.00", "", "", "", ""] in rows
    assert db.session.query(AuditEvent).filter_by(action="spending.downloaded").count() == 1


@pytest.mark.parametrize("start_delta, end_delta, message", [
    (0, -1, "The last day must be the same as or after the first day"),
    (-4000, 0, "Choose a span of 7 years or less"),
])
def test_a_span_that_makes_no_sense_is_explained(holder, world, start_delta, end_delta, message):
    r = holder.get(f"/budgets/{world.dp.id}/spending/download",
                   query_string=_span(today() + timedelta(days=start_delta), today() + timedelta(days=end_delta)))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and message in html and "There is a problem" in html


@pytest.mark.parametrize("role, code", [("holder", 200), ("rep", 200), ("case_manager", 200), ("other_holder", 404),
                                        ("other_case_manager", 404), ("staff", 404), ("admin", 404)])
def test_the_spending_download_is_for_those_who_see_the_budget(client, world, role, code):
    login(client, EMAIL[role])
    assert client.get(f"/budgets/{world.dp.id}/spending/download").status_code == code
    assert client.get(f"/budgets/{world.dp.id}/spending/download",
                      query_string=_span(today(), today(), format="csv")).status_code == code


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response.data))


def _with_receipt_and_document(client, world):
    data = {"paid_on": [str(today().day), str(today().month), str(today().year)], "amount": "12.50",
            "payee": "Corner Shop", "line_id": str(world.lines["gym"].id), "note": "",
            "receipt": (io.BytesIO(PDF), "shop.pdf")}
    assert client.post(f"/budgets/{world.dp.id}/payments/new", data=data,
                       content_type="multipart/form-data").status_code == 303
    assert client.post(f"/budgets/{world.dp.id}/documents", data={
        "kind": "support_plan", "title": "", "about": "budget", "about_id": "", "back": "",
        "file": (io.BytesIO(PDF + b"%plan"), "plan.pdf")}, content_type="multipart/form-data").status_code == 303


def test_all_the_data_in_one_zip_with_nobody_elses(holder, world):
    _with_receipt_and_document(holder, world)
    page = holder.get(f"/budgets/{world.dp.id}/export").get_data(as_text=True)
    assert "You have not made a download yet" in page
    r = holder.post(f"/budgets/{world.dp.id}/export", data={})
    assert r.status_code == 303
    page = holder.get(r.location).get_data(as_text=True)
    request = db.session.query(ExportRequest).one()
    assert request.status == "ready" and f"/export/{request.id}.zip" in page  # a small budget: made at once
    download = holder.get(f"/budgets/{world.dp.id}/export/{request.id}.zip")
    assert download.mimetype == "application/zip" and "attachment" in download.headers["Content-Disposition"]
    archive = _zip(download)
    names = set(archive.namelist())
    for _, filename, _ in bundle.SECTIONS:
        assert filename in names, filename
    assert "README.txt" in names
    readme = archive.read("README.txt").decode()
    assert "spending.csv" in readme and "Money is in pence" in readme
    spending = archive.read("spending.csv").decode()
    assert "Maria Santos" in spending and "Corner Shop" in spending
    everything = b"".join(archive.read(n) for n in names)
    assert b"Somebody Else" not in everything and b"Olive Other" not in everything and b"Agency Ltd" not in everything
    [receipt] = [n for n in names if n.startswith("receipts/")]
    assert receipt.endswith("shop.pdf") and archive.read(receipt) == PDF
    [document] = [n for n in names if n.startswith("documents/")]
    assert archive.read(document) == PDF + b"%plan"
    assert len(list(csv.reader(io.StringIO(archive.read("plan_lines.csv").decode().lstrip("\ufeff"))))) == 1 + 2
    actions = {a for (a,) in db.session.query(AuditEvent.action)}
    assert {"export.asked", "export.ready", "export.downloaded"} <= actions


def test_a_large_budget_is_made_by_the_worker_who_tells_the_person(holder, world, monkeypatch):
    monkeypatch.setattr(services, "SMALL_ENTRIES", 0)
    holder.post(f"/budgets/{world.dp.id}/export", data={})
    request = db.session.query(ExportRequest).one()
    assert request.status == "queued"
    page = holder.get(f"/budgets/{world.dp.id}/export").get_data(as_text=True)
    assert "Your download is being made" in page and 'hx-trigger="every 3s"' in page
    assert holder.post(f"/budgets/{world.dp.id}/export", data={}).status_code == 303  # asking again: the same one
    assert db.session.query(ExportRequest).count() == 1
    assert services.run_due() == 1
    db.session.expire_all()
    request = db.session.get(ExportRequest, request.id)
    assert request.status == "ready" and request.files == len(bundle.SECTIONS) + 1  # and the README
    told = db.session.query(Notification).filter_by(user_id=world.holder.id, kind=Kind.EXPORT_READY).one()
    assert told.link == f"/budgets/{world.dp.id}/export" and "ready until" in told.title
    assert holder.get(f"/budgets/{world.dp.id}/export/{request.id}.zip").status_code == 200


def test_the_download_is_only_for_the_person_who_asked_and_goes_after_a_week(app, holder, world):
    holder.post(f"/budgets/{world.dp.id}/export", data={})
    request = db.session.query(ExportRequest).one()
    rep = app.test_client()
    login(rep, EMAIL["rep"])
    assert rep.get(f"/budgets/{world.dp.id}/export/{request.id}.zip").status_code == 404
    assert "You have not made a download yet" in rep.get(f"/budgets/{world.dp.id}/export").get_data(as_text=True)
    services.expire_due(utcnow() + timedelta(days=services.EXPORT_DAYS, minutes=1))
    assert holder.get(f"/budgets/{world.dp.id}/export/{request.id}.zip").status_code == 404
    assert "Your last download expired" in holder.get(f"/budgets/{world.dp.id}/export").get_data(as_text=True)
    assert services.content_of(db.session.get(ExportRequest, request.id)) is None


@pytest.mark.parametrize("role, code", [("case_manager", 303), ("rep", 303), ("other_holder", 404),
                                        ("other_case_manager", 404), ("staff", 404), ("admin", 404)])
def test_who_may_make_a_download(client, world, role, code):
    login(client, EMAIL[role])
    assert client.post(f"/budgets/{world.dp.id}/export", data={}).status_code == code
    assert client.get(f"/budgets/{world.dp.id}/export").status_code == (200 if code == 303 else 404)
    assert db.session.query(ExportRequest).count() == (1 if code == 303 else 0)


def test_a_case_managers_download_holds_the_persons_records(client, world):
    login(client, EMAIL["case_manager"])
    client.post(f"/budgets/{world.dp.id}/export", data={})
    request = db.session.query(ExportRequest).one()
    archive = _zip(client.get(f"/budgets/{world.dp.id}/export/{request.id}.zip"))
    assert "Maria Santos" in archive.read("spending.csv").decode()
    assert db.session.query(SpendingEntry).filter_by(budget_id=world.dp.id).count() == 1
