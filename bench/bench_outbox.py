#!/usr/bin/env python
"""pbportal benchmark: the worker delivering a queue of 10,000 emails to a real SMTP server.

Queues N messages (default 10,000) in a temporary SQLite file (or --database-url), starts an aiosmtpd server on a
free port of 127.0.0.1 that counts what it is sent, and delivers the queue the way the worker does (deliver_due
again at once after a full batch). Reports messages a second and the peak Python memory while delivering (the
worker claims a batch at a time, so memory must not grow with the queue), and checks every message arrived once
and is marked sent.

    python bench/bench_outbox.py [--messages 10000] [--database-url postgresql://...]
"""
from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from pbportal import create_app  # noqa: E402
from pbportal.config import TestConfig  # noqa: E402
from pbportal.extensions import db  # noqa: E402
from pbportal.outbox import OutboxMessage, OutboxStatus, deliver_due  # noqa: E402

PEAK_LIMIT = 20 * 1024 * 1024  # bytes: far above one batch, far below 10,000 messages held at once


class Counter:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self.lock:
            self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
        url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
        counter = Counter()
        port = free_port()
        controller = Controller(counter, hostname="127.0.0.1", port=port)
        controller.start()
        app = create_app(type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "MAIL_SERVER": "127.0.0.1",
                                                        "MAIL_PORT": port}))
        try:
            with app.app_context():
                db.drop_all()
                db.create_all()
                body = "Hello,\n\nThis is a benchmark message of a typical length for pbportal.\n" * 5
                for start in range(0, args.messages, 1000):
                    db.session.execute(insert(OutboxMessage), [
                        {"to_address": f"person{n}@example.org", "subject": f"Message {n}", "body": body}
                        for n in range(start, min(start + 1000, args.messages))])
                    db.session.commit()
                tracemalloc.start()
                began = time.perf_counter()
                while True:
                    done = deliver_due()
                    db.session.remove()
                    if done.sent + done.retrying + done.failed == 0:
                        break
                elapsed = time.perf_counter() - began
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                sent = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                         .where(OutboxMessage.status == OutboxStatus.SENT))
                if args.database_url:
                    db.drop_all()
        finally:
            controller.stop()
    rate = args.messages / elapsed
    print(f"Outbox: {args.messages:,} messages delivered in {elapsed:.1f} s: {rate:,.0f} a second "
          f"({'PostgreSQL' if args.database_url else 'SQLite'}); peak Python memory while delivering "
          f"{peak / 1024 / 1024:.1f} MiB; {counter.count:,} received, {sent:,} marked sent.")
    ok = counter.count == args.messages and sent == args.messages and peak < PEAK_LIMIT
    if not ok:
        print("FAILED: every message must arrive once and be marked sent, in bounded memory.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
