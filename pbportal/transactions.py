"""How a request's database transaction ends: committed when it only read, so PostgreSQL keeps what it prepared.

psycopg 3 prepares a statement on the server once a connection has run it five times; from then on PostgreSQL
neither parses nor plans it again, and can keep one plan for it. A page's statements are the same on every visit,
so most of them would be prepared, and planning is much of what they cost (the budget page's statements: 4.4 ms
unprepared, 2.5 ms prepared). But psycopg forgets everything prepared on a connection whenever a
transaction on it is rolled back, and the session at the end of every request rolls its transaction back, so
nothing stayed prepared from one request to the next.

A transaction that only read ends the same whether it is committed or rolled back. So at the end of a request,
when everything its session sent in its transaction was a SELECT and nothing is waiting to be flushed, the
transaction is committed. Anything else (an INSERT, UPDATE or DELETE, a savepoint, DDL, a statement of any other
kind), an unhandled error, or changes not yet flushed: it ends as before, rolled back unless the view committed
it. SQLite prepares nothing between transactions, so there the commit would only cost time (0.2 ms), and
transactions end as before. bench/README.md has the figures.

Run behind PgBouncer in transaction mode only with its max_prepared_statements set (PgBouncer 1.21 or later);
README, Production shape, says so."""
from __future__ import annotations

import logging
from contextlib import suppress

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger("pbportal.transactions")
READ_ONLY = "pbportal_read_only"  # in Connection.info: has this transaction sent nothing but SELECTs?
CONNECTION = "pbportal_connection"  # in Session.info: the connection its transaction began on
READS = ("SELECT", "BEGIN")  # how statements that change nothing begin (the tests' SQLite engine sends BEGIN)


def _began(connection: Connection) -> None:
    connection.info[READ_ONLY] = True


def _before_statement(connection: Connection, _cursor, statement: str, *_args) -> None:
    if statement.lstrip()[:6].upper() not in READS:
        connection.info[READ_ONLY] = False


def _session_began(session: Session, _transaction, connection: Connection) -> None:
    session.info[CONNECTION] = connection


def _end_read_only_transaction(error: BaseException | None) -> None:
    if error is not None:
        return
    session = db.session()
    connection = session.info.pop(CONNECTION, None)
    if (connection is None or connection.closed or not session.in_transaction()
            or not connection.info.get(READ_ONLY) or session.new or session.dirty or session.deleted):
        return
    try:
        session.commit()
    except SQLAlchemyError:  # the page is made already, and nothing was written: end it as before
        log.warning("A read-only transaction could not be committed; rolled back", exc_info=True)
        with suppress(SQLAlchemyError):
            session.rollback()


def register(app: Flask) -> None:
    """Call before any other teardown_request hook is registered: Flask runs them last-registered first, and this
    one must come after everything that might still read through the session."""
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "postgresql" and not event.contains(engine, "begin", _began):
                event.listen(engine, "begin", _began)
                event.listen(engine, "before_cursor_execute", _before_statement)
    if not event.contains(Session, "after_begin", _session_began):
        event.listen(Session, "after_begin", _session_began)
    app.teardown_request(_end_read_only_transaction)
