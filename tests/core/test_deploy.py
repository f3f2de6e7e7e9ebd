"""The production shape runs: gunicorn with deploy/gunicorn.conf.py serves the app with several worker processes,
and /metrics adds up the requests every one of them answered (prometheus-client's multiprocess mode)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pbportal import ROOT

from ..mailserver import free_port

GUNICORN = Path(sys.executable).with_name("gunicorn")


def _get(url: str, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = dict(os.environ, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2", SECRET_KEY="deploy-test-secret",
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}", UPLOAD_DIR=str(tmp_path / "uploads"),
               METRICS_TOKEN="scrape-me-please", PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    flask = str(GUNICORN.with_name("flask"))
    subprocess.run([flask, "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen([str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "app:app"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start: " + server.stdout.read1().decode())
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_serves_with_the_deploy_config_and_metrics_sum_its_workers(served):
    for _ in range(20):
        assert _get(served + "/healthz") == (200, '{"status":"ok"}\n')
    assert _get(served + "/metrics")[0] == 404
    status, text = _get(served + "/metrics", {"Authorization": "Bearer scrape-me-please"})
    assert status == 200
    counts = re.findall(r'^pbportal_requests_total\{method="GET",route="/healthz",status="200"\} ([0-9.]+)$',
                        text, re.M)
    assert sum(float(n) for n in counts) >= 21  # the polls while starting, then the twenty
