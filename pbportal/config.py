"""Configuration from the environment."""
from __future__ import annotations

import os
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'pbportal.sqlite'}"
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3 spelled out.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")
    # Object storage for uploads when several hosts serve the app: s3://bucket/prefix (pbportal.storage), with the
    # usual AWS_* settings; for an S3-compatible store that is not AWS, its address in AWS_ENDPOINT_URL.
    UPLOAD_STORE = os.environ.get("UPLOAD_STORE", "")
    UPLOAD_STORE_ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "")
    # Receipts may be up to 10 MB; the request as a whole a little more so the form still parses
    # and the user gets a field error (not a bare 413) for an 11 MB photo.
    RECEIPT_MAX_BYTES = 10 * 1024 * 1024
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT = os.environ.get("LOGIN_LIMIT", "5 per minute")  # failed sign-ins per account
    # Failed sign-ins per network address, for anyone: much higher, so one person's mistakes never lock out
    # others behind the same address (an office, a care home), while a guessing machine is still stopped.
    LOGIN_ADDRESS_LIMIT = os.environ.get("LOGIN_ADDRESS_LIMIT", "50 per minute")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Always Secure when this is set; otherwise Secure whenever the request came over HTTPS
    # (see security.SessionInterface).
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE")
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 8
    # A signed-in device's session ends after this long unused, and this long after sign-in however busy.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
    REMEMBER_COOKIE_DURATION = 0
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    PAGE_SIZE = 20
    # Links in emails are built from this, never from a request's Host header.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # Email (the worker delivers the outbox). With no MAIL_SERVER the worker writes each message to its log.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _flag("MAIL_USE_TLS")
    MAIL_USE_SSL = _flag("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "pbportal <no-reply@localhost>")
    WORKER_INTERVAL = float(os.environ.get("WORKER_INTERVAL", "5"))
    # When the worker runs the daily reminders, in England's time (HH:MM).
    REMINDERS_AT = os.environ.get("REMINDERS_AT", "07:00")
    # The statutory pages (pbportal/pages): who runs this copy of pbportal and answers for people's data. They
    # differ between councils; README, Configuration, lists them.
    SERVICE_OPERATOR = os.environ.get("SERVICE_OPERATOR", "Demo Council")
    DATA_CONTROLLER = os.environ.get("DATA_CONTROLLER", "Demo Council")
    DPO_NAME = os.environ.get("DPO_NAME", "Demo Council's Data Protection Officer")
    DPO_EMAIL = os.environ.get("DPO_EMAIL", "dpo@example.org")
    DPO_ADDRESS = os.environ.get("DPO_ADDRESS", "Data Protection Officer, Demo Council, Town Hall, Example Street, "
                                                "Exampleton EX1 1AA")
    SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "pbportal-support@example.org")
    SUPPORT_PHONE = os.environ.get("SUPPORT_PHONE", "0161 496 0000")
    SUPPORT_HOURS = os.environ.get("SUPPORT_HOURS", "Monday to Friday, 9am to 5pm (not bank holidays)")
    # Years after a budget ends that its records are kept (at least 6: payroll and minimum-wage records).
    RETENTION_YEARS = max(6, int(os.environ.get("RETENTION_YEARS", "6")))
    # The worker's log lines: JSON objects (json), or plain text for reading at a terminal (text; `make run`).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    # /metrics answers only a scraper sending this as a bearer token; unset, it is not there at all.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    DEBUG = False
    TESTING = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    # Fast hashing keeps the suite quick; production uses werkzeug's default (scrypt).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    MAIL_SERVER = ""  # the tests that send start their own SMTP server and point MAIL_SERVER at it
    BASE_URL = "http://pbportal.test"
