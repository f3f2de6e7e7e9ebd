"""Documents on a budget: uploaded (for the budget, or attached to a PA's check, a review request, a question
about a statement line or a return's query), checked like receipts, opened only through the access check,
removed only with a reason; evidence expiring with its check is flagged beside it; everyone else gets 404."""
from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest

from pbportal.audit import AuditEvent
from pbportal.banking.models import LineComment
from pbportal.documents.models import Document
from pbportal.extensions import db
from pbportal.storage import LocalStore
from pbportal.timeutil import today

from ..conftest import EMAIL, login
from ..employment.helpers import make_check, make_pa
from ..reviews.helpers import make_request

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _post(client, budget, *, content=PDF, name="certificate.pdf", kind="dbs", about="budget", about_id="",
          back="", title=""):
    return client.post(f"/budgets/{budget.id}/documents",
                       data={"kind": kind, "title": title, "about": about, "about_id": str(about_id), "back": back,
                             "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _documents():
    db.session.expire_all()
    return db.session.query(Document).all()


def _stored(app) -> list[str]:
    return [n for n, _ in LocalStore(Path(app.config["UPLOAD_DIR"])).listing("documents")]


def test_a_holder_keeps_the_support_plan_and_opens_it(app, holder, world):
    r = _post(holder, world.dp, kind="support_plan", title="Support plan agreed March 2026", name="plan.pdf")
    assert r.status_code == 303 and r.location.endswith(f"/budgets/{world.dp.id}/documents")
    [doc] = _documents()
    assert (doc.kind, doc.title, doc.about, doc.uploaded_by_id, doc.size_bytes) == (
        "support_plan", "Support plan agreed March 2026", "budget", world.holder.id, len(PDF))
    page = holder.get(f"/budgets/{world.dp.id}/documents").get_data(as_text=True)
    assert "Care and support plan" in page and "Support plan agreed March 2026" in page and "Alex Holder" in page
    opened = holder.get(f"/budgets/{world.dp.id}/documents/{doc.id}")
    assert opened.status_code == 200 and opened.data == PDF
    assert "attachment" in opened.headers["Content-Disposition"] and "plan.pdf" in opened.headers["Content-Disposition"]
    assert opened.headers["X-Content-Type-Options"] == "nosniff" and "no-store" in opened.headers["Cache-Control"]
    assert _stored(app) == [f"documents/{doc.storage_key[:2]}/{doc.storage_key}"]
    assert db.session.query(AuditEvent).filter_by(action="document.uploaded", object_id=doc.id).one().actor_id == \
        world.holder.id
    assert "Documents" in holder.get(f"/budgets/{world.dp.id}").get_data(as_text=True)


def test_a_dbs_certificate_on_a_pas_check_is_shown_with_the_check_and_flagged_as_it_expires(holder, world):
    pa = make_pa(world.dp, "Maria Santos", world.lines["wages"])
    check = make_check(pa, "dbs", world.holder, expires_on=today() + timedelta(days=10))
    db.session.commit()
    back = f"/budgets/{world.dp.id}/pas/{pa.id}#checks"
    r = _post(holder, world.dp, about="check", about_id=check.id, back=back, name="dbs-maria.pdf")
    assert r.status_code == 303 and r.location.endswith(back)
    [doc] = _documents()
    assert (doc.about, doc.about_id, doc.title) == ("check", check.id, "dbs-maria.pdf")
    page = holder.get(f"/budgets/{world.dp.id}/pas/{pa.id}").get_data(as_text=True)
    assert f"/budgets/{world.dp.id}/documents/{doc.id}" in page and "dbs-maria.pdf" in page
    assert f"Expires with its check on {(today() + timedelta(days=10)):%-d %B %Y}" in page
    check.expires_on = today() - timedelta(days=1)
    check.checked_on = today() - timedelta(days=400)
    db.session.commit()
    page = holder.get(f"/budgets/{world.dp.id}/pas/{pa.id}").get_data(as_text=True)
    assert "Expired with its check on" in page


def test_files_attach_to_a_review_request_and_a_question_about_a_line(app, holder, world, acct):
    client = app.test_client()
    req = make_request(world)
    db.session.commit()
    assert _post(holder, world.dp, kind="other", about="review_request", about_id=req.id).status_code == 303
    page = holder.get(f"/budgets/{world.dp.id}/reviews/requests/{req.id}").get_data(as_text=True)
    assert "certificate.pdf" in page
    login(client, EMAIL["ma_holder"])
    client.post(f"/budgets/{world.ma.id}/account/lines/{acct['shop'].id}", data={"text": "What was this?",
                                                                                  "question": "y"})
    question = db.session.query(LineComment).one()
    assert _post(client, world.ma, kind="other", about="line_comment", about_id=question.id,
                 name="till-receipt.pdf").status_code == 303
    assert "till-receipt.pdf" in client.get(f"/budgets/{world.ma.id}/account/lines/{acct['shop'].id}").get_data(
        as_text=True)


@pytest.mark.parametrize("about, target", [("check", "other_check"), ("review_request", "nothing"),
                                           ("pa", "other_pa"), ("bogus", "none")])
def test_a_file_cannot_be_attached_to_another_budgets_record(app, holder, world, about, target):
    other_pa = make_pa(world.other_dp, "Someone Else")
    other_check = make_check(other_pa, "dbs", world.other_holder)
    db.session.commit()
    about_id = {"other_check": other_check.id, "other_pa": other_pa.id, "nothing": 999999, "none": ""}[target]
    assert _post(holder, world.dp, about=about, about_id=about_id).status_code == 404
    assert _documents() == [] and _stored(app) == []


@pytest.mark.parametrize("content, name, message", [
    (b"<html><script>alert(1)</script>", "certificate.pdf", "must be a photo (JPG, PNG or WEBP) or a PDF"),
    (b"", "empty.pdf", "The selected file is empty"),
    (b"%PDF-1.4 truncated", "cut.pdf", "The PDF could not be read"),
])
def test_a_wrong_file_is_refused_by_its_content_and_nothing_is_kept(app, holder, world, content, name, message):
    r = _post(holder, world.dp, content=content, name=name)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and message in page and "There is a problem" in page
    assert _documents() == [] and _stored(app) == []


def test_no_file_or_kind_is_asked_for(holder, world):
    r = holder.post(f"/budgets/{world.dp.id}/documents", data={"about": "budget"},
                    content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert "Choose what the document is" in page and _documents() == []
    r = holder.post(f"/budgets/{world.dp.id}/documents", data={"about": "budget", "kind": "dbs"},
                    content_type="multipart/form-data")
    assert "Choose the file to upload" in r.get_data(as_text=True)


def test_too_big_a_file_is_refused(app, holder, world):
    app.config["RECEIPT_MAX_BYTES"] = 1000
    r = _post(holder, world.dp, content=PDF + b"x" * 2000)
    assert "must be smaller than" in r.get_data(as_text=True) and _documents() == []


def test_removing_asks_why_keeps_the_row_and_hides_the_file(holder, world):
    _post(holder, world.dp, title="Old certificate")
    [doc] = _documents()
    r = holder.post(f"/budgets/{world.dp.id}/documents/{doc.id}/remove", data={"reason": ""})
    assert "Enter why you are removing this document" in r.get_data(as_text=True)
    assert _documents()[0].removed_at is None
    r = holder.post(f"/budgets/{world.dp.id}/documents/{doc.id}/remove", data={"reason": "Uploaded by mistake"})
    assert r.status_code == 303
    [doc] = _documents()
    assert doc.removed_at is not None and doc.removed_by_id == world.holder.id
    assert doc.removed_reason == "Uploaded by mistake"
    listing = holder.get(r.location).get_data(as_text=True)
    assert "‘Old certificate’ removed." in listing and f"/documents/{doc.id}\"" not in listing
    assert "Old certificate" not in holder.get(f"/budgets/{world.dp.id}/documents").get_data(as_text=True)
    assert holder.get(f"/budgets/{world.dp.id}/documents/{doc.id}").status_code == 404
    assert holder.get(f"/budgets/{world.dp.id}/documents/{doc.id}/remove").status_code == 404
    event = db.session.query(AuditEvent).filter_by(action="document.removed").one()
    assert event.data["reason"] == "Uploaded by mistake" and event.actor_id == world.holder.id


@pytest.mark.parametrize("role, sees, keeps", [
    ("holder", True, True), ("rep", True, True), ("case_manager", True, True),
    ("other_holder", False, False), ("other_case_manager", False, False), ("staff", False, False),
    ("other_staff", False, False), ("ma_holder", False, False), ("admin", False, False)])
def test_who_may_see_and_keep_a_direct_payments_documents(client, world, role, sees, keeps):
    login(client, EMAIL["holder"])
    _post(client, world.dp, title="Insurance certificate", kind="insurance")
    [doc] = _documents()
    client.post("/sign-out")
    login(client, EMAIL[role])
    base = f"/budgets/{world.dp.id}/documents"
    assert client.get(base).status_code == (200 if sees else 404)
    assert client.get(f"{base}/{doc.id}").status_code == (200 if sees else 404)
    assert client.get(f"{base}/{doc.id}/remove").status_code == (200 if keeps else 404)
    r = _post(client, world.dp, title="Another")
    assert r.status_code == (303 if keeps else 404)
    r = client.post(f"{base}/{doc.id}/remove", data={"reason": "Trying"})
    assert r.status_code == (303 if keeps else 404)
    db.session.expire_all()
    assert (db.session.get(Document, doc.id).removed_at is not None) == keeps


@pytest.mark.parametrize("role, code", [("staff", 303), ("ma_holder", 303), ("other_staff", 404),
                                        ("holder", 404)])
def test_on_a_managed_account_the_provider_and_the_holder_keep_documents(client, world, role, code):
    login(client, EMAIL[role])
    assert _post(client, world.ma, kind="other", title="Agency contract").status_code == code


def test_a_document_of_another_budget_is_404_through_this_one(app, holder, world):
    client = app.test_client()
    login(client, EMAIL["other_holder"])
    _post(client, world.other_dp, title="Theirs")
    [theirs] = _documents()
    assert holder.get(f"/budgets/{world.dp.id}/documents/{theirs.id}").status_code == 404
    assert holder.post(f"/budgets/{world.dp.id}/documents/{theirs.id}/remove",
                       data={"reason": "x"}).status_code == 404


def test_the_sweep_tidies_documents_a_crash_left_behind(app, holder, world):
    _post(holder, world.dp, title="Kept")
    [kept] = _documents()
    root = Path(app.config["UPLOAD_DIR"])
    orphan = root / "documents" / "ab" / (".ab" + "0" * 30 + ".tmp")  # written, then the request died
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(PDF)
    old = time.time() - 2 * 24 * 3600
    os.utime(orphan, (old, old))
    result = app.test_cli_runner().invoke(args=["sweep-receipts"])
    assert "Documents: 0 linked, 1 removed." in result.output
    assert not orphan.exists() and (root / "documents" / kept.storage_key[:2] / kept.storage_key).exists()
