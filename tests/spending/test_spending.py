"""Recording, listing, correcting and voiding payments, with receipts."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from pbportal.audit import AuditEvent
from pbportal.extensions import db
from pbportal.spending.models import Receipt, SpendingEntry
from pbportal.timeutil import today

from ..conftest import login, make_entry


def _day_parts(day):
    return [str(day.day), str(day.month), str(day.year)]


def payment(world, **overrides):
    data = {"paid_on": _day_parts(today()), "amount": "12.50", "payee": "Corner Shop",
            "line_id": str(world.lines["gym"].id), "note": "Swim pass"}
    data.update(overrides)
    return data


def _count(model=SpendingEntry):
    db.session.expire_all()
    return db.session.query(model).count()


def test_record_without_javascript_redirects_and_shows_it(holder, world):
    r = holder.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world, amount="£1,234.50",
                                                                          confirmed="large"))  # over the whole line
    assert r.status_code == 303 and r.location == f"/budgets/{world.dp.id}#recent-spending"
    page = holder.get(r.location.split("#")[0]).get_data(as_text=True)
    assert "£1,234.50 paid to Corner Shop recorded against Gym" in page
    entry = db.session.query(SpendingEntry).filter_by(payee="Corner Shop").one()
    assert entry.amount_pence == 123450 and entry.paid_on == today() and entry.category == "day_activities"
    assert entry.created_by_id == world.holder.id and entry.note == "Swim pass"
    recent = page[page.index('id="recent-spending"'):]
    assert recent.index("Corner Shop") < recent.index("Maria Santos")  # newest first


def test_record_with_htmx_returns_the_form_and_out_of_band_figures(holder, world):
    r = holder.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world, amount="30"),
                    headers={"HX-Request": "true", "HX-Target": "payment-form"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith("{#") is False and 'id="payment-form"' in page
    assert "£30.00 paid to Corner Shop recorded against Gym" in page
    assert page.count('hx-swap-oob="true"') == 3
    for section in ("budget-summary", "budget-lines", "recent-spending"):
        assert f'id="{section}"' in page
    # The gym line (£360 a year) now shows £30 spent and £330 left; the budget's spent includes it.
    gym = page[page.index(f'id="line-{world.lines["gym"].id}"'):]
    gym = gym[:gym.index("</li>")]
    assert "£30.00" in gym and "£330.00" in gym
    summary = page[page.index('id="budget-summary"'):page.index("</section>")]
    assert "£150.00" in summary  # £120 already spent on wages + £30
    assert len(page.encode()) < 20_000


def test_form_defaults_to_today(holder, world):
    page = holder.get(f"/budgets/{world.dp.id}").get_data(as_text=True)
    day = today()
    assert f'id="paid_on-day" name="paid_on" type="text" value="{day.day}"' in page or \
        f'value="{day:%d}"' in page
    assert 'name="receipt"' in page and 'accept="image/jpeg,image/png,image/webp,application/pdf"' in page


@pytest.mark.parametrize("field, value, message", [
    ("amount", "", "Enter an amount"),
    ("amount", "0", "Amount must be more than £0"),
    ("amount", "-12", "Amount must be more than £0"),
    ("amount", "twelve", "Enter an amount in pounds and pence, like 12.50 or £1,234.50"),
    ("amount", "100000.01", "Amount must be £100,000.00 or less"),
    ("amount", "12.345", "Amount must not have more than 2 decimal places"),
    ("payee", "", "Enter who the payment was made to"),
    ("payee", "x" * 201, "Paid to must be 200 characters or fewer"),
    ("line_id", "", "Select the budget line this payment is for"),
    ("line_id", "abc", "Select the budget line this payment is for"),
    ("line_id", "0", "Select the budget line this payment is for"),
    ("paid_on", ["", "", ""], "Enter the date the payment was made"),
    ("paid_on", ["31", "2", "2026"], "The date the payment was made must be a real date"),
    ("paid_on", ["1", "13", "2026"], "The date the payment was made must be a real date"),
    ("paid_on", ["1", "1", "26"], "The date the payment was made must be a real date"),
    ("paid_on", ["x", "y", "z"], "The date the payment was made must be a real date"),
    ("paid_on", ["", "3", "2026"], "The date the payment was made must include a day"),
    ("paid_on", ["4"], "The date the payment was made must include a month and year"),
    ("note", "n" * 1001, "Note must be 1,000 characters or fewer"),
])
@pytest.mark.parametrize("hx", [False, True])
def test_bad_input_gets_a_message_by_the_field_and_in_the_summary(holder, world, field, value, message, hx):
    before = _count()
    data = payment(world, **{field: value})
    headers = {"HX-Request": "true"} if hx else {}
    r = holder.post(f"/budgets/{world.dp.id}/payments/new", data=data, headers=headers)
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "There is a problem" in page
    assert page.count(message) == 2, page  # in the summary and by the field
    assert "govuk-error-message" in page
    assert ("<html" in page) is (not hx)
    if not hx:
        assert "<title>Error:" in page
    # What the user typed is kept.
    if field != "payee":
        assert 'value="Corner Shop"' in page
    if field != "amount":
        assert 'value="12.50"' in page
    assert _count() == before


def test_date_in_the_future_is_refused(holder, world):
    r = holder.post(f"/budgets/{world.dp.id}/payments/new",
                    data=payment(world, paid_on=_day_parts(today() + timedelta(days=1))))
    assert "The date the payment was made must be today or in the past" in r.get_data(as_text=True)


def test_date_before_the_plan_year_is_refused(holder, world):
    r = holder.post(f"/budgets/{world.dp.id}/payments/new",
                    data=payment(world, paid_on=_day_parts(world.dp.plan_year_start - timedelta(days=1))))
    page = r.get_data(as_text=True)
    assert "The date the payment was made must be in this plan year" in page
    assert _count() == 3


def test_a_hand_made_post_missing_fields_is_not_a_500(holder, world):
    r = holder.post(f"/budgets/{world.dp.id}/payments/new", data={"paid_on": "5"})
    assert r.status_code == 200
    r = holder.post(f"/budgets/{world.dp.id}/payments/new", data={"paid_on": ["1", "2", "3", "4", "5"],
                                                                  "line_id": "99999999999999999999"})
    assert r.status_code == 200


# ---- receipts ------------------------------------------------------------------------------------

def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photo_receipt_is_stored_without_location_and_served_to_those_allowed(app, holder, world):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo does carry GPS
    data = payment(world)
    data["receipt"] = (io.BytesIO(original), "IMG_0001.jpg")
    r = holder.post(f"/budgets/{world.dp.id}/payments/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 303
    receipt = db.session.query(Receipt).one()
    assert receipt.content_type == "image/jpeg" and receipt.original_name == "IMG_0001.jpg"
    served = holder.get(f"/budgets/{world.dp.id}/receipts/{receipt.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert not image.getexif().get_ifd(0x8825) and 0x010F not in image.getexif()
    assert image.size == (64, 48)
    assert "sandbox" in served.headers["Content-Security-Policy"] or "default-src 'none'" in \
        served.headers["Content-Security-Policy"]
    # Stored outside static/, under UPLOAD_DIR, by a random name.
    assert app.config["UPLOAD_DIR"] not in app.static_folder
    # Someone else gets 404 for it.
    holder.post("/sign-out")
    login(holder, "other@example.org")
    assert holder.get(f"/budgets/{world.dp.id}/receipts/{receipt.id}").status_code == 404


def test_pdf_receipt_downloads(holder, world):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    data = payment(world)
    data["receipt"] = (io.BytesIO(pdf), "invoice.pdf")
    assert holder.post(f"/budgets/{world.dp.id}/payments/new", data=data,
                       content_type="multipart/form-data").status_code == 303
    receipt = db.session.query(Receipt).one()
    served = holder.get(f"/budgets/{world.dp.id}/receipts/{receipt.id}")
    assert served.data == pdf and "attachment" in served.headers["Content-Disposition"]


@pytest.mark.parametrize("content, name, message", [
    (b"MZ\x90\x00 this is a program", "receipt.jpg", "The receipt must be a photo (JPG, PNG or WEBP) or a PDF"),
    (b"<html><script>alert(1)</script>", "receipt.pdf", "The receipt must be a photo (JPG, PNG or WEBP) or a PDF"),
    (b"\xff\xd8\xff\xe0 not really a jpeg", "photo.jpg", "The photo could not be read"),
    (b"", "empty.png", "The selected file is empty"),
    (b"%PDF-1.4 truncated", "cut.pdf", "The PDF could not be read"),
])
def test_wrong_receipts_are_refused_by_content_not_name(holder, world, content, name, message):
    before = (_count(), _count(Receipt))
    data = payment(world)
    data["receipt"] = (io.BytesIO(content), name)
    r = holder.post(f"/budgets/{world.dp.id}/payments/new", data=data, content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and message in page and "There is a problem" in page
    assert 'value="Corner Shop"' in page
    assert (_count(), _count(Receipt)) == before


def test_receipt_over_10_mb_is_refused_with_a_field_error(app, holder, world):
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n"
    data = payment(world)
    data["receipt"] = (io.BytesIO(big), "huge.pdf")
    r = holder.post(f"/budgets/{world.dp.id}/payments/new", data=data, content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "The receipt must be smaller than 10 MB" in page
    assert _count(Receipt) == 0 and _count() == 3


def test_request_far_over_the_limit_gets_a_clear_page(app, holder, world):
    data = payment(world)
    data["receipt"] = (io.BytesIO(b"0" * (17 * 1024 * 1024)), "enormous.jpg")
    r = holder.post(f"/budgets/{world.dp.id}/payments/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 413 and "The file you sent is too large" in r.get_data(as_text=True)
    assert _count() == 3


def test_receipt_file_is_removed_if_the_entry_cannot_be_saved(app, holder, world, monkeypatch):
    import pbportal.spending.views as views

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(views, "record_payment", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    data = payment(world)
    data["receipt"] = (io.BytesIO(_jpeg_with_gps()), "a.jpg")
    try:
        r = holder.post(f"/budgets/{world.dp.id}/payments/new", data=data, content_type="multipart/form-data")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert r.status_code == 500 and "Sorry, there is a problem" in r.get_data(as_text=True)
    import os

    stored = [f for _, _, files in os.walk(app.config["UPLOAD_DIR"]) for f in files]
    assert stored == [] and _count(Receipt) == 0


# ---- void and correct ----------------------------------------------------------------------------

def test_void_keeps_the_entry_with_who_when_and_why(holder, world):
    entry = world.entries["dp"]
    page = holder.get(f"/budgets/{world.dp.id}").get_data(as_text=True)
    assert "£120.00" in page[page.index('id="budget-summary"'):]
    r = holder.post(f"/budgets/{world.dp.id}/spending/{entry.id}/void", data={"reason": "Recorded twice"})
    assert r.status_code == 303
    page = holder.get(r.location).get_data(as_text=True)
    assert "voided" in page
    summary = page[page.index('id="budget-summary"'):page.index("</section>")]
    assert "<dd>£0.00</dd>" in summary
    db.session.expire_all()
    entry = db.session.get(SpendingEntry, entry.id)
    assert entry.status == "voided" and entry.change_reason == "Recorded twice"
    assert entry.changed_by_id == world.holder.id and entry.changed_at is not None
    detail = holder.get(f"/budgets/{world.dp.id}/spending/{entry.id}").get_data(as_text=True)
    assert "Recorded twice" in detail and "Alex Holder" in detail and "Void this payment" not in detail
    event = db.session.query(AuditEvent).filter_by(action="spending.voided").one()
    assert event.object_id == entry.id and event.actor_id == world.holder.id and event.data["reason"] == \
        "Recorded twice"


def test_void_needs_a_reason_and_cannot_happen_twice(holder, world):
    entry = world.entries["dp"]
    r = holder.post(f"/budgets/{world.dp.id}/spending/{entry.id}/void", data={"reason": "  "})
    assert "Enter why you are voiding this payment" in r.get_data(as_text=True)
    holder.post(f"/budgets/{world.dp.id}/spending/{entry.id}/void", data={"reason": "Refunded"})
    r = holder.post(f"/budgets/{world.dp.id}/spending/{entry.id}/void", data={"reason": "Again"})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(SpendingEntry, entry.id).change_reason == "Refunded"


def test_correction_replaces_the_entry_and_keeps_the_original(holder, world):
    entry = world.entries["dp"]
    form = holder.get(f"/budgets/{world.dp.id}/spending/{entry.id}/correct").get_data(as_text=True)
    assert 'value="120.00"' in form and 'value="Maria Santos"' in form
    data = payment(world, amount="110", payee="Maria Santos", line_id=str(world.lines["wages"].id),
                   paid_on=_day_parts(entry.paid_on), reason="Typed the wrong hours")
    r = holder.post(f"/budgets/{world.dp.id}/spending/{entry.id}/correct", data=data)
    assert r.status_code == 303
    db.session.expire_all()
    old = db.session.get(SpendingEntry, entry.id)
    new = db.session.query(SpendingEntry).filter_by(corrects_id=entry.id).one()
    assert old.status == "corrected" and old.amount_pence == 12000 and old.change_reason == "Typed the wrong hours"
    assert new.status == "active" and new.amount_pence == 11000
    page = holder.get(r.location).get_data(as_text=True)
    assert "Version 1" in page and "Typed the wrong hours" in page and "£120.00" in page
    budget_page = holder.get(f"/budgets/{world.dp.id}").get_data(as_text=True)
    summary = budget_page[budget_page.index('id="budget-summary"'):budget_page.index("</section>")]
    assert "£110.00" in summary and "£120.00" not in summary
    assert db.session.query(AuditEvent).filter_by(action="spending.corrected").one().data["before"][
        "amount_pence"] == 12000


def test_correction_needs_a_reason_and_valid_values(holder, world):
    entry = world.entries["dp"]
    r = holder.post(f"/budgets/{world.dp.id}/spending/{entry.id}/correct",
                    data=payment(world, amount="-1", reason=""))
    page = r.get_data(as_text=True)
    assert "Enter why you are correcting this payment" in page and "Amount must be more than £0" in page
    assert _count() == 3


def test_case_manager_can_read_but_not_change_spending(client, world):
    login(client, "cm@example.org")
    page = client.get(f"/budgets/{world.dp.id}").get_data(as_text=True)
    assert "Record a payment" not in page
    detail = client.get(f"/budgets/{world.dp.id}/spending/{world.entries['dp'].id}").get_data(as_text=True)
    assert "Void this payment" not in detail
    assert client.post(f"/budgets/{world.dp.id}/spending/{world.entries['dp'].id}/void",
                       data={"reason": "x"}).status_code == 404


def test_representative_records_for_the_holder(client, world):
    login(client, "rep@example.org")
    assert client.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world)).status_code == 303
    entry = db.session.query(SpendingEntry).filter_by(payee="Corner Shop").one()
    assert entry.created_by_id == world.rep.id


def test_provider_staff_record_for_a_managed_account(client, world):
    login(client, "staff@example.org")
    data = payment(world, line_id=str(world.lines["ma"].id))
    assert client.post(f"/budgets/{world.ma.id}/payments/new", data=data).status_code == 303


# ---- the list ----------------------------------------------------------------------------------

def test_list_is_newest_first_filterable_and_paginated(holder, world):
    wages, gym = world.lines["wages"], world.lines["gym"]
    start = world.dp.plan_year_start
    for n in range(25):
        make_entry(world.dp, wages, 1000 + n, paid_on=start + timedelta(days=n), payee=f"Payee {n:02d}")
    make_entry(world.dp, gym, 3000, paid_on=start + timedelta(days=40), payee="Gym Ltd")
    make_entry(world.dp, gym, 999, paid_on=start + timedelta(days=41), payee="Voided Gym", status="voided")
    db.session.commit()
    page = holder.get(f"/budgets/{world.dp.id}/spending").get_data(as_text=True)
    assert "27 payments" in page  # 25 + gym + the fixture's entry; the voided one is left out
    assert page.index("Gym Ltd") < page.index("Payee 24") < page.index("Payee 23")
    assert "Voided Gym" not in page
    assert 'rel="next"' in page and "Payee 00" not in page
    page2 = holder.get(f"/budgets/{world.dp.id}/spending?page=2").get_data(as_text=True)
    assert "Payee 00" in page2
    only_gym = holder.get(f"/budgets/{world.dp.id}/spending?line={gym.id}").get_data(as_text=True)
    assert "1 payment totalling <strong>£30.00</strong> on Gym" in only_gym and "Payee" not in only_gym
    with_void = holder.get(f"/budgets/{world.dp.id}/spending?line={gym.id}&show=all").get_data(as_text=True)
    assert "Voided Gym" in with_void
    month = start.strftime("%Y-%m")
    by_month = holder.get(f"/budgets/{world.dp.id}/spending?month={month}").get_data(as_text=True)
    assert f"in {start:%B %Y}" in by_month
    partial = holder.get(f"/budgets/{world.dp.id}/spending?line={gym.id}", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert "<html" not in text and 'id="spending-results"' in text and "Gym Ltd" in text
    boosted = holder.get(f"/budgets/{world.dp.id}/spending",
                         headers={"HX-Request": "true", "HX-Boosted": "true"}).get_data(as_text=True)
    assert "<html" in boosted
    restore = holder.get(f"/budgets/{world.dp.id}/spending",
                         headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}).get_data(as_text=True)
    assert "<html" in restore


@pytest.mark.parametrize("query", ["page=-3", "page=999", "page=x", "line=abc", "line=999999", "month=2026-99",
                                   "month=<script>", "show=yes"])
def test_odd_list_queries_do_not_break_the_page(holder, world, query):
    r = holder.get(f"/budgets/{world.dp.id}/spending?{query}")
    assert r.status_code == 200 and "<script>" not in r.get_data(as_text=True).split("</head>")[1]


def test_every_change_is_in_the_audit_log(holder, world):
    holder.post(f"/budgets/{world.dp.id}/payments/new", data=payment(world))
    entry = db.session.query(SpendingEntry).filter_by(payee="Corner Shop").one()
    event = db.session.query(AuditEvent).filter_by(action="spending.recorded").one()
    assert event.object_id == entry.id and event.budget_id == world.dp.id and event.data["amount_pence"] == 1250


def test_audit_log_cannot_be_changed_or_deleted(app, world):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    db.session.add(AuditEvent(action="x", object_type="y", data={}))
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(text("UPDATE audit_event SET action = 'tampered'"))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(DBAPIError):
        db.session.execute(text("DELETE FROM audit_event"))
        db.session.flush()
    db.session.rollback()


def test_money_rows_cannot_be_zero_or_negative_in_the_database(app, world):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        make_entry(world.dp, world.lines["wages"], 0)
    db.session.rollback()


def test_amount_in_the_page_matches_the_pence(holder, world):
    page = holder.get(f"/budgets/{world.dp.id}/spending").get_data(as_text=True)
    assert re.search(r"£120\.00", page)


def test_list_shows_one_plan_year_at_a_time(holder, world):
    from ..conftest import make_budget, make_line, make_user

    owner = make_user("long@example.org", "holder", "Lee Long")
    start = today().replace(day=1) - timedelta(days=800)
    budget = make_budget(owner, world.council, start=start)
    line = make_line(budget)
    make_entry(budget, line, 1111, paid_on=start + timedelta(days=2), payee="Year One Payee")
    make_entry(budget, line, 2222, paid_on=today(), payee="This Year Payee")
    db.session.commit()
    holder.post("/sign-out")
    login(holder, "long@example.org")
    page = holder.get(f"/budgets/{budget.id}/spending").get_data(as_text=True)
    assert "This Year Payee" in page and "Year One Payee" not in page
    assert 'id="filter-year"' in page and page.count('<option value="' + start.isoformat()) == 1
    old = holder.get(f"/budgets/{budget.id}/spending?year={start.isoformat()}").get_data(as_text=True)
    assert "Year One Payee" in old and "This Year Payee" not in old and "1 payment totalling" in old
    junk = holder.get(f"/budgets/{budget.id}/spending?year=1999-01-01").get_data(as_text=True)
    assert "This Year Payee" in junk


def test_htmx_error_swap_carries_the_error_title(holder, world):
    url = f"/budgets/{world.dp.id}/payments/new"
    r = holder.post(url, data=payment(world, amount=""), headers={
        "HX-Request": "true", "HX-Current-URL": f"http://localhost/budgets/{world.dp.id}"})
    assert "<title>Error: Alex Holder’s budget – pbportal</title>" in r.get_data(as_text=True)
    r = holder.post(url, data=payment(world), headers={
        "HX-Request": "true", "HX-Current-URL": f"http://localhost{url}"})
    assert "<title>Record a payment – pbportal</title>" in r.get_data(as_text=True)
    page = holder.get(f"/budgets/{world.dp.id}").get_data(as_text=True)
    assert page.count("<title>") == 1
