"""On PostgreSQL, a request whose transaction only read ends it with COMMIT, so PostgreSQL keeps the statements
psycopg prepared (pbportal/transactions.py); a request that wrote and did not commit still has its changes rolled
back, on either database."""
from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text

from pbportal.auth.models import Organisation
from pbportal.extensions import db, limiter
from tests.conftest import make_app

pytestmark = pytest.mark.real_commits


@pytest.fixture
def own_app(database, tmp_path):
    """An app of its own, so routes can be added and its pool holds the one connection its requests use."""
    saved = limiter._storage, limiter._limiter
    app = make_app(database, tmp_path / "uploads")

    @app.get("/_test/read")
    def read():
        return str(db.session.scalar(select(func.count()).select_from(Organisation)))

    @app.get("/_test/write-without-commit")
    def write_without_commit():
        db.session.add(Organisation(name="Never saved", kind="council"))
        db.session.flush()
        return "flushed, not committed"

    @app.get("/_test/change-not-flushed")
    def change_not_flushed():
        db.session.add(Organisation(name="Never flushed", kind="council"))
        return "added, not flushed"

    @app.get("/_test/write-by-sql")
    def write_by_sql():
        db.session.execute(text("UPDATE organisation SET name = 'Renamed' WHERE name = 'Kept'"))
        return "updated, not committed"

    @app.get("/_test/read-then-lose-the-connection")
    def read_then_lose_the_connection():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        with db.engine.connect() as other:  # another connection of the pool ends this request's
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return "read"

    ends: list[str] = []
    with app.app_context():
        event.listen(db.engine, "commit", lambda _conn: ends.append("commit"))
        event.listen(db.engine, "rollback", lambda _conn: ends.append("rollback"))
    app.ends = ends
    yield app
    limiter._storage, limiter._limiter = saved
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _names(app) -> list[str]:
    with app.app_context():
        names = list(db.session.scalars(select(Organisation.name).order_by(Organisation.name)))
        db.session.remove()
        return names


def _postgresql(app) -> bool:
    return app.config.get("PG_SCHEMA") is not None


def test_a_request_that_only_read_commits_its_transaction_on_postgresql(own_app):
    own_app.ends.clear()
    response = own_app.test_client().get("/_test/read")
    assert response.status_code == 200 and response.text == "0"
    # SQLite keeps nothing prepared between transactions: there a commit would only cost time.
    assert own_app.ends == (["commit"] if _postgresql(own_app) else ["rollback"])


@pytest.mark.parametrize("path", ["/_test/write-without-commit", "/_test/change-not-flushed"])
def test_a_request_that_wrote_and_did_not_commit_is_still_rolled_back(own_app, path):
    own_app.ends.clear()
    assert own_app.test_client().get(path).status_code == 200
    assert "commit" not in own_app.ends
    assert _names(own_app) == []


def test_a_write_sent_as_sql_is_rolled_back_too(own_app):
    with own_app.app_context():
        db.session.add(Organisation(name="Kept", kind="council"))
        db.session.commit()
        db.session.remove()
    own_app.ends.clear()
    assert own_app.test_client().get("/_test/write-by-sql").status_code == 200
    assert "commit" not in own_app.ends
    assert _names(own_app) == ["Kept"]


def test_a_page_s_statements_stay_prepared_between_requests(own_app):
    if not _postgresql(own_app):
        pytest.skip("prepared statements are PostgreSQL's (psycopg prepares a statement run five times)")
    client = own_app.test_client()
    for _ in range(7):
        assert client.get("/_test/read").status_code == 200
    with own_app.app_context():
        prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
        db.session.remove()
    assert any("FROM organisation" in statement for statement in prepared)


def test_a_read_only_transaction_that_cannot_commit_does_not_fail_the_request(own_app, caplog):
    if not _postgresql(own_app):
        pytest.skip("the commit is PostgreSQL's")
    client = own_app.test_client()
    response = client.get("/_test/read-then-lose-the-connection")
    assert response.status_code == 200 and response.text == "read"
    assert "could not be committed" in caplog.text
    assert client.get("/_test/read").status_code == 200  # the pool replaced the lost connection
