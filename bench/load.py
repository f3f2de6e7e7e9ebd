#!/usr/bin/env python
"""A load test in the production shape: gunicorn (deploy/gunicorn.conf.py) on PostgreSQL with Redis rate limits,
the demo data, and 20 simulated people for 60 s — holders and a representative reading their budget and
spending and recording payments, provider staff reading their accounts and matching pages, case managers
reading their caseload and people's budgets — each with its own device session, CSRF token and think time.

Half-way through, one gunicorn worker process is killed (SIGKILL) mid-burst. A payment whose request was cut off
is sent again with the same idempotency key, as a browser's resubmission would be. At the end every payment the
simulated people were told was recorded must be in the database exactly once: 0 lost, 0 doubled.

    python bench/load.py                                    # needs PostgreSQL (TEST_DATABASE_URL or --server)
    python bench/load.py --users 20 --seconds 60 --workers 2

Prints requests, errors and p50/p95 per route, then the write check. Exit status 1 on any error or lost write."""
from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
PASSWORD = "demo-password"
LOAD_PAYEE = "Load test"


def _free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """One person's device: a cookie jar of one session cookie, a new connection per request (gunicorn's sync
    workers close them), timings per route pattern."""

    def __init__(self, port: int, stats, route_of):
        self.port, self.stats, self.route_of, self.cookie, self.resent = port, stats, route_of, "", 0

    def send(self, method: str, path: str, form: dict | None = None, route: str | None = None):
        """The answer; a request cut off before any answer (its worker killed) is sent again, as a person would
        reload or press the button again: safe for every request here (a payment carries its idempotency key)."""
        for attempt in range(5):
            try:
                return self._send(method, path, form, route)
            except (ConnectionError, http.client.HTTPException, OSError):
                self.resent += 1
                time.sleep(0.2 * (attempt + 1))
        raise ConnectionError(f"{method} {path}: no answer after 5 tries")

    def _send(self, method: str, path: str, form: dict | None, route: str | None):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        took = (time.perf_counter() - started) * 1000
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        key = f"{method} {route or self.route_of(path)}"
        self.stats[key].append((took, response.status))
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), data.decode("utf-8",
                                                                                                    "replace")


def route_of(path: str) -> str:
    return re.sub(r"/\d+", "/<id>", path.split("?", 1)[0])


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1) if found else ""


class Person(threading.Thread):
    def __init__(self, email: str, kind: str, port: int, stats, stop: threading.Event, ledger: list, lock):
        super().__init__(daemon=True)
        self.email, self.kind, self.stop, self.ledger, self.lock = email, kind, stop, ledger, lock
        self.browser = Browser(port, stats, route_of)
        self.errors: list[str] = []
        self.rng = random.Random(secrets.randbits(32))

    def sign_in(self):
        status, _, page = self.browser.send("GET", "/sign-in")
        status, headers, _ = self.browser.send("POST", "/sign-in", {"csrf_token": csrf(page), "email": self.email,
                                                                    "password": PASSWORD})
        if status != 303:
            raise RuntimeError(f"{self.email} could not sign in: {status}")

    def budgets(self, path: str) -> list[str]:
        _, _, page = self.browser.send("GET", path)
        return sorted(set(re.findall(r'href="(/budgets/\d+)"', page)))

    def think(self):
        self.stop.wait(self.rng.uniform(0.3, 1.2))

    def check(self, status: int, path: str, expected=(200,)):
        if status not in expected:
            self.errors.append(f"{path}: {status}")

    def run(self):
        try:
            self.sign_in()
            if self.kind == "holder":
                self.holder()
            elif self.kind == "staff":
                self.staff()
            else:
                self.case_manager()
        except Exception as error:  # noqa: BLE001 - reported as the person's error
            self.errors.append(f"{type(error).__name__}: {error}")

    def holder(self):
        budget = self.budgets("/")[0]
        while not self.stop.is_set():
            status, _, page = self.browser.send("GET", budget)
            self.check(status, budget)
            if self.rng.random() < 0.5:
                self.pay(budget, page)
            else:
                status, _, _ = self.browser.send("GET", budget + "/spending")
                self.check(status, budget + "/spending")
            self.think()

    def pay(self, budget: str, page: str):
        line = re.search(r'<option value="([1-9]\d*)">', page)
        key = re.search(r'id="idempotency_key" name="idempotency_key" type="hidden" value="([^"]+)"', page)
        day = re.findall(r'id="paid_on-(?:day|month|year)" name="paid_on" type="text" value="(\d+)"', page)
        if not (line and key and len(day) == 3):
            self.errors.append(f"{budget}: no payment form")
            return
        pence = self.rng.randint(100, 99_999)
        form = {"csrf_token": csrf(page), "paid_on": day, "amount": f"{pence // 100}.{pence % 100:02d}",
                "payee": f"{LOAD_PAYEE} {secrets.token_hex(4)}", "line_id": line.group(1), "note": "",
                "idempotency_key": key.group(1), "confirmed": ""}
        status, _, answer = self.browser.send("POST", budget + "/payments/new", form)
        if status == 303:
            with self.lock:
                self.ledger.append((key.group(1), form["payee"], pence))
        elif status == 200:
            problem = re.search(r'govuk-error-summary__list">(.*?)</ul>', answer, re.S)
            said = problem.group(1) if problem else answer[:300]
            self.errors.append("POST payment: not recorded: " + re.sub(r"<[^>]+>|\s+", " ", said))
        else:
            self.errors.append(f"POST payment: {status}")

    def staff(self):
        accounts = self.budgets("/accounts")
        while not self.stop.is_set():
            budget = self.rng.choice(accounts)
            for path in ("/accounts", budget, budget + "/matching", budget + "/statements"):
                status, _, _ = self.browser.send("GET", path)
                self.check(status, path)
                self.think()

    def case_manager(self):
        people = self.budgets("/caseload")
        while not self.stop.is_set():
            budget = self.rng.choice(people)
            for path in ("/caseload", budget, budget + "/spending"):
                status, _, _ = self.browser.send("GET", path)
                self.check(status, path)
                self.think()


