"""Helpers the journeys share: the per-page request log, and the checks every page visited gets."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from pbportal.extensions import db
from pbportal.outbox import OutboxMessage

# Debian's Chromium: `playwright install` cannot download a browser here.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"  # gitignored; screenshots for people

@dataclass
class PageLog:
    """What one page did: every URL it requested, and any script errors."""

    origin: str
    js: bool
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests
                if not (url.startswith(self.origin + "/") or url == self.origin or url.startswith("data:"))]


# Keyed by id(page): the open_page fixture registers each page it opens and forgets it at the end.
_logs: dict[int, PageLog] = {}
_axe_pages: dict[int, object] = {}
_axe = Axe()


def register(page, log: PageLog) -> None:
    _logs[id(page)] = log
    page.on("request", lambda req: log.requests.append(req.url))
    page.on("console", lambda message: message.type == "error" and log.errors.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: log.errors.append(f"pageerror: {error}"))


def forget(page) -> None:
    _logs.pop(id(page), None)
    twin = _axe_pages.pop(id(page), None)
    if twin is not None:
        twin.context.close()


def page_log(page) -> PageLog:
    return _logs[id(page)]


# ---- checks every page gets ----------------------------------------------------------------------

def _axe_target(page):
    """The page axe can run in. With JavaScript off, axe cannot run in the page itself (its timers never
    fire), so the page's current DOM is shown, scripts blocked, in a JavaScript-on twin at the same
    origin (so the same stylesheets load) and checked there."""
    log = page_log(page)
    if log.js:
        return page
    twin = _axe_pages.get(id(page))
    if twin is None:
        context = page.context.browser.new_context(viewport=page.viewport_size, base_url=log.origin)
        twin = context.new_page()
        twin.route("**/*.js", lambda route: route.abort())
        _axe_pages[id(page)] = twin
    html = page.content()
    twin.route(log.origin + "/__axe_snapshot__",
               lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
    twin.goto("/__axe_snapshot__")
    twin.unroute(log.origin + "/__axe_snapshot__")
    return twin


def check_page(page) -> None:
    """axe-core finds no violations on the page as it is now, and nothing came from another origin."""
    log = page_log(page)
    foreign = log.foreign_requests()
    assert not foreign, f"requests to another origin from {page.url}: {foreign}"
    results = _axe.run(_axe_target(page))
    if results.violations_count:
        lines = [f"axe found {results.violations_count} violation(s) on {page.url}:"]
        for violation in results.response["violations"]:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
                if node.get("failureSummary"):
                    lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
        report = "\n".join(lines)
        print(report)
        assert results.violations_count == 0, report



# ---- problems the app has today ------------------------------------------------------------------------

class KnownProblems:
    """Problems the app has today, each checked on its own inside an otherwise ordinary test. Call finish()
    last: while any problem is still there the test is xfailed, naming them (everything else in the test has
    been asserted by then); once one is fixed the test fails until it is taken off the list and its check
    becomes an ordinary assertion."""

    def __init__(self) -> None:
        self.still: list[str] = []
        self.fixed: list[str] = []

    def check(self, name: str, ok: bool, detail: str) -> None:
        if ok:
            self.fixed.append(name)
        else:
            self.still.append(f"{name}: {detail}")

    def finish(self) -> None:
        assert not self.fixed, f"fixed now, so take them off the known problems: {self.fixed}"
        if self.still:
            pytest.xfail("; ".join(self.still))


def emailed_link(live_server, address: str, path: str) -> str:
    """The newest email to `address` in the server's outbox, and the link in it that starts with `path`."""
    with live_server.app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.to_address == address)
                                  .order_by(OutboxMessage.id.desc())).first()
        db.session.remove()
    return re.search(rf"{path}[A-Za-z0-9_-]+", body).group(0)
