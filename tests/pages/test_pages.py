"""The pages every public service needs (help and contact, accessibility statement, privacy notice, cookies):
there for anyone, signed in or out, linked from every page's footer, with real content and the settings that
differ between councils; a holder's help page and budget page name who to contact about their own budget, and
nobody else's; an organisation's admin keeps its contact details."""
from __future__ import annotations

import re
from datetime import date

import pytest

from pbportal.audit import AuditEvent
from pbportal.extensions import db

from ..conftest import EMAIL, login, make_user

PAGES = {
    "/help": ["Help and contact", "What can I spend my budget on?", "What do I do when my personal assistant is off "
              "sick?", "When is my review?", "How do I get a payslip for my PA?", "Who do I phone?"],
    "/accessibility": ["Accessibility statement for pbportal", "How accessible this website is",
                       "Feedback and contact information", "Reporting accessibility problems with this website",
                       "Enforcement procedure", "Technical information about this website’s accessibility",
                       "Compliance status", "Non-accessible content", "What we’re doing to improve accessibility",
                       "Preparation of this accessibility statement"],
    "/privacy": ["Privacy notice", "Who is responsible for your information", "What information we keep",
                 "Why we keep it, and the law that allows it", "Who can see it", "How long we keep it",
                 "Your rights", "If you are not happy"],
    "/cookies": ["Cookies", "The cookie we set", "Why there is no cookie banner"],
}
FOOTER = {"Help and contact": "/help", "Accessibility statement": "/accessibility", "Privacy": "/privacy",
          "Cookies": "/cookies"}
ROLES = ["holder", "rep", "ma_holder", "staff", "case_manager", "org_admin", "admin"]


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, re.S)]


def _footer_links(html: str) -> dict[str, str]:
    footer = html[html.index("<footer"):]
    return {text: href for href, text in re.findall(r'<a class="govuk-footer__link" href="([^"]+)">([^<]+)</a>',
                                                   footer)}


@pytest.fixture
def org_admin(world):
    return make_user("orgadmin@example.org", "org_admin", "Olu Admin", world.council)


@pytest.mark.parametrize("path", list(PAGES))
def test_each_page_is_there_signed_out_with_its_headings(client, path):
    r = client.get(path)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for heading in PAGES[path]:
        assert heading in _headings(html), (path, heading)
    assert _footer_links(html) == FOOTER


@pytest.mark.parametrize("role", ROLES)
def test_each_page_is_there_for_every_role(client, world, org_admin, role):
    login(client, dict(EMAIL, org_admin="orgadmin@example.org")[role])
    for path, headings in PAGES.items():
        r = client.get(path)
        assert r.status_code == 200, (role, path)
        assert headings[0] in _headings(r.get_data(as_text=True))


@pytest.mark.parametrize("role, path", [(None, "/sign-in"), ("holder", "/budgets/{dp}"),
                                        ("holder", "/budgets/{dp}/spending"), ("staff", "/accounts"),
                                        ("case_manager", "/caseload"),
                                        ("org_admin", "/organisation/staff"), ("admin", "/admin"),
                                        (None, "/password/forgotten"), ("holder", "/no-such-page")])
def test_every_page_links_to_them_in_its_footer(client, world, org_admin, role, path):
    if role:
        login(client, dict(EMAIL, org_admin="orgadmin@example.org")[role])
    r = client.get(path.format(dp=world.dp.id))
    assert _footer_links(r.get_data(as_text=True)) == FOOTER


def _contacts(org, phone, email, hours=""):
    org.contact_phone, org.contact_email, org.contact_hours = phone, email, hours
    db.session.commit()


def test_the_help_page_names_the_holders_own_case_manager_and_how_to_reach_the_council(client, world):
    _contacts(world.council, "0161 496 0100", "dp@council.example", "Monday to Friday, 9am to 5pm")
    login(client, EMAIL["holder"])
    html = client.get("/help").get_data(as_text=True)
    assert "Cara Case, Test Council" in html and 'href="tel:01614960100"' in html
    assert "dp@council.example" in html and "Monday to Friday, 9am to 5pm" in html
    assert "Otto Case" not in html  # another person's case manager
    assert f"/budgets/{world.dp.id}/contingency" in html and f"/budgets/{world.dp.id}/reviews" in html


def test_a_managed_account_holder_is_told_the_provider_too(client, world):
    _contacts(world.provider_org, "0161 496 0300", "accounts@provider.example")
    _contacts(world.other_provider, "0161 496 0999", "other@provider.example")
    login(client, EMAIL["ma_holder"])
    html = client.get("/help").get_data(as_text=True)
    assert "Your account is held by" in html and "Test Managed Accounts" in html
    assert "accounts@provider.example" in html and "other@provider.example" not in html
    assert "has not added its phone number or email address here yet" in html  # the council has not


