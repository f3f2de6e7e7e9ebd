"""A receipt's file and its row: written under a pending name, linked only after the row is committed; a crash at
either point leaves nothing broken, and `flask sweep-receipts` tidies what a crash left."""
from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from PIL import Image

from pbportal.extensions import db
from pbportal.spending import receipts
from pbportal.spending.receipts import CheckedReceipt
from pbportal.spending.services import save_receipt, save_with_receipt, sweep_receipts

from ..support import signed_in


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


def files(upload_dir) -> list[str]:
    return sorted(p.name for p in Path(upload_dir).glob("*/*"))


def test_the_file_is_linked_only_after_the_row_is_committed(app, world):
    upload_dir = app.config["UPLOAD_DIR"]
    seen = {}

    def save(receipt):
        seen["before_commit"] = files(upload_dir)
        return receipt

    receipt = save_with_receipt(world.dp.id, CheckedReceipt(png(), "image/png", "r.png"), world.holder, upload_dir,
                                save)
    assert seen["before_commit"] == [f".{receipt.storage_key}.tmp"]  # pending while the row is not committed
    assert files(upload_dir) == [receipt.storage_key]


def test_a_failure_before_the_commit_leaves_no_file(app, world):
    upload_dir = app.config["UPLOAD_DIR"]

    def save(receipt):
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        save_with_receipt(world.dp.id, CheckedReceipt(png(), "image/png", "r.png"), world.holder, upload_dir, save)
    assert files(upload_dir) == []


def test_a_crash_between_commit_and_link_still_serves_the_receipt(app, world):
    upload_dir = app.config["UPLOAD_DIR"]
    receipt = save_receipt(world.dp.id, CheckedReceipt(png(), "image/png", "r.png"), world.holder, upload_dir)
    db.session.commit()  # and the process died here, before linking
    assert files(upload_dir) == [f".{receipt.storage_key}.tmp"]
    response = signed_in(app, "holder").get(f"/budgets/{world.dp.id}/receipts/{receipt.id}")
    assert response.status_code == 200 and response.data == png()
    assert files(upload_dir) == [receipt.storage_key]


def test_the_sweep_links_what_was_saved_and_removes_day_old_files_nobody_saved(app, world, monkeypatch):
    upload_dir = app.config["UPLOAD_DIR"]
    saved = save_receipt(world.dp.id, CheckedReceipt(png(), "image/png", "r.png"), world.holder, upload_dir)
    db.session.commit()
    orphan, _ = receipts.store(upload_dir, png())  # a crash before its row was committed
    fresh, _ = receipts.store(upload_dir, png())  # a request still saving this one
    day_old = time.time() - 25 * 3600
    os.utime(Path(upload_dir) / orphan[:2] / f".{orphan}.tmp", (day_old, day_old))
    assert sweep_receipts(upload_dir) == (1, 1)
    assert files(upload_dir) == sorted([saved.storage_key, f".{fresh}.tmp"])
    runner = app.test_cli_runner()
    assert "Receipts: 0 linked, 0 removed." in runner.invoke(args=["sweep-receipts"]).output
