"""On a phone, a holder uploads a PA's DBS certificate on the PA's DBS check, sees it listed beside the check
(flagged as the check is due to be renewed), opens it, finds it among the budget's documents, then downloads all
their data and finds the certificate in it. Every page is checked with axe."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, check_page
from .journeys import HOLDER, quick_sign_in

pytestmark = pytest.mark.e2e
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_holder_uploads_a_dbs_certificate_on_a_pas_check_from_the_phone(open_page, live_server):
    page = open_page(viewport=PHONE)
    quick_sign_in(page, HOLDER)
    budget = live_server.budget_id("Alex Morgan")
    page.goto(f"/budgets/{budget}/pas")
    page.get_by_role("link", name="Tom Price").first.click()
    checks = page.locator("#checks")
    dbs = checks.locator("li").filter(has_text="DBS check").first
    dbs.locator("summary").filter(has_text="Upload dbs certificate").click()
    dbs.get_by_label(re.compile("DBS certificate")).set_input_files(files=[{
        "name": "tom-price-dbs.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    check_page(page)
    dbs.get_by_role("button", name="Upload dbs certificate").click()

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("DBS certificate ‘tom-price-dbs.pdf’ uploaded.")
    dbs = page.locator("#checks li").filter(has_text="DBS check").first
    link = dbs.get_by_role("link", name="tom-price-dbs.pdf").last
    expect(link).to_be_visible()
    expect(dbs).to_contain_text("uploaded by Alex Morgan")
    expect(dbs.locator(".govuk-tag")).to_contain_text(re.compile("Expire(s|d) with its check on"))
    check_page(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    with page.expect_download() as download:  # a PDF always downloads: never shown inside our pages
        link.click()
    assert download.value.suggested_filename == "tom-price-dbs.pdf"
    assert open(download.value.path(), "rb").read() == PDF

    page.goto(f"/budgets/{budget}")
    page.get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", level=2, name="DBS certificate")).to_be_visible()
    expect(page.get_by_role("link", name="tom-price-dbs.pdf").last).to_be_visible()
    check_page(page)

    page.goto(f"/budgets/{budget}")
    page.get_by_role("link", name="download all the data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Download all the data")
    check_page(page)
    page.get_by_role("button", name="Make a download of all the data").click()
    ready = page.get_by_role("link", name=re.compile(r"^Download all the data \(ZIP"))
    expect(ready).to_be_visible()
    check_page(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with page.expect_download() as download:
        ready.click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    assert "README.txt" in archive.namelist() and "spending.csv" in archive.namelist()
    assert [n for n in archive.namelist() if n.startswith("documents/") and n.endswith("tom-price-dbs.pdf")]
    assert "Tom Price" in archive.read("pas.csv").decode()