def gunicorn_worker_pids(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=os.environ.get("TEST_DATABASE_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-kill", action="store_true", help="do not kill a worker half-way")
    args = parser.parse_args()

    server = re.sub(r"/[^/]*$", "", args.server)
    name = f"pbload_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1) + "/postgres",
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{server}/{name}"
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=secrets.token_urlsafe(32), RATELIMIT_STORAGE_URI=args.redis,
               UPLOAD_DIR=f"/tmp/{name}-uploads", BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(args.workers),
               MAIL_SERVER="")
    gunicorn = None
    try:
        for command in (["db", "upgrade"], ["demo-data"]):
            subprocess.run([str(BIN / "flask"), "--app", "app", *command], cwd=ROOT, env=env, check=True,
                           capture_output=True)
        gunicorn = subprocess.Popen([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "app:app"], cwd=ROOT,
                                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                Browser(port, defaultdict(list), route_of).send("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.05)
        mix = (["dp.holder@example.org", "second.holder@example.org", "rep@example.org"], "holder"), \
              (["provider@example.org"], "staff"), (["case.manager@example.org"], "case_manager")
        shares = {"holder": 0.45, "staff": 0.35, "case_manager": 0.20}
        stats: dict[str, list] = defaultdict(list)
        stop, ledger, lock = threading.Event(), [], threading.Lock()
        people = []
        for emails, kind in mix:
            for n in range(max(1, round(args.users * shares[kind]))):
                people.append(Person(emails[n % len(emails)], kind, port, stats, stop, ledger, lock))
        people = people[:args.users]
        began = time.perf_counter()
        for person in people:
            person.start()
        killed = None
        if not args.no_kill:
            time.sleep(args.seconds / 2)
            killed = gunicorn_worker_pids(gunicorn.pid)[0]
            os.kill(killed, signal.SIGKILL)
            time.sleep(args.seconds / 2)
        else:
            time.sleep(args.seconds)
        stop.set()
        for person in people:
            person.join(60)
        elapsed = time.perf_counter() - began
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT idempotency_key, payee, amount_pence FROM spending_entry "
                                       "WHERE payee LIKE :p"), {"p": LOAD_PAYEE + " %"}).all()
        engine.dispose()
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    errors = [e for person in people for e in person.errors]
    total = sum(len(v) for v in stats.values())
    print(f"\nLoad: {len(people)} people for {elapsed:.0f} s against gunicorn ({args.workers} sync workers), "
          f"PostgreSQL and Redis; {total:,} requests, {total / elapsed:.1f} a second"
          + (f"; worker {killed} killed half-way" if killed else ""))
    print(f"{'route':<44}{'requests':>9}{'errors':>7}{'p50 ms':>8}{'p95 ms':>8}")
    for route in sorted(stats):
        times = [t for t, _ in stats[route]]
        bad = sum(1 for _, s in stats[route] if s >= 400)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
        print(f"{route:<44}{len(times):>9}{bad:>7}{statistics.median(times):>8.0f}{p95:>8.0f}")
    told = {key: (payee, pence) for key, payee, pence in ledger}
    in_db: dict[str, int] = defaultdict(int)
    for key, payee, pence in stored:
        in_db[key] += 1 if told.get(key) == (payee, pence) else 0  # the payee and amount the person typed
    lost = [key for key in told if in_db.get(key, 0) == 0]
    doubled = [key for key, n in in_db.items() if n > 1]
    resent = sum(p.browser.resent for p in people)
    print(f"\nPayments: {len(told)} told recorded, {len(stored)} in the database; {len(lost)} lost, "
          f"{len(doubled)} recorded twice. {resent} requests were sent again after being cut off")
    for error in errors[:20]:
        print("ERROR:", error)
    return 1 if errors or lost or doubled else 0


if __name__ == "__main__":
    sys.exit(main())
