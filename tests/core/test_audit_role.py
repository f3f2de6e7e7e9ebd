"""In production the app connects as a role that owns no table (deploy/app_role.sql): on PostgreSQL it can add to
the audit log and read it, but TRUNCATE, DELETE, UPDATE and disabling its trigger are all refused."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from pbportal.extensions import db

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "app_role.sql"


def grants(role: str, schema: str) -> list[str]:
    """deploy/app_role.sql with psql's variables filled in, one statement each."""
    sql = "\n".join(line for line in SCRIPT.read_text().splitlines() if not line.startswith("--"))
    sql = sql.replace(':"schema"', f'"{schema}"').replace(':"app_role"', f'"{role}"')
    return [s.strip() for s in sql.split(";") if s.strip()]


@pytest.mark.real_commits
def test_the_app_role_cannot_empty_change_or_unprotect_the_audit_log(request, app, world, worker_id):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    schema = app.config["PG_SCHEMA"]
    role = f"pbportal_app_{worker_id}"
    owner = db.engine
    with owner.begin() as conn:
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        for statement in grants(role, schema):
            conn.execute(text(statement))
    url = re.sub(r"//[^@/]*@", f"//{role}@", owner.url.render_as_string(hide_password=False))
    as_app = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        with as_app.begin() as conn:
            conn.execute(text("INSERT INTO audit_event (action, object_type, data, at) "
                              "VALUES ('test.added', '', '{}', now())"))
            assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar() >= 1
            conn.execute(text("UPDATE spending_entry SET note = 'allowed' WHERE false"))  # other tables: fine
        for statement in ("TRUNCATE audit_event", "DELETE FROM audit_event", "UPDATE audit_event SET action = 'x'",
                          "ALTER TABLE audit_event DISABLE TRIGGER ALL", "DROP TABLE audit_event"):
            with pytest.raises(DBAPIError, match="permission denied|must be owner"), as_app.begin() as conn:
                conn.execute(text(statement))
    finally:
        as_app.dispose()
        with owner.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
