#!/usr/bin/env python
"""pbportal over real HTTP: pages against a hello-world floor, throughput, and what a phone downloads.

Seeds a big holder (10,000 payments) and a small one (100) as bench.py does, then serves pbportal with gunicorn
and deploy/gunicorn.conf.py (2 sync workers), and beside it a hello-world Flask app served the same way, and:

- times 200 requests (after 10 warm-ups) to each page, alternating with requests to hello-world, over new
  connections as a browser behind a proxy would make them; prints each page's median and p95 and its median as a
  multiple of hello-world's (the ratio is the figure that holds on any machine);
- measures throughput with wrk (10 connections, 2 threads, 10 s) for hello-world and each page;
- counts the bytes a phone receives (brotli accepted, headers included): a cold first visit to the sign-in page,
  its assets, signing in and the budget page; then a later page (the spending list) with the assets cached.

    python bench/bench_http.py                                  # temporary SQLite file
    python bench/bench_http.py --database-url postgresql://postgres@127.0.0.1:5432/test

Results: a table on stdout and bench-results/http.json. Exit status 1 if a page answers wrongly, or if a ratio
or byte budget below is exceeded (the budgets are issue 16's)."""
from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import brotli

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from sqlalchemy import text  # noqa: E402

import bench as holders  # noqa: E402
from pbportal import create_app  # noqa: E402
from pbportal.config import TestConfig  # noqa: E402
from pbportal.extensions import db  # noqa: E402

GUNICORN = Path(sys.executable).with_name("gunicorn")
# Issue 16's budgets: the budget page's median within 12x hello-world's on SQLite (1.3 times that on PostgreSQL);
# a cold first visit (sign-in, assets, budget page) at most 60 KiB; a later page at most 6 KB.
RATIO_LIMIT = {"sqlite": 12.0, "postgresql": 12.0 * 1.3}
FIRST_VISIT_LIMIT = 60 * 1024
LATER_PAGE_LIMIT = 6 * 1000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving one WSGI app with the production config, on a free port."""

    def __init__(self, target: str, env: dict):
        self.port = _free_port()
        env = dict(os.environ, **env, BIND=f"127.0.0.1:{self.port}", WEB_CONCURRENCY="2")
        self.log = open(os.path.join(tempfile.gettempdir(), f"bench-http-{self.port}.log"), "w+")  # noqa: SIM115
        self.process = subprocess.Popen([str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                                         "--pythonpath", f"{HERE},{ROOT}", target], cwd=ROOT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        for _ in range(300):
            try:
                status, _, _ = request(self.port, "GET", "/")
                if status:
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"{target} did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()
        os.unlink(self.log.name)

    def server_ms(self, route: str) -> list[float]:
        """The app's own times for a route, from its request log lines (before_request to after_request)."""
        self.log.flush()
        self.log.seek(0)
        found = []
        for line in self.log:
            if line.startswith('{"event":"request"'):
                entry = json.loads(line)
                if entry["route"] == route and entry["status"] == 200:
                    found.append(entry["duration_ms"])
        return found


