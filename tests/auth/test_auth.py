"""Signing in and out, sessions, rate limits, CSRF and security headers."""
from __future__ import annotations

import re
import statistics
import time

import pytest
from sqlalchemy import func, select

from pbportal.audit import AuditEvent
from pbportal.auth.models import User
from pbportal.config import TestConfig
from pbportal.extensions import db, limiter

from ..conftest import PASSWORD, login


def test_sign_in_page_has_the_fields(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page
    assert "<h1" in page and "Sign in to pbportal" in page


def test_wrong_password_gets_one_message_for_both_fields(client, world):
    response = client.post("/sign-in", data={"email": "holder@example.org", "password": "nope"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter a correct email address and password" in page
    assert 'value="holder@example.org"' in page  # what they typed is kept
    assert "<title>Error:" in page


def test_unknown_email_gets_the_same_message(client, world):
    page = client.post("/sign-in", data={"email": "nobody@example.org", "password": "x"}).get_data(as_text=True)
    assert "Enter a correct email address and password" in page


def test_empty_form_names_each_field(client, world):
    page = client.post("/sign-in", data={}).get_data(as_text=True)
    assert "Enter your email address" in page and "Enter your password" in page
    assert 'href="#email"' in page and 'href="#password"' in page


def test_email_is_case_insensitive(client, world):
    assert client.post("/sign-in", data={"email": " Holder@Example.ORG ", "password": PASSWORD}).status_code == 303


def test_sign_in_and_out_are_audited(client, world):
    login(client, "holder@example.org")
    client.post("/sign-out")
    actions = [e.action for e in db.session.query(AuditEvent).filter_by(actor_id=world.holder.id)]
    assert actions == ["user.signed_in", "user.signed_out"]


def test_sign_out_needs_post_and_then_pages_need_sign_in(client, world):
    login(client, "holder@example.org")
    assert client.get("/sign-out").status_code == 405
    response = client.post("/sign-out")
    assert response.status_code == 303 and response.location == "/sign-in"
    assert "You have signed out" in client.get("/sign-in").get_data(as_text=True)
    assert client.get(f"/budgets/{world.dp.id}").status_code == 302


def test_a_session_cookie_replayed_after_sign_out_is_refused(app, world):
    client = app.test_client()
    login(client, "holder@example.org")
    stolen = client.get_cookie("session").value
    assert client.get(f"/budgets/{world.dp.id}").status_code == 200
    client.post("/sign-out")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get(f"/budgets/{world.dp.id}")
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def test_next_only_goes_to_our_own_pages(client, world):
    response = client.post("/sign-in?next=/budgets", data={"email": "holder@example.org", "password": PASSWORD})
    assert response.location == "/budgets"
    client.post("/sign-out")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(f"/sign-in?next={evil}", data={"email": "holder@example.org", "password": PASSWORD})
        assert response.location == "/", evil
        client.post("/sign-out")


def test_signed_in_user_visiting_sign_in_goes_home(client, world):
    login(client, "holder@example.org")
    assert client.get("/sign-in").location == "/"


def test_passwords_are_hashed(world):
    assert PASSWORD not in world.holder.password_hash
    assert world.holder.password_hash.startswith(("pbkdf2:", "scrypt:"))
    assert world.holder.check_password(PASSWORD) and not world.holder.check_password("wrong")


def test_production_hashing_is_scrypt(app):
    from werkzeug.security import generate_password_hash

    from pbportal.config import Config

    assert not hasattr(Config, "PASSWORD_HASH_METHOD")  # production uses werkzeug's default
    assert generate_password_hash("x").startswith("scrypt:")


def test_inactive_account_cannot_sign_in(client, world):
    world.holder.is_active_account = False
    db.session.commit()
    response = client.post("/sign-in", data={"email": "holder@example.org", "password": PASSWORD})
    assert response.status_code == 200


# ---- rate limiting -----------------------------------------------------------------------------

def test_five_failed_tries_a_minute_per_account(app, world):
    for n in range(5):
        c = app.test_client()
        r = c.post("/sign-in", data={"email": "holder@example.org", "password": "bad"},
                   environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        assert r.status_code == 200
    # A sixth try at the same account from yet another address is refused, even with the right password.
    r = app.test_client().post("/sign-in", data={"email": "holder@example.org", "password": PASSWORD},
                               environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert r.status_code == 429
    assert "Too many sign-in attempts" in r.get_data(as_text=True)
    # Another account is not affected.
    r = app.test_client().post("/sign-in", data={"email": "rep@example.org", "password": PASSWORD},
                               environ_base={"REMOTE_ADDR": "10.0.0.98"})
    assert r.status_code == 303


def test_one_persons_failed_tries_never_lock_out_another_at_the_same_address(app, world):
    c = app.test_client()
    for _ in range(6):
        r = c.post("/sign-in", data={"email": "holder@example.org", "password": "bad"},
                   environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert r.status_code == 429  # the account is locked for a minute...
    r = c.post("/sign-in", data={"email": "rep@example.org", "password": PASSWORD},
               environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert r.status_code == 303  # ...but not the address


def test_an_address_trying_many_accounts_is_stopped_at_a_much_higher_rate(app, world):
    app.config["LOGIN_ADDRESS_LIMIT"] = "12 per minute"  # the default is 50: fewer tries keep the test quick
    try:
        c = app.test_client()
        for n in range(12):
            r = c.post("/sign-in", data={"email": f"user{n}@example.org", "password": "bad"},
                       environ_base={"REMOTE_ADDR": "192.0.2.8"})
            assert r.status_code == 200
        r = c.post("/sign-in", data={"email": "nobody.here@example.org", "password": "bad"},
                   environ_base={"REMOTE_ADDR": "192.0.2.8"})
        assert r.status_code == 429
        # The lockout is in the audit log with the network address, though no account was named.
        locked = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.sign_in_locked")).all()
        assert [(e.object_id, e.data) for e in locked] == [(None, {"address": "192.0.2.8", "account": "unknown"})]
        assert "nobody.here" not in str([e.data for e in db.session.scalars(select(AuditEvent))])
        r = c.post("/sign-in", data={"email": "rep@example.org", "password": PASSWORD},
                   environ_base={"REMOTE_ADDR": "192.0.2.8"})
        assert r.status_code == 429
        assert app.config["LOGIN_LIMIT"] == "5 per minute" and int(
            TestConfig.LOGIN_ADDRESS_LIMIT.split()[0]) >= 10 * int(TestConfig.LOGIN_LIMIT.split()[0])
    finally:
        app.config["LOGIN_ADDRESS_LIMIT"] = TestConfig.LOGIN_ADDRESS_LIMIT


def test_failed_sign_ins_and_lockouts_are_audited_against_the_account(app, world):
    c = app.test_client()
    for _ in range(6):
        c.post("/sign-in", data={"email": "Holder@example.org", "password": "bad"},
               environ_base={"REMOTE_ADDR": "192.0.2.9"})
    c.post("/sign-in", data={"email": "nobody@example.org", "password": "bad"},
           environ_base={"REMOTE_ADDR": "192.0.2.9"})
    events = db.session.execute(select(AuditEvent.action, AuditEvent.object_id, AuditEvent.data)
                                .where(AuditEvent.action.like("user.sign_in_%")).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["user.sign_in_failed"] * 5 + ["user.sign_in_locked"]
    assert {e.object_id for e in events} == {world.holder.id}
    assert all(e.data == {"address": "192.0.2.9"} for e in events)


def test_successful_sign_ins_do_not_use_up_the_limit(app, world):
    for _ in range(8):
        c = app.test_client()
        assert c.post("/sign-in", data={"email": "holder@example.org", "password": PASSWORD}).status_code == 303


# ---- CSRF ----------------------------------------------------------------------------------------

def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                     page).group(1) or ""


def test_csrf_is_required_on_sign_in(csrf_app, world):
    client = csrf_app.test_client()
    r = client.post("/sign-in", data={"email": "holder@example.org", "password": PASSWORD})
    assert r.status_code == 400 and "Your form expired" in r.get_data(as_text=True)
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = client.post("/sign-in", data={"email": "holder@example.org", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303


@pytest.mark.parametrize("path", ["/budgets/{dp}/payments/new", "/budgets/{dp}/spending/{entry}/void",
                                  "/budgets/{dp}/lines/new", "/sign-out"])
def test_csrf_is_required_on_every_post(csrf_app, world, path):
    client = csrf_app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/sign-in", data={"email": "holder@example.org", "password": PASSWORD, "csrf_token": token})
    url = path.format(dp=world.dp.id, entry=world.entries["dp"].id)
    r = client.post(url, data={"reason": "x", "amount": "5"})
    assert r.status_code == 400
    # The token in the page's hx-headers works for htmx requests.
    page = client.get(f"/budgets/{world.dp.id}").get_data(as_text=True)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    r = client.post(url, data={"reason": "x"}, headers={"X-CSRFToken": header_token, "HX-Request": "true"})
    assert r.status_code != 400


# ---- cookies and headers -------------------------------------------------------------------------

def test_session_cookie_flags_over_http_and_https(app, world):
    client = app.test_client()
    r = client.post("/sign-in", data={"email": "holder@example.org", "password": PASSWORD})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client()
    r = secure.post("/sign-in", data={"email": "holder@example.org", "password": PASSWORD},
                    base_url="https://localhost")
    assert "Secure" in r.headers["Set-Cookie"]
    assert "max-age=31536000" in r.headers["Strict-Transport-Security"]


def test_strict_content_security_policy_and_no_inline_script(client, world):
    login(client, "holder@example.org")
    r = client.get(f"/budgets/{world.dp.id}")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    page = r.get_data(as_text=True)
    for script in re.findall(r"<script[^>]*>(.*?)</script>", page, re.S):
        assert script.strip() == ""  # every script is a file: no inline code
    assert " style=" not in page  # no inline styles either (style-src 'self')
    assert "on" + "click=" not in page
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_signed_in_pages_are_not_cached(client, world):
    assert "no-store" not in client.get("/sign-in").headers.get("Cache-Control", "")
    login(client, "holder@example.org")
    r = client.get(f"/budgets/{world.dp.id}")
    assert r.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in r.headers["Vary"]


def test_static_assets_are_served_locally(client):
    page = client.get("/sign-in").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"#]+)"', page):
        assert url.startswith("/"), url
    assert client.get("/assets/vendor/htmx-2.0.11.min.js").status_code == 200
    css = client.get("/assets/vendor/govuk-frontend-6.3.0/govuk-frontend.min.css").get_data(as_text=True)
    assert "GDS Transport" not in css


def test_secret_key_is_required_outside_debug_and_tests(monkeypatch):
    from pbportal import create_app
    from pbportal.config import Config

    monkeypatch.setattr(Config, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.real_commits  # two apps of its own, each with its own engine on the test database
def test_sign_in_limits_are_shared_through_redis_by_every_process(database, tmp_path):
    """Production runs several stateless processes: their failed-sign-in counts must add up in Redis."""
    import uuid

    import redis as redis_client
    from limits.storage import storage_from_string

    from pbportal.extensions import limiter

    from ..conftest import make_app

    url = "redis://127.0.0.1:6379/15"
    try:
        redis_client.Redis.from_url(url).ping()
    except redis_client.exceptions.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (CI and development machines have it)")
    address = f"198.51.100.{uuid.uuid4().int % 250}"
    email = f"nobody-{uuid.uuid4().hex}@example.org"  # its own key: other runs may share this Redis
    saved = limiter._storage, limiter._limiter  # making the apps points the shared limiter at Redis
    apps = [make_app(database, tmp_path / f"up{n}", RATELIMIT_STORAGE_URI=url) for n in range(2)]
    try:
        for n in range(5):
            app = apps[n % 2]  # alternate between the two "processes"
            limiter._storage = storage_from_string(url)
            r = app.test_client().post("/sign-in", data={"email": email, "password": "x"},
                                       environ_base={"REMOTE_ADDR": address})
            assert r.status_code == 200
        r = apps[1].test_client().post("/sign-in", data={"email": email, "password": "x"},
                                       environ_base={"REMOTE_ADDR": address})
        assert r.status_code == 429
    finally:
        redis_client.Redis.from_url(url).flushdb()
        limiter._storage, limiter._limiter = saved  # back to the in-memory counts the other tests reset
        for app in apps:
            with app.app_context():
                from pbportal.extensions import db

                db.session.remove()
                db.engine.dispose()


def test_an_unknown_address_takes_as_long_to_refuse_as_a_wrong_password(app, client, world):
    """No account enumeration by timing: with production's scrypt, refusing an address nobody has costs a
    password hash too. (Without one it answers hundreds of times faster.)"""
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    try:
        user = db.session.get(User, world.holder.id)
        user.set_password(PASSWORD)  # an scrypt hash, as in production
        db.session.commit()

        def median_seconds(email):
            times = []
            for _ in range(5):
                started = time.perf_counter()
                r = client.post("/sign-in", data={"email": email, "password": "not the password"})
                times.append(time.perf_counter() - started)
                assert r.status_code == 200
                limiter.reset()
            return statistics.median(times)

        known, unknown = median_seconds("holder@example.org"), median_seconds("nobody.here@example.org")
        assert unknown > known / 2, (known, unknown)
    finally:
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"


def test_create_user_keeps_to_the_password_rules_and_makes_nobody_twice(app, world):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["create-user", "--email", "new.cm@example.org", "--name", "New Case", "--role",
                               "case_manager", "--password", "password123"])
    assert weak.exit_code != 0 and "Password must be 12 characters or more" in weak.output
    good = runner.invoke(args=["create-user", "--email", "new.cm@example.org", "--name", "New Case", "--role",
                               "case_manager", "--password", "quiet harbour pencil meadow"])
    assert good.exit_code == 0, good.output
    again = runner.invoke(args=["create-user", "--email", "New.CM@example.org", "--name", "New Case", "--role",
                                "case_manager", "--password", "quiet harbour pencil meadow"])
    assert again.exit_code != 0 and "already has an account" in again.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "new.cm@example.org")) == 1
