"""Whatever is sent, never a server error: hypothesis posts generated values into every form of every area (the
field names are gathered from the pages themselves), with htmx and without, as a role that may use the form;
every GET with generated query strings; and every id in every address far beyond what a column holds."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from pbportal import create_app
from pbportal.banking import jobs as match_jobs
from pbportal.banking.models import LineComment
from pbportal.budget.models import Representative
from pbportal.config import TestConfig
from pbportal.contingency.services import create_share_link
from pbportal.documents.models import Document
from pbportal.employment.models import EmploymentCheck
from pbportal.employment.rates import StatutoryRate, seed_statutory_rates
from pbportal.extensions import db
from pbportal.notifications.models import Kind
from pbportal.notifications.services import notify
from pbportal.reconciliation import returns as rsvc
from pbportal.timeutil import today

from ..banking.helpers import add_lines
from ..conftest import EMAIL, login, make_user
from ..contingency.helpers import add_arrangement, add_risk
from ..employment.helpers import make_check, make_pa, make_pay
from ..reconciliation.helpers import closed_period
from ..reviews.helpers import make_request
from ..support import pay_in

ROLES = ["holder", "rep", "ma_holder", "staff", "case_manager", "org_admin", "admin"]
LOGINS = dict(EMAIL, org_admin="orgadmin@example.org")
_routes_app = create_app(TestConfig)
RULES = sorted((r for r in _routes_app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule)
POSTS = [r for r in RULES if "POST" in r.methods]
GETS = [r for r in RULES if "GET" in r.methods]
NOT_FUZZED = {"auth.sign_out"}  # ends the session the rest of the test runs in

NASTY = ["", " ", "0", "-1", "1e40", "-1e40", "99999999999999999999", "-99999999999999999999", "£99,999,999.99",
         "99999999.99", "999999999999", "NaN", "inf", "\x00", "a\x00b", "x" * 100_000, "<script>alert(1)</script>",
         "31", "13", "2026", "12.5", "y", "on", "%s", "{{7*7}}", "\r\nSet-Cookie: x=1", "٣", "１２", "0x10", "1_000",
         "2026-02-30", "../../etc/passwd", "\ud7ff", "😀" * 300]
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str),
                   st.decimals(allow_nan=True, allow_infinity=True).map(str))
HEADERS = st.sampled_from([{}, {"HX-Request": "true"},
                           {"HX-Request": "true", "HX-Current-URL": "http://[::1"},
                           {"HX-Request": "true", "HX-Current-URL": "::::%%%/\\"},
                           {"HX-Request": "true", "HX-Target": "x" * 5000, "HX-Boosted": "true"}])
SETTINGS = settings(max_examples=12, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def everything(app, world):
    """An object of every kind the addresses name, and the ids to put in them."""
    seed_statutory_rates()
    w = world
    pa = make_pa(w.dp, "Maria Santos", w.lines["wages"])
    make_check(pa, "dbs", w.holder)
    pay = make_pay(pa, w.holder, w.dp.plan_year_start)
    check = EmploymentCheck(pa_id=pa.id, budget_id=w.dp.id, kind="contract", checked_on=w.dp.plan_year_start,
                            evidence="Signed", created_by_id=w.holder.id)
    db.session.add(check)
    money_in = pay_in(w.dp, 100000)
    arrangement = add_arrangement(w.dp, cost=10000)
    risk = add_risk(w.dp, w.holder)
    link, _ = create_share_link(w.dp.id, "Sam", 30, w.holder)
    request = make_request(w)
    council, shop = add_lines(w.ma, w.staff, [(1, "TEST COUNCIL PAYMENT", 100000), (2, "MIXED SHOP", -4400)])
    question = LineComment(budget_id=w.ma.id, statement_line_id=shop.id, text="What was this?", status="open",
                           created_by_id=w.ma_holder.id)
    db.session.add(question)
    period = closed_period(w.ma, w.staff, 5, 100000)
    ret = rsvc.submit_return(w.ma, period.starts_on, period.ends_on, w.staff)
    org_admin = make_user(LOGINS["org_admin"], "org_admin", "Olu Admin", w.council)
    job = match_jobs.ask(w.ma, w.staff)
    document = Document(budget_id=w.dp.id, kind="dbs", title="DBS", storage_key="0" * 32, original_name="dbs.pdf",
                        content_type="application/pdf", size_bytes=10, sha256="0" * 64, uploaded_by_id=w.holder.id)
    db.session.add(document)
    people = {"holder": w.holder, "rep": w.rep, "ma_holder": w.ma_holder, "staff": w.staff,
              "case_manager": w.case_manager, "org_admin": org_admin, "admin": w.admin}
    notices = {role: notify(people[role], Kind.PA_CHECK_EXPIRING, f"fuzz:{role}", "Something", "/")
               for role in ROLES}
    db.session.commit()
    rate = db.session.query(StatutoryRate).first()
    ids = {"entry_id": w.entries["dp"].id, "item_id": money_in.id, "pa_id": pa.id, "pay_id": pay.id,
           "rate_id": rate.id, "kind": rate.kind, "arrangement_id": arrangement.id, "risk_id": risk.id,
           "link_id": link.id, "request_id": request.id, "org_id": w.council.id, "token": "no-such-token",
           "section": "checks", "receipt_id": 1, "session_id": 1, "row_id": check.id,
           "user_id": w.other_case_manager.id,
           "rep_id": db.session.query(Representative).filter_by(budget_id=w.dp.id).first().id,
           "period_id": period.id, "return_id": ret.id, "comment_id": question.id, "job_id": job.id,
           "document_id": document.id}
    return {"world": w, "ids": ids, "statement_line": shop.id, "notices": notices, "today": today(),
            "later": today() + timedelta(days=1)}


def _url(rule, everything, role, budget):
    w, ids = everything["world"], dict(everything["ids"])
    ids["budget_id"] = budget.id
    ids["line_id"] = (everything["statement_line"] if rule.endpoint.split(".")[0] in ("matching", "account")
                      else w.lines["ma" if budget is w.ma else "wages"].id)
    ids["notification_id"] = everything["notices"][role].id
    return _routes_app.url_map.bind("localhost").build(rule.endpoint, {a: ids[a] for a in rule.arguments})


def _signed_in(app, role):
    client = app.test_client()
    login(client, LOGINS[role])
    return client


def _who_may(app, rule, everything, method):
    """A role and address at which the route answers something other than 404, or the first tried."""
    w = everything["world"]
    tried = None
    for role in ROLES:
        client = _signed_in(app, role)
        for budget in ([w.dp, w.ma] if "budget_id" in rule.arguments else [w.dp]):
            url = _url(rule, everything, role, budget)
            tried = tried or (client, url)
            answer = client.post(url, data={}) if method == "POST" else client.get(url)
            assert answer.status_code < 500, f"{method} {url} as {role} with nothing: {answer.status_code}"
            if answer.status_code != 404:
                return client, url
    return tried


def _field_names(client, url) -> tuple[set[str], set[str]]:
    page = client.get(url)
    text = page.get_data(as_text=True) if page.status_code == 200 else ""
    names = set(re.findall(r'name="([^"]+)"', text)) - {"csrf_token"}
    files = set(re.findall(r'type="file"[^>]*name="([^"]+)"', text))
    files |= set(re.findall(r'name="([^"]+)"[^>]*type="file"', text))
    return names - files, files


@pytest.mark.parametrize("rule", [r for r in POSTS if r.endpoint not in NOT_FUZZED], ids=lambda r: r.endpoint)
def test_no_form_answers_anything_with_a_server_error(app, everything, rule):
    client, url = _who_may(app, rule, everything, "POST")
    names, files = _field_names(client, url)
    names = sorted(names) or ["value"]

    @SETTINGS
    @given(data=st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names) + 2),
           keep=st.booleans(), upload=st.binary(max_size=3000), filename=st.sampled_from(
               ["s.csv", "a\x00b.csv", "x" * 5000 + ".ofx", "", "../../x.pdf", "r.png"]), headers=HEADERS)
    def post(data, keep, upload, filename, headers):
        form = dict(data)
        if keep:  # every field the page has, so the form gets past "required" to the deeper checks
            for name in names:
                form.setdefault(name, "1")
        for name in files:
            form[name] = (io.BytesIO(upload), filename)
        answer = client.post(url, data=form, headers=headers, content_type="multipart/form-data")
        assert answer.status_code < 500, f"POST {url} {form!r:.500} {headers}: {answer.status_code}"
        db.session.rollback()

    post()


@pytest.mark.parametrize("rule", [r for r in GETS if r.endpoint not in NOT_FUZZED], ids=lambda r: r.endpoint)
def test_no_page_answers_any_query_with_a_server_error(app, everything, rule):
    client, url = _who_may(app, rule, everything, "GET")

    @SETTINGS
    @given(args=st.dictionaries(st.sampled_from(["q", "page", "filter", "sort", "line", "from", "to", "request",
                                                 "first", "last", "next", "status", "month", "year", "payee"]),
                                VALUES, max_size=4), headers=HEADERS)
    def get(args, headers):
        answer = client.get(url, query_string=args, headers=headers)
        assert answer.status_code < 500, f"GET {url} {args!r:.300} {headers}: {answer.status_code}"
        db.session.rollback()

    get()


HUGE = "99999999999999999999"


@pytest.mark.parametrize("rule", [r for r in RULES if any(
    isinstance(c, IntegerConverter) for c in r._converters.values())], ids=lambda r: r.endpoint)
def test_an_id_beyond_any_column_is_not_found(app, everything, rule):
    client = _signed_in(app, "case_manager")
    url = _url(rule, everything, "case_manager", everything["world"].dp)
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            good = str(everything["ids"].get(name, "")) or None
            pattern = f"/{good}" if good else None
            huge = url.replace(pattern, f"/{HUGE}", 1) if pattern and pattern in url else None
            if huge is None:
                continue
            for method in sorted(rule.methods & {"GET", "POST"}):
                answer = client.open(huge, method=method)
                assert answer.status_code == 404, f"{method} {huge}: {answer.status_code}"
