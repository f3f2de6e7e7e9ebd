"""The managed account as its holder sees it: each statement line, and the notes, receipts and questions the
holder's side adds to it, which the provider answers."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from pbportal.audit import AuditEvent
from pbportal.banking.models import LineComment
from pbportal.budget.models import Representative
from pbportal.extensions import db
from pbportal.spending.models import Receipt

from ..conftest import EMAIL, login
from .helpers import actions, fresh, title


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


def post(client, world, line, *, text="", receipt=None, question=False):
    data = {"text": text}
    if receipt is not None:
        data["receipt"] = (io.BytesIO(receipt[1]), receipt[0])
    if question:
        data["question"] = "y"
    return client.post(f"/budgets/{world.ma.id}/account/lines/{line.id}", data=data,
                       content_type="multipart/form-data")


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def holder(client, world):
    """Here the holder is the managed account's (Mo Managed), not conftest's direct-payment holder."""
    login(client, EMAIL["ma_holder"])
    return client


@pytest.mark.parametrize("text, receipt, question, message", [
    ("", None, False, "Enter a note or a question, or choose a receipt to add"),
    ("   ", None, True, "Enter a note or a question, or choose a receipt to add"),
    ("", ("receipt.png", _png()), True, "Enter your question"),
    ("For the carer", ("receipt.png", b"just some text, not a photo"), False,
     "The receipt must be a photo (JPG, PNG or WEBP) or a PDF"),
    ("For the carer", ("receipt.pdf", b"%PDF-1.4 cut short"), False, "The PDF could not be read"),
    ("x" * 2001, None, False, "Note must be 2,000 characters or fewer"),
])
def test_what_cannot_be_added_says_why_and_saves_nothing(app, holder, world, acct, text, receipt, question,
                                                         message):
    r = post(holder, world, acct["home1"], text=text, receipt=receipt, question=question)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and message in body and title(body).startswith("Error:")
    assert db.session.query(LineComment).count() == 0 and db.session.query(Receipt).count() == 0
    assert stored_files(app) == [] and actions() == []


def test_a_note_with_a_receipt_and_a_question_the_provider_answers(app, client, holder, world, acct):
    line = acct["home1"]
    page = f"/budgets/{world.ma.id}/account/lines/{line.id}"
    r = post(holder, world, line, text="Care on the 3rd", receipt=("invoice.png", _png()))
    assert r.status_code == 303 and r.location == page
    note = db.session.query(LineComment).one()
    assert (note.status, note.text, note.created_by_id) == ("note", "Care on the 3rd", world.ma_holder.id)
    assert note.receipt is not None and len(stored_files(app)) == 1
    body = holder.get(page).get_data(as_text=True)
    assert "Added to the line." in body and "Care on the 3rd" in body and "invoice.png" in body
    r = post(holder, world, line, text="Was this two visits?", question=True)
    assert "Your question has been sent to the provider." in holder.get(r.location).get_data(as_text=True)
    question = db.session.query(LineComment).filter_by(status="open").one()
    account = holder.get(f"/budgets/{world.ma.id}/account").get_data(as_text=True)
    assert "1 question waiting for an answer from the provider." in account and "2 notes" in account
    added = [e.data for e in db.session.query(AuditEvent).filter_by(action="line_comment.added")
             .order_by(AuditEvent.id)]
    assert [(d["question"], d["receipt"]) for d in added] == [(False, True), (True, False)]
    holder.post("/sign-out")

    login(client, EMAIL["staff"])
    answer = f"{page}/questions/{question.id}"
    assert "Send the answer" in client.get(page).get_data(as_text=True)
    assert "Add a note, a receipt or a question" not in client.get(page).get_data(as_text=True)
    r = client.post(answer, data={"answer": "  "})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Enter your answer" in body and title(body).startswith("Error:")
    assert fresh(LineComment, question.id).status == "open" and "line_comment.answered" not in actions()
    r = client.post(answer, data={"answer": "Yes: two visits that day"})
    assert "Answer sent." in client.get(r.location).get_data(as_text=True)
    question = fresh(LineComment, question.id)
    assert (question.status, question.answer, question.answered_by_id) == (
        "answered", "Yes: two visits that day", world.staff.id)
    r = client.post(answer, data={"answer": "Again"})
    assert "That question has already been answered." in client.get(r.location).get_data(as_text=True)
    assert fresh(LineComment, question.id).answer == "Yes: two visits that day"
    assert actions().count("line_comment.answered") == 1
    client.post("/sign-out")

    login(client, EMAIL["ma_holder"])
    body = client.get(page).get_data(as_text=True)
    assert "Question answered" in body and "Yes: two visits that day" in body
    assert "question waiting" not in client.get(f"/budgets/{world.ma.id}/account").get_data(as_text=True)


def test_a_representative_of_the_account_may_add_to_its_lines(client, world, acct):
    db.session.add(Representative(budget_id=world.ma.id, user_id=world.rep.id, kind="nominated"))
    db.session.commit()
    login(client, EMAIL["rep"])
    assert post(client, world, acct["shop"], text="Gloves and wipes").status_code == 303
    (note,) = db.session.query(LineComment).all()
    assert (note.created_by_id, note.statement_line_id) == (world.rep.id, acct["shop"].id)


def test_the_account_page_shows_what_each_line_was_matched_to(client, world, acct):
    login(client, EMAIL["staff"])
    client.post(f"/budgets/{world.ma.id}/matching/{acct['home1'].id}/match",
                data={"version": 1, "target": str(world.lines["ma"].id)})
    client.post(f"/budgets/{world.ma.id}/matching/{acct['shop'].id}/set-aside",
                data={"version": 1, "reason": "Bank error, put right the next day"})
    client.post("/sign-out")
    for role in ("ma_holder", "case_manager"):
        login(client, EMAIL[role])
        account = client.get(f"/budgets/{world.ma.id}/account").get_data(as_text=True)
        assert "HOMECARE PARTNERS LTD REF 1" in account and "Agency care" in account and "To match" in account
        line = client.get(f"/budgets/{world.ma.id}/account/lines/{acct['shop'].id}").get_data(as_text=True)
        assert "Not for the plan: Bank error, put right the next day" in line
        assert "Add a note, a receipt or a question" in line if role == "ma_holder" else \
            "Add a note, a receipt or a question" not in line
        client.post("/sign-out")
