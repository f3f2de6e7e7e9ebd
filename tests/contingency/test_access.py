"""Contingency, reviews, funder settings and plan versions: every route, every role. Each role walks the whole
route table in one test (the one POST that changes something comes last), so the table stays in one place."""
from __future__ import annotations

import pytest

from pbportal.budget.models import Budget
from pbportal.contingency.models import Arrangement, ShareLink
from pbportal.contingency.services import create_share_link
from pbportal.extensions import db
from pbportal.reviews.models import ReviewRequest
from pbportal.reviews.services import create_request

from ..conftest import DP_READERS, ROLES
from ..support import plan_of, signed_in
from .helpers import add_arrangement, add_risk

DP_EDITORS = {"holder", "rep", "case_manager"}
DP_SHARERS = {"holder", "rep"}
MA_READERS = {"ma_holder", "staff", "case_manager"}
MA_EDITORS = {"ma_holder", "case_manager"}
OTHER_READERS = {"other_holder", "other_case_manager"}
NOBODY: set[str] = set()


@pytest.fixture
def ids(world):
    w = world
    arrangement = add_arrangement(w.dp)
    other_arrangement = add_arrangement(w.other_dp)
    risk = add_risk(w.dp, w.holder)
    other_risk = add_risk(w.other_dp, w.other_holder)
    link, _ = create_share_link(w.dp.id, "Sam", 30, w.holder)
    other_link, _ = create_share_link(w.other_dp.id, "Olly", 30, w.other_holder)
    request = create_request(w.dp, "need", "More help at night", "soon", w.holder)
    other_request = create_request(w.other_dp, "need", "Something else", "routine", w.other_holder)
    db.session.commit()
    return {
        "dp": w.dp.id, "ma": w.ma.id, "other": w.other_dp.id,
        "arrangement": arrangement.id, "other_arrangement": other_arrangement.id,
        "risk": risk.id, "other_risk": other_risk.id, "link": link.id, "other_link": other_link.id,
        "request": request.id, "other_request": other_request.id,
        "council": w.council.id, "provider": w.provider_org.id,
    }


# (method, path, who gets in, the status they get). POSTs send an empty form: those allowed see the form again
# with errors (200) or are redirected (303); everyone else gets 404 before any validation. Each role walks the
# whole list in order, so the one POST that changes something (agreeing dp's plan) comes last.
ROUTES = [
    # Contingency
    ("GET", "/budgets/{dp}/contingency", DP_READERS, 200),
    ("GET", "/budgets/{ma}/contingency", MA_READERS, 200),
    ("GET", "/budgets/{other}/contingency", OTHER_READERS, 200),
    ("GET", "/budgets/{dp}/contingency/arrangements/new", DP_EDITORS, 200),
    ("POST", "/budgets/{dp}/contingency/arrangements/new", DP_EDITORS, 200),
    ("GET", "/budgets/{dp}/contingency/arrangements/{arrangement}/edit", DP_EDITORS, 200),
    ("POST", "/budgets/{dp}/contingency/arrangements/{arrangement}/edit", DP_EDITORS, 200),
    ("GET", "/budgets/{ma}/contingency/arrangements/new", MA_EDITORS, 200),
    ("GET", "/budgets/{dp}/contingency/last-resort", DP_EDITORS, 200),
    ("POST", "/budgets/{dp}/contingency/last-resort", DP_EDITORS, 200),
    ("GET", "/budgets/{ma}/contingency/last-resort", MA_EDITORS, 200),
    ("GET", "/budgets/{dp}/contingency/risks/new", DP_EDITORS, 200),
    ("POST", "/budgets/{dp}/contingency/risks/new", DP_EDITORS, 200),
    ("GET", "/budgets/{dp}/contingency/risks/{risk}/edit", DP_EDITORS, 200),
    ("GET", "/budgets/{ma}/contingency/risks/new", MA_EDITORS, 200),
    ("GET", "/budgets/{dp}/contingency/share", DP_SHARERS, 200),
    ("POST", "/budgets/{dp}/contingency/share", DP_SHARERS, 200),
    ("POST", "/budgets/{dp}/contingency/share/{link}/revoke", DP_SHARERS, 303),
    ("GET", "/budgets/{ma}/contingency/share", {"ma_holder"}, 200),
    # Reviews
    ("GET", "/budgets/{dp}/reviews", DP_READERS, 200),
    ("GET", "/budgets/{ma}/reviews", MA_READERS, 200),
    ("GET", "/budgets/{dp}/reviews/request", DP_EDITORS, 200),
    ("POST", "/budgets/{dp}/reviews/request", DP_EDITORS, 200),
    ("GET", "/budgets/{ma}/reviews/request", MA_EDITORS, 200),
    ("GET", "/budgets/{dp}/reviews/requests/{request}", DP_READERS, 200),
    ("POST", "/budgets/{dp}/reviews/requests/{request}/status", {"case_manager"}, 200),
    ("GET", "/budgets/{dp}/reviews/new", {"case_manager"}, 200),
    ("POST", "/budgets/{dp}/reviews/new", {"case_manager"}, 200),
    ("GET", "/budgets/{ma}/reviews/new", {"case_manager"}, 200),
    ("GET", "/budgets/{other}/reviews/new", {"other_case_manager"}, 200),
    # Funder settings
    ("GET", "/admin/funders/{council}", {"admin"}, 200),
    ("POST", "/admin/funders/{council}", {"admin"}, 200),
    ("GET", "/admin/funders/{provider}", NOBODY, 200),
    ("GET", "/admin/funders/999999", NOBODY, 200),
    # Other people's objects through a budget the user may see, and budgets that do not exist: always 404.
    ("GET", "/budgets/{dp}/contingency/arrangements/{other_arrangement}/edit", NOBODY, 200),
    ("POST", "/budgets/{dp}/contingency/arrangements/{other_arrangement}/edit", NOBODY, 200),
    ("GET", "/budgets/{dp}/contingency/risks/{other_risk}/edit", NOBODY, 200),
    ("POST", "/budgets/{dp}/contingency/share/{other_link}/revoke", NOBODY, 303),
    ("GET", "/budgets/{dp}/reviews/requests/{other_request}", NOBODY, 200),
    ("POST", "/budgets/{dp}/reviews/requests/{other_request}/status", NOBODY, 200),
    ("GET", "/budgets/999999/contingency", NOBODY, 200),
    ("GET", "/budgets/999999/reviews", NOBODY, 200),
    ("GET", "/budgets/999999/plan", NOBODY, 200),
    # Plan versions
    ("GET", "/budgets/{dp}/plan", DP_READERS, 200),
    ("GET", "/budgets/{ma}/plan", MA_READERS, 200),
    ("POST", "/budgets/{dp}/plan/versions", DP_EDITORS, 303),  # a draft exists: sent back to the plan page
    ("POST", "/budgets/{ma}/plan/versions", MA_EDITORS, 303),
    ("POST", "/budgets/{dp}/plan/agree", {"case_manager"}, 303),
]


