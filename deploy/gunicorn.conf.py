"""gunicorn settings for pbportal's web processes: `gunicorn -c deploy/gunicorn.conf.py app:app`.

Each value can be overridden from the environment (the names on the right). Sync workers suit this app: each
request is short and does its work in PostgreSQL, and two or three workers per core keep a core busy while
another waits on the database."""
import multiprocessing
import os
import shutil

bind = os.environ.get("BIND", "127.0.0.1:8000")  # the proxy in front talks to this; never expose it directly
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # long work (imports, exports) goes to the worker
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # a worker is replaced now and then, so a slow leak can never grow
max_requests_jitter = 500
preload_app = True  # the app (and its asset build) is made once, before the workers fork
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the app writes one JSON line per request itself (README, Production shape)
errorlog = "-"
loglevel = "info"

# Metrics from every worker process, summed at /metrics (prometheus-client's multiprocess mode).
_METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(_server):
    if _METRICS_DIR:  # counts from a previous run would be added to this one's
        shutil.rmtree(_METRICS_DIR, ignore_errors=True)
        os.makedirs(_METRICS_DIR, exist_ok=True)


def child_exit(_server, worker):
    if _METRICS_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
