"""The restore drill (deploy/restore-drill.sh) on PostgreSQL: a backup of real data restores into an empty
database and folder with every row count, money total and file the same; a backup that does not match fails."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pbportal import ROOT
from pbportal.backup import backup, figures
from pbportal.extensions import db
from pbportal.storage import LocalStore

SCRIPT = Path(ROOT) / "deploy" / "restore-drill.sh"
FLASK = Path(sys.executable).with_name("flask")


def _drill(backup_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    server = re.sub(r"/[^/]*$", "", os.environ["TEST_DATABASE_URL"])
    env = dict(os.environ, DRILL_SERVER=server, FLASK=str(FLASK), SECRET_KEY="drill-secret",
               DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite'}")
    return subprocess.run(["bash", str(SCRIPT), str(backup_dir)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.real_commits
def test_a_backup_restores_whole_and_a_changed_one_is_caught(request, app, world, tmp_path):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("the backup and its drill are PostgreSQL's (pg_dump, pg_restore)")
    uploads = Path(app.config["UPLOAD_DIR"])
    (uploads / "receipts" / "ab").mkdir(parents=True)
    (uploads / "receipts" / "ab" / "ab12.pdf").write_bytes(b"%PDF-1.4 a receipt\n%%EOF")
    out = tmp_path / "backup"
    with db.engine.connect() as conn:
        live = figures(conn)
    done = backup(db.engine, LocalStore(uploads), out)
    assert done["files"] == 1 and done["rows"] == sum(live["rows"].values())
    saved = json.loads((out / "figures.json").read_text())
    assert saved["money"]["spending_entry.amount_pence"] == 12000 + 9900 + 7000 == live["money"][
        "spending_entry.amount_pence"]
    assert saved["rows"]["budget"] == 3 and saved["rows"]["user_account"] == 9

    passed = _drill(out, tmp_path)
    assert passed.returncode == 0, passed.stderr
    assert re.search(r"Restore drill passed: \d+ rows, \d+ money totals and 1 files match", passed.stdout)

    saved["money"]["spending_entry.amount_pence"] += 1  # as if a payment had been lost on the way
    (out / "figures.json").write_text(json.dumps(saved))
    (out / "files.json").write_text(json.dumps({"receipts/ab/gone.pdf": {"bytes": 1, "sha256": "0"}}))
    failed = _drill(out, tmp_path)
    assert failed.returncode == 1
    assert "spending_entry.amount_pence: 28901p backed up, 28900p restored" in failed.stderr
    assert "file receipts/ab/gone.pdf: missing or different" in failed.stderr
