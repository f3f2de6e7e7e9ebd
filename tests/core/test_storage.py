"""The upload store's two backends, the local folder and S3-compatible object storage, the second tested against a
real S3-protocol server (moto in server mode, on a free port): the same operations, receipts written pending and
linked after their row commits, served only through the app's access checks, statements held until imported,
the sweep, and /readyz."""
from __future__ import annotations

import io
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from pbportal.extensions import db
from pbportal.spending import receipts
from pbportal.spending.models import Receipt
from pbportal.storage import LocalStore, S3Store, store_at
from pbportal.timeutil import today

from ..banking.helpers import SIGNED, upload
from ..conftest import EMAIL, login
from ..mailserver import free_port

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-protocol server for this test run, with throwaway credentials."""
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="eu-west-2")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def bucket(s3_server):
    name = f"pbportal-{secrets.token_hex(6)}"
    boto3.client("s3", endpoint_url=s3_server).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return name


@pytest.fixture
def on_s3(app, s3_server, bucket):
    """The app's uploads in the bucket, under a prefix."""
    app.config["UPLOAD_STORE"] = f"s3://{bucket}/uploads"
    app.config["UPLOAD_STORE_ENDPOINT"] = s3_server
    return S3Store(bucket, "uploads", s3_server)


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path, s3_server):
    if request.param == "local":
        return LocalStore(tmp_path / "store")
    return S3Store(request.getfixturevalue("bucket"), "some/prefix", s3_server)


def test_the_same_operations_on_both_backends(store):
    assert store.get("ab/missing") is None and not store.exists("ab/missing")
    store.put("ab/.one.tmp", b"first")
    store.put("cd/two", b"second")
    assert store.get("ab/.one.tmp") == b"first" and store.exists("cd/two")
    store.rename("ab/.one.tmp", "ab/one")
    store.rename("ab/.gone.tmp", "ab/gone")  # nothing there: nothing happens
    assert store.get("ab/one") == b"first" and not store.exists("ab/.one.tmp")
    assert sorted(name for name, _ in store.listing()) == ["ab/one", "cd/two"]
    assert [name for name, _ in store.listing("cd")] == ["cd/two"]
    assert all(abs(modified - time.time()) < 120 for _, modified in store.listing())
    store.delete("cd/two")
    store.delete("cd/two")  # twice is fine
    assert sorted(name for name, _ in store.listing()) == ["ab/one"]
    with pytest.raises(ValueError):
        store.put("../outside", b"x")
    store.check()


def test_a_receipt_on_s3_is_pending_until_linked_then_read_and_swept(app, on_s3):
    location = app.config["UPLOAD_STORE"]
    key, digest = receipts.store(location, PDF)
    assert [name for name, _ in on_s3.listing()] == [f"{key[:2]}/.{key}.tmp"]
    assert receipts.read(location, key) == PDF  # a crash before linking: linked when first read
    assert [name for name, _ in on_s3.listing()] == [f"{key[:2]}/{key}"]
    orphan, _ = receipts.store(location, b"no row")
    assert receipts.sweep(location, lambda keys: {key} & set(keys), older_than=timedelta(0)) == (0, 1)
    assert [name for name, _ in on_s3.listing()] == [f"{key[:2]}/{key}"] and orphan not in str(on_s3.listing())


def test_a_receipt_uploaded_through_the_form_lives_in_the_bucket_and_is_served_through_the_access_check(
        app, on_s3, holder, world):
    data = {"paid_on": [str(today().day), str(today().month), str(today().year)], "amount": "12.50",
            "payee": "Corner Shop", "line_id": str(world.lines["gym"].id), "note": "",
            "receipt": (io.BytesIO(PDF), "invoice.pdf")}
    r = holder.post(f"/budgets/{world.dp.id}/payments/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 303
    stored = db.session.query(Receipt).one()
    assert [name for name, _ in on_s3.listing()] == [f"{stored.storage_key[:2]}/{stored.storage_key}"]
    local = Path(app.config["UPLOAD_DIR"])
    assert not local.exists() or not any(local.rglob("*"))  # nothing on this host's disk
    served = holder.get(f"/budgets/{world.dp.id}/receipts/{stored.id}")
    assert served.status_code == 200 and served.data == PDF
    assert "attachment" in served.headers["Content-Disposition"] and served.headers["X-Content-Type-Options"] == \
        "nosniff"
    holder.post("/sign-out")
    login(holder, "other@example.org")
    assert holder.get(f"/budgets/{world.dp.id}/receipts/{stored.id}").status_code == 404


def test_a_statement_waits_in_the_bucket_until_imported(app, on_s3, staff, world):
    r = upload(staff, world.ma.id, SIGNED)
    assert r.status_code == 303
    waiting = [name for name, _ in on_s3.listing("pending-statements")]
    assert len(waiting) == 2 and {name.rsplit(".", 1)[1] for name in waiting} == {"csv", "name"}
    assert staff.post(r.location, data={}).status_code == 303
    assert on_s3.listing("pending-statements") == []


def test_readyz_checks_the_bucket(app, client, s3_server, bucket):
    app.config["UPLOAD_STORE_ENDPOINT"] = s3_server
    app.config["UPLOAD_STORE"] = f"s3://{bucket}/uploads"
    assert client.get("/readyz").get_json()["checks"]["uploads"] == "ok"
    app.config["UPLOAD_STORE"] = "s3://no-such-bucket-here/uploads"
    r = client.get("/readyz")
    assert r.status_code == 503 and r.get_json()["checks"]["uploads"] == "failed"


def test_a_location_names_its_backend(tmp_path):
    assert isinstance(store_at(str(tmp_path)), LocalStore)
    s3 = store_at("s3://a-bucket/with/prefix", "http://127.0.0.1:1")
    assert isinstance(s3, S3Store) and (s3.bucket, s3.prefix) == ("a-bucket", "with/prefix")
    assert store_at("s3://a-bucket/with/prefix", "http://127.0.0.1:1") is s3


def test_someone_else_is_refused_before_the_store_is_asked(app, on_s3, client, world):
    login(client, EMAIL["holder"])
    assert client.get(f"/budgets/{world.other_dp.id}/receipts/1").status_code == 404