def request(port: int, method: str, path: str, headers: dict | None = None, body: str | None = None):
    """(status, headers, body) over a new connection; the headers as received."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def _wire_bytes(status: int, headers: list[tuple[str, str]], body: bytes) -> int:
    """What crossed the network for a response: status line, headers and body (as sent, compressed)."""
    return len(f"HTTP/1.1 {status} X\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in headers) + 2 + len(body)


def sign_in(port: int, email: str) -> tuple[str, int]:
    """The session cookie after signing in, and the bytes the sign-in POST's answer took."""
    body = urlencode({"email": email, "password": holders.PASSWORD})
    status, headers, data = request(port, "POST", "/sign-in", {
        "Content-Type": "application/x-www-form-urlencoded", "Accept-Encoding": "br, gzip"}, body)
    if status != 303:
        raise SystemExit(f"signing in as {email} gave {status}")
    cookies = [v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie"]
    return "; ".join(cookies), _wire_bytes(status, headers, data)


def seed_provider(app, accounts: int) -> str:
    """A provider whose staff member holds `accounts` managed accounts, 100 payments each: the provider home's
    data. Its staff member's email."""
    from datetime import timedelta

    from sqlalchemy import insert

    from pbportal.auth.models import Organisation, User
    from pbportal.spending.models import SpendingEntry
    from pbportal.timeutil import today, utcnow

    with app.app_context():
        council = db.session.scalar(db.select(Organisation).where(Organisation.name == "Bench Council"))
        provider = Organisation(name="Bench Provider", kind="provider")
        db.session.add(provider)
        db.session.flush()
        staff = User(email="staff@bench.example", name="Sam Staff", role="provider_staff",
                     organisation_id=provider.id, two_factor_exempt=True)
        staff.set_password(holders.PASSWORD)
        db.session.add(staff)
        start = today() - timedelta(days=200)
        for n in range(accounts):
            user, budget, lines = holders._make_holder(f"Person {n:04d}", f"person{n}@bench.example", council, start)
            budget.held_as, budget.provider_id, budget.provider_accepted_at = "managed_account", provider.id, utcnow()
            db.session.execute(insert(SpendingEntry), [
                {"budget_id": budget.id, "line_id": lines[i % len(lines)].id, "paid_on": start + timedelta(days=2 * i),
                 "amount_pence": 2500, "payee": "Agency Ltd", "category": lines[i % len(lines)].category,
                 "created_by_id": staff.id} for i in range(100)])
        db.session.commit()
        db.engine.dispose()
    return "staff@bench.example"


def timings(port: int, hello_port: int, path: str, cookie: str, iterations: int, warmup: int):
    page, floor = [], []
    for n in range(warmup + iterations):
        started = time.perf_counter()
        status, _, _ = request(hello_port, "GET", "/")
        took_floor = time.perf_counter() - started
        started = time.perf_counter()
        status_page, _, body = request(port, "GET", path, {"Cookie": cookie})
        took_page = time.perf_counter() - started
        if status != 200 or status_page != 200:
            raise SystemExit(f"GET {path} gave {status_page} (hello-world {status})")
        if n >= warmup:
            page.append(took_page * 1000)
            floor.append(took_floor * 1000)
    return page, floor


def wrk(port: int, path: str, cookie: str | None, seconds: int) -> float | None:
    if not shutil.which("wrk"):
        return None
    command = ["wrk", "-t2", "-c10", f"-d{seconds}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         check=True).stdout
    if re.search(r"Non-2xx or 3xx responses", out):
        raise SystemExit(f"wrk saw errors on {path}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))


def first_visit(port: int, email: str, budget_path: str, later_path: str) -> dict:
    """Bytes received by a phone with an empty cache, then on a later page."""
    accept = {"Accept-Encoding": "br, gzip"}
    got = {}
    status, headers, body = request(port, "GET", "/sign-in", accept)
    got["sign-in page"] = _wire_bytes(status, headers, body)
    assets = sorted(set(re.findall(rb'(?:href|src)="(/assets/[^"]+)"', _decoded(headers, body))))
    got["assets"] = 0
    for asset in assets:
        status, headers, data = request(port, "GET", asset.decode(), accept)
        got["assets"] += _wire_bytes(status, headers, data)
        if asset.endswith(b".js"):  # app.js imports GOV.UK Frontend's module
            for imported in re.findall(rb'from "\./([^"]+)"', _decoded(headers, data)):
                status, headers, more = request(port, "GET", f"/assets/{imported.decode()}", accept)
                got["assets"] += _wire_bytes(status, headers, more)
    cookie, got["signing in"] = sign_in(port, email)
    status, headers, body = request(port, "GET", budget_path, {**accept, "Cookie": cookie})
    got["budget page"] = _wire_bytes(status, headers, body)
    new_assets = set(re.findall(rb'(?:href|src)="(/assets/[^"]+)"', _decoded(headers, body))) - set(assets)
    got["budget page assets not already cached"] = len(new_assets)
    status, headers, body = request(port, "GET", later_path, {**accept, "Cookie": cookie})
    return {"first_visit": got, "first_visit_bytes": sum(v for k, v in got.items() if k != "budget page assets "
                                                         "not already cached"),
            "later_page_bytes": _wire_bytes(status, headers, body)}


def _decoded(headers, body: bytes) -> bytes:
    coding = dict((k.lower(), v) for k, v in headers).get("content-encoding")
    return brotli.decompress(body) if coding == "br" else gzip.decompress(body) if coding == "gzip" else body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--small-entries", type=int, default=100)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--json", default=str(ROOT / "bench-results" / "http.json"))
    args = parser.parse_args(argv)

    database = holders.Database(args.database_url)
    servers: list[Server] = []
    try:
        config = database.config()
        seeding_app = create_app(type("Config", (TestConfig,), config))
        big, small, _ = holders.seed(seeding_app, args.entries, args.small_entries)
        staff_email = seed_provider(seeding_app, args.accounts)
        with seeding_app.app_context():
            if database.schema:
                # As autovacuum leaves a table in service: statistics, and the visibility map that lets PostgreSQL
                # answer the sums from the covering index alone (a table just bulk-loaded has neither).
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE "
                                      + ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)))
            dialect = db.engine.dialect.name
            db.engine.dispose()
        served = dict(config, SECRET_KEY="bench-secret-key", RATELIMIT_STORAGE_URI="memory://",
                      LOGIN_LIMIT="1000 per minute")
        hello = Server("serve:hello", {})
        servers.append(hello)
        app = Server("serve:app", {"BENCH_APP_CONFIG": json.dumps(served)})
        servers.append(app)

        pages = []
        for h in (big, small):
            cookie, _ = sign_in(app.port, h.email)
            for name, path, route in (("budget page", f"/budgets/{h.budget_id}", "/budgets/<int:budget_id>"),
                                      ("spending list", f"/budgets/{h.budget_id}/spending",
                                       "/budgets/<int:budget_id>/spending")):
                seen = len(app.server_ms(route))
                page, floor = timings(app.port, hello.port, path, cookie, args.iterations, args.warmup)
                inside = app.server_ms(route)[seen + args.warmup:]
                pages.append({"page": name, "holder": f"{h.label} ({h.entries:,} payments)", "path": path,
                              "cookie": cookie, "median_ms": statistics.median(page),
                              "p95_ms": statistics.quantiles(page, n=20)[-1],
                              "server_median_ms": statistics.median(inside) if inside else None,
                              "hello_median_ms": statistics.median(floor)})
        cookie, _ = sign_in(app.port, staff_email)
        seen = len(app.server_ms("/accounts"))
        page, floor = timings(app.port, hello.port, "/accounts", cookie, args.iterations, args.warmup)
        inside = app.server_ms("/accounts")[seen + args.warmup:]
        pages.append({"page": "provider home", "holder": f"big ({args.accounts:,} accounts)", "path": "/accounts",
                      "cookie": cookie, "median_ms": statistics.median(page),
                      "p95_ms": statistics.quantiles(page, n=20)[-1],
                      "server_median_ms": statistics.median(inside) if inside else None,
                      "hello_median_ms": statistics.median(floor)})
        hello_rps = wrk(hello.port, "/", None, args.wrk_seconds)
        for p in pages:
            p["ratio"] = p["median_ms"] / p["hello_median_ms"]
            p["requests_per_s"] = wrk(app.port, p["path"], p["cookie"], args.wrk_seconds) \
                if p["holder"].startswith("big") else None
        weight = first_visit(app.port, small.email, f"/budgets/{small.budget_id}",
                             f"/budgets/{small.budget_id}/spending")
    finally:
        for server in servers:
            server.stop()
        database.close()

    limit = RATIO_LIMIT[dialect]
    print(f"\npbportal over HTTP: gunicorn, 2 sync workers, {dialect}; hello-world served the same way")
    print(f"{'page':<15}{'holder':<28}{'median ms':>10}{'p95 ms':>9}{'in app':>8}{'hello ms':>10}{'ratio':>7}"
          f"{'req/s':>8}")
    failures = []
    for p in pages:
        rps = f"{p['requests_per_s']:.0f}" if p["requests_per_s"] else "-"
        inside = f"{p['server_median_ms']:.1f}" if p["server_median_ms"] else "-"
        print(f"{p['page']:<15}{p['holder']:<28}{p['median_ms']:>10.1f}{p['p95_ms']:>9.1f}{inside:>8}"
              f"{p['hello_median_ms']:>10.2f}{p['ratio']:>6.1f}x{rps:>8}")
        if p["ratio"] > limit:
            failures.append(f"{p['page']} ({p['holder']}): {p['ratio']:.1f}x hello-world, over {limit:.1f}x")
    if hello_rps:
        print(f"hello-world: {hello_rps:.0f} requests/s (wrk, 10 connections, {args.wrk_seconds} s)")
    print(f"\nA phone's cold first visit (brotli, headers included): {weight['first_visit_bytes'] / 1024:.1f} KiB")
    for part, size in weight["first_visit"].items():
        print(f"  {part}: {size:,}" + (" bytes" if "assets not" not in part else ""))
    print(f"A later page (the spending list, assets cached): {weight['later_page_bytes']:,} bytes")
    if weight["first_visit_bytes"] > FIRST_VISIT_LIMIT:
        failures.append(f"first visit {weight['first_visit_bytes']:,} bytes, over {FIRST_VISIT_LIMIT:,}")
    if weight["later_page_bytes"] > LATER_PAGE_LIMIT:
        failures.append(f"later page {weight['later_page_bytes']:,} bytes, over {LATER_PAGE_LIMIT:,}")
    Path(args.json).parent.mkdir(exist_ok=True)
    Path(args.json).write_text(json.dumps({"dialect": dialect, "pages": [{k: v for k, v in p.items()
                                                                          if k != "cookie"} for p in pages],
                                           "hello_requests_per_s": hello_rps, **weight}, indent=1))
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