def test_a_representative_sees_the_contacts_and_review_date_for_the_budget_they_act_for(client, world):
    world.dp.next_review_due = date(2027, 3, 14)
    db.session.commit()
    login(client, EMAIL["rep"])
    html = client.get("/help").get_data(as_text=True)
    assert "Cara Case" in html and f"/budgets/{world.dp.id}/reviews" in html
    assert "The next review of Alex Holder’s support plan is due by <strong>14 March 2027</strong>" in html
    client.post("/sign-out")
    login(client, EMAIL["holder"])
    assert "The next review of your support plan is due by <strong>14 March 2027</strong>" in \
        client.get("/help").get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "case_manager", "admin"])
def test_staff_see_the_help_page_without_anyones_budget(client, world, role):
    login(client, EMAIL[role])
    html = client.get("/help").get_data(as_text=True)
    assert "Who to contact" not in html and "/budgets/" not in html


def test_the_budget_page_says_who_to_contact_to_the_holder_side_only(client, world):
    _contacts(world.council, "0161 496 0100", "dp@council.example")
    login(client, EMAIL["holder"])
    html = client.get(f"/budgets/{world.dp.id}").get_data(as_text=True)
    assert "Who to contact" in html and "Cara Case, Test Council" in html and "dp@council.example" in html
    client.post("/sign-out")
    login(client, EMAIL["case_manager"])
    assert "Who to contact" not in client.get(f"/budgets/{world.dp.id}").get_data(as_text=True)


def test_the_privacy_notice_and_statement_use_this_councils_settings(app, client):
    app.config.update(DATA_CONTROLLER="Exampleshire County Council", DPO_NAME="Sam Jones, Data Protection Officer",
                      DPO_EMAIL="dpo@exampleshire.example", DPO_ADDRESS="County Hall, Exampleshire EX9 9XX",
                      RETENTION_YEARS=7, SUPPORT_EMAIL="help@exampleshire.example")
    privacy = client.get("/privacy").get_data(as_text=True)
    for text in ("Exampleshire County Council is the data controller", "Sam Jones, Data Protection Officer",
                 "dpo@exampleshire.example", "County Hall, Exampleshire EX9 9XX", "we keep its records for 7 years",
                 "Article 9(2)(h)", "Information Commissioner’s Office"):
        assert text in privacy, text
    statement = client.get("/accessibility").get_data(as_text=True)
    assert "help@exampleshire.example" in statement and "WCAG" not in _headings(statement)[0]
    assert re.search(r"prepared on \d+ \w+ 20\d\d\. It was last reviewed on \d+ \w+ 20\d\d", statement)


def test_the_cookies_page_names_the_one_cookie_actually_set(app, client):
    html = client.get("/cookies").get_data(as_text=True)
    assert "<code>session</code>" in html and f"{app.config['SESSION_IDLE_MINUTES']} minutes" in html
    page = client.get("/sign-in")
    names = {h.split("=", 1)[0] for h in page.headers.getlist("Set-Cookie")}
    assert names <= {"session"}


# ---- an organisation's contact details ----------------------------------------------------------

def test_an_org_admin_keeps_the_contact_details_people_see(client, world, org_admin):
    login(client, "orgadmin@example.org")
    assert "Contact details" in client.get("/organisation/staff").get_data(as_text=True)
    r = client.post("/organisation/contact", data={"contact_phone": "0161 496 0100",
                                                   "contact_email": "dp@council.example",
                                                   "contact_hours": "Weekdays 9 to 5"})
    assert r.status_code == 303
    db.session.expire_all()
    assert (world.council.contact_phone, world.council.contact_email, world.council.contact_hours) == \
        ("0161 496 0100", "dp@council.example", "Weekdays 9 to 5")
    event = db.session.query(AuditEvent).filter_by(action="organisation.contact_changed").one()
    assert event.actor_id == org_admin.id and event.data["now"]["contact_email"] == "dp@council.example"


@pytest.mark.parametrize("data, message", [
    ({"contact_phone": "", "contact_email": ""}, "Enter a phone number or an email address"),
    ({"contact_phone": "call me maybe", "contact_email": ""}, "Enter a phone number, like 0161 496 0000"),
    ({"contact_phone": "", "contact_email": "not an email"}, "Enter an email address in the correct format"),
    ({"contact_phone": "0" * 41, "contact_email": ""}, "Phone number must be 40 characters or fewer"),
])
def test_contact_details_are_checked_and_nothing_is_saved_when_wrong(client, world, org_admin, data, message):
    login(client, "orgadmin@example.org")
    r = client.post("/organisation/contact", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and message in html and "There is a problem" in html
    db.session.expire_all()
    assert world.council.contact_phone == "" and world.council.contact_email == ""


@pytest.mark.parametrize("role", ["holder", "staff", "case_manager", "admin"])
def test_only_an_org_admin_has_the_contact_details_page(client, world, role):
    login(client, EMAIL[role])
    assert client.get("/organisation/contact").status_code == 404
    assert client.post("/organisation/contact", data={"contact_phone": "0161 496 0100"}).status_code == 404
    db.session.expire_all()
    assert world.council.contact_phone == "" and world.provider_org.contact_phone == ""
