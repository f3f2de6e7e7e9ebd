"""An empty database of its own for each migration and demo test, and the app on it."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from pbportal import create_app
from pbportal.config import TestConfig

from ..conftest import IsolatedClient


@pytest.fixture
def empty_database(request, database, tmp_path, worker_id):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if "PG_SCHEMA" not in database:
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrate.sqlite'}"}
        return
    schema = f"pbmigrate_{worker_id}"
    url = database["SQLALCHEMY_DATABASE_URI"]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield {"SQLALCHEMY_DATABASE_URI": url,
           "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}}}
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def app_on(config, tmp_path):
    """The app on `config`'s database, its tables not made: the test makes them (by migrating, usually)."""
    app = create_app(type("Config", (TestConfig,), dict(config, UPLOAD_DIR=str(tmp_path / "up"))))
    app.test_client_class = IsolatedClient
    return app
