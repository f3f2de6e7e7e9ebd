"""WSGI entry points for bench/bench_http.py, served by gunicorn exactly as production serves `app:app`.

- `serve:app`: pbportal, configured from the JSON in $BENCH_APP_CONFIG (the database the bench seeded);
- `serve:hello`: a hello-world Flask app, the floor every page is compared with."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

hello = Flask("hello")


@hello.get("/")
def hello_world():
    return "Hello, world!"


def _pbportal():
    from pbportal import create_app  # noqa: PLC0415 - only the pbportal server imports it

    return create_app(json.loads(os.environ["BENCH_APP_CONFIG"]))


app = _pbportal() if os.environ.get("BENCH_APP_CONFIG") else None
