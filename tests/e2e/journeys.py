"""Steps the journeys share: signing in, reading the budget page's figures, voiding a payment."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from pbportal.demo import PASSWORD
from pbportal.money import format_pence

from .helpers import check_page

HOLDER = "dp.holder@example.org"
HOLDER_NAME = "Alex Morgan"
PROVIDER = "provider@example.org"
CASE_MANAGER = "case.manager@example.org"


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in from the sign-in page (itself checked), and wait for the page the user lands on."""
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to pbportal")
    check_page(page)
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/sign-in"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def quick_sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in without checking the sign-in page again (sign_in does, once per journey is enough)."""
    page.goto("/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def figure(scope: Locator, label: str) -> Locator:
    """The <dd> that goes with the <dt> called `label` inside `scope`."""
    return scope.locator(f"xpath=.//dt[normalize-space()='{label}']/following-sibling::dd[1]")


def read_pence(locator: Locator) -> int:
    text = locator.inner_text().strip().replace("£", "").replace(",", "").replace("−", "-")
    pounds, _, pennies = text.partition(".")
    sign = -1 if pounds.startswith("-") else 1
    return sign * (abs(int(pounds)) * 100 + int(pennies or 0))


@dataclass(frozen=True)
class Figures:
    """The figures on a budget page that one payment on one line moves."""

    spent: int
    left: int
    line_spent: int
    line_left: int

    @classmethod
    def read(cls, page: Page, line_id: str) -> Figures:
        summary, line = page.locator("#budget-summary"), page.locator(f"#line-{line_id}")
        return cls(read_pence(figure(summary, "Spent")), read_pence(figure(summary, "Left")),
                   read_pence(figure(line, "Spent")), read_pence(figure(line, "Left")))


def expect_figures(page: Page, line_id: str, figures: Figures) -> None:
    """Wait until the page shows these figures (htmx may still be swapping them in)."""
    summary, line = page.locator("#budget-summary"), page.locator(f"#line-{line_id}")
    expect(figure(summary, "Spent")).to_have_text(format_pence(figures.spent))
    expect(figure(summary, "Left")).to_have_text(format_pence(figures.left))
    expect(figure(line, "Spent")).to_have_text(format_pence(figures.line_spent))
    expect(figure(line, "Left")).to_have_text(format_pence(figures.line_left))


def after_paying(figures: Figures, pence: int) -> Figures:
    return Figures(figures.spent + pence, figures.left - pence, figures.line_spent + pence,
                   figures.line_left - pence)


def line_option(page: Page, item: str) -> str:
    """The id of the budget line called `item`, from the payment form's select."""
    value = page.locator("#line_id option").filter(has_text=re.compile(rf"^{re.escape(item)}$")).get_attribute("value")
    assert value and value != "0", f"no budget line {item!r} in the payment form"
    return value


def expect_error(page: Page, field_id: str, message: str) -> None:
    """A GOV.UK error summary linking to the field, and the same message by the field."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator(f"a[href='#{field_id}']")).to_have_text(message)
    expect(page.locator(f"#{field_id}-error")).to_contain_text(message)
    expect(page.locator(f"#{field_id}")).to_have_class(re.compile(r"govuk-input--error|govuk-select--error"))


def void_entry(page: Page, reason: str) -> None:
    """From an entry's page: void it, giving a reason (each page on the way is checked)."""
    page.get_by_role("link", name="Void this payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Void this payment")
    check_page(page)
    page.get_by_label("Why are you voiding this payment?").fill(reason)
    page.get_by_role("button", name="Void payment").click()


def expect_voided(page: Page, payee: str, amount: str, reason: str) -> None:
    """On the entry's page: it says it was voided, by whom and why, and cannot be changed again."""
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Payment to {payee}")
    notice = page.locator(".govuk-inset-text")
    expect(notice).to_contain_text(f"This payment was voided by {HOLDER_NAME}")
    expect(notice).to_contain_text(f"Reason: {reason}")
    history = page.locator("table.govuk-table tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text(amount)
    expect(history.first).to_contain_text(f"Voided by {HOLDER_NAME}")
    expect(history.first).to_contain_text(reason)
    expect(page.get_by_role("link", name="Void this payment")).to_have_count(0)
    expect(page.get_by_role("link", name="Correct this payment")).to_have_count(0)
    check_page(page)


def jpeg_with_gps() -> bytes:
    """A small receipt photo that says where it was taken (EXIF GPS), as a phone camera would."""
    image = Image.new("RGB", (320, 200), "white")
    ImageDraw.Draw(image).text((16, 16), "RECEIPT\nCorner Shop\nTotal GBP 12.34", fill="black")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (51.0, 30.0, 26.0),
        ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.0),
    }
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    content = out.getvalue()
    assert photo_metadata(content).get("gps"), "the test photo should carry GPS data"
    return content


def photo_metadata(content: bytes) -> dict:
    """What a photo says about where it was taken and with what: its EXIF GPS data and camera make."""
    with Image.open(io.BytesIO(content)) as image:
        exif = image.getexif()
        found = {}
        if ExifTags.IFD.GPSInfo in exif:
            found["gps"] = dict(exif.get_ifd(ExifTags.IFD.GPSInfo)) or exif[ExifTags.IFD.GPSInfo]
        if ExifTags.Base.Make in exif:
            found["make"] = exif[ExifTags.Base.Make]
        return found