@pytest.mark.parametrize("role", ROLES)
def test_route_access(app, ids, role):
    client = signed_in(app, role)
    wrong = []
    for method, path, allowed, status in ROUTES:
        url = path.format(**ids)
        response = client.get(url) if method == "GET" else client.post(url, data={})
        expected = status if role in allowed else 404
        if response.status_code != expected:
            wrong.append((method, path, response.status_code, expected))
    assert not wrong, wrong
    db.session.expire_all()
    assert (plan_of(db.session.get(Budget, ids["dp"])).status == "agreed") is (role == "case_manager")


def test_nothing_changes_through_someone_elses_budget(app, world, ids):
    """The other holder's link, request and arrangement stay as they were after everyone tried them via dp."""
    for role in ROLES:
        client = signed_in(app, role)
        client.post(f"/budgets/{ids['dp']}/contingency/share/{ids['other_link']}/revoke")
        client.post(f"/budgets/{ids['dp']}/reviews/requests/{ids['other_request']}/status",
                    data={"action": "declined", "note": "No", "version": "1"})
        client.post(f"/budgets/{ids['dp']}/contingency/arrangements/{ids['other_arrangement']}/edit",
                    data={"scenario": "emergency", "what_happens": "x", "who_steps_in": "x", "contact": "x"})
    db.session.expire_all()
    assert db.session.get(ShareLink, ids["other_link"]).revoked_at is None
    assert db.session.get(ReviewRequest, ids["other_request"]).status == "requested"
    assert db.session.get(Arrangement, ids["other_arrangement"]).scenario == "pa_sick"


ANON_PATHS = ["/budgets/{dp}/contingency", "/budgets/{dp}/contingency/share", "/budgets/{dp}/reviews",
              "/budgets/{dp}/reviews/requests/{request}", "/budgets/{dp}/reviews/new", "/budgets/{dp}/plan",
              "/admin/funders/{council}"]


def test_signed_out_people_are_sent_to_sign_in(app, ids):
    client = app.test_client()
    for path in ANON_PATHS:
        response = client.get(path.format(**ids))
        assert response.status_code == 302 and response.location.startswith("/sign-in"), path
    response = client.post(f"/budgets/{ids['dp']}/contingency/share/{ids['link']}/revoke")
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    db.session.expire_all()
    assert db.session.get(ShareLink, ids["link"]).revoked_at is None
