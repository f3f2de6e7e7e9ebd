"""Browser journeys: the real app on a live server, driven by Debian's Chromium through Playwright.

Each xdist worker runs its own server (a free port on 127.0.0.1) on its own database loaded with the
demo data, and its own browser. Every test gets fresh browser contexts from `open_page`, which records
every request the page makes so a test can prove nothing loads from another origin.
"""
from __future__ import annotations

import logging
import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from pbportal import create_app
from pbportal.config import TestConfig
from pbportal.demo import load_demo_data
from pbportal.extensions import db

from .helpers import CHROMIUM, CHROMIUM_ARGS, PHONE, RESULTS_DIR, PageLog, forget, register

# ---- the live server ---------------------------------------------------------------------------

def _pg_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.exit("--db=postgresql needs TEST_DATABASE_URL", returncode=2)
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


def _drop_schema(url: str, schema: str, create: bool = False) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        if create:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()


@pytest.fixture(scope="session")
def e2e_database(request, worker_id, tmp_path_factory):
    """The live server's own database: a SQLite file (the server thread needs it), or a PostgreSQL
    schema per xdist worker that is not the unit tests' schema."""
    if request.config.getoption("--db") != "postgresql":
        path = tmp_path_factory.mktemp("e2e-db") / "pbportal.sqlite"
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
        return
    url = _pg_url()
    schema = f"pbe2e_{worker_id}"
    _drop_schema(url, schema, create=True)
    yield {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
        "PG_SCHEMA": schema,
    }
    _drop_schema(url, schema)


@dataclass
class LiveServer:
    app: object
    url: str  # the origin, e.g. http://127.0.0.1:41234

    def budget_id(self, person_name: str) -> int:
        from sqlalchemy import select

        from pbportal.budget.models import Budget

        with self.app.app_context():
            return db.session.scalar(select(Budget.id).where(Budget.person_name == person_name))


@contextmanager
def _serve(config: dict):
    """The real app, CSRF on, on a database of its own loaded with the demo data, served from a background
    thread on a free port."""
    config = dict(config, WTF_CSRF_ENABLED=True)
    app = create_app(type("Config", (TestConfig,), config))
    with app.app_context():
        db.create_all()
        load_demo_data()
        db.session.remove()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log in the test output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            if "PG_SCHEMA" in config:
                db.drop_all()  # the schema itself goes when the caller is done
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(e2e_database, tmp_path_factory):
    """The server the journeys share (one per xdist worker)."""
    with _serve(dict(e2e_database, UPLOAD_DIR=str(tmp_path_factory.mktemp("e2e-uploads")))) as server:
        yield server


@pytest.fixture
def own_live_server(request, worker_id, tmp_path):
    """A server with fresh demo data for one test, for a journey that changes what other journeys read (a
    module makes its tests use it by defining `live_server` as this fixture)."""
    config = {"UPLOAD_DIR": str(tmp_path / "uploads")}
    if request.config.getoption("--db") != "postgresql":
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'own.sqlite'}"
        with _serve(config) as server:
            yield server
        return
    url, schema = _pg_url(), f"pbe2e_{worker_id}_own"
    _drop_schema(url, schema, create=True)
    config.update(SQLALCHEMY_DATABASE_URI=url, PG_SCHEMA=schema,
                  SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": f"-csearch_path={schema}"}})
    try:
        with _serve(config) as server:
            yield server
    finally:
        _drop_schema(url, schema)


# ---- the browser -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"the browser journeys need {CHROMIUM} (make e2e-deps installs it)", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def open_page(browser, live_server, request):
    """open_page(js=True, viewport=PHONE) -> a Page in a fresh context (its own cookies).

    At the end of the test: no request may have gone to another origin, and no script may have failed.
    A failing test leaves a screenshot of each of its pages in test-results/.
    """
    contexts = []

    def open_(*, js: bool = True, viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or PHONE, java_script_enabled=js,
                                      base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
        context.set_default_timeout(10_000)
        page = context.new_page()
        log = PageLog(live_server.url, js)
        register(page, log)
        contexts.append((context, page, log))
        return page

    yield open_

    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    problems = []
    for n, (context, page, log) in enumerate(contexts):
        if failed and not page.is_closed():
            RESULTS_DIR.mkdir(exist_ok=True)
            try:
                page.screenshot(path=RESULTS_DIR / f"FAILED-{request.node.name}-{n}.png", full_page=True)
            except Exception:  # noqa: BLE001 - a screenshot is a courtesy, not part of the test
                pass
        problems += [f"request to another origin: {url}" for url in log.foreign_requests()]
        problems += log.errors
        forget(page)
        context.close()
    if not failed:
        assert not problems, "\n".join(problems)


