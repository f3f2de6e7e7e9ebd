"""The upload store: receipts, documents, statements waiting to be imported, exports. One interface, two backends:

- a local folder (the default, `UPLOAD_DIR`; `make run` and the tests), or a shared mount;
- S3-compatible object storage (`UPLOAD_STORE=s3://bucket/prefix`, with the usual `AWS_ACCESS_KEY_ID`,
  `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION` and, for a store that is not AWS, `AWS_ENDPOINT_URL`), so any
  number of web and worker hosts see the same files.

Names are relative ("ab/abcdef…", "pending-statements/…"). Everything is read and written through the app, so
every download passes its access checks; nothing is ever served from the store directly."""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError
from flask import current_app


class Store(Protocol):
    def put(self, name: str, data: bytes) -> None: ...
    def get(self, name: str) -> bytes | None: ...
    def exists(self, name: str) -> bool: ...
    def delete(self, name: str) -> None: ...
    def rename(self, old: str, new: str) -> None: ...
    def listing(self, prefix: str = "") -> list[tuple[str, float]]: ...
    def check(self) -> None: ...


@dataclass(frozen=True)
class LocalStore:
    """A folder. Writes go to a temporary file renamed into place, so a reader never sees half a file."""

    root: Path

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"{name!r} is outside the upload store")
        return path

    def put(self, name: str, data: bytes) -> None:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".put-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)

    def get(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def rename(self, old: str, new: str) -> None:
        try:
            os.replace(self._path(old), self._path(new))
        except FileNotFoundError:
            pass

    def listing(self, prefix: str = "") -> list[tuple[str, float]]:
        base = self.root / prefix if prefix else self.root
        if not base.exists():
            return []
        return [(p.relative_to(self.root).as_posix(), p.stat().st_mtime) for p in base.rglob("*")
                if p.is_file() and not p.name.startswith(".put-")]

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".readyz-"):
            pass


class S3Store:
    """A bucket and a prefix. S3 has no rename: a copy, then the old object is removed."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None):
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None,
                                   config=BotoConfig(retries={"mode": "standard", "max_attempts": 4},
                                                     connect_timeout=5, read_timeout=30))

    def _key(self, name: str) -> str:
        if ".." in name.split("/"):
            raise ValueError(f"{name!r} is outside the upload store")
        return f"{self.prefix}/{name}" if self.prefix else name

    def put(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data,
                               ContentType="application/octet-stream")

    def get(self, name: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise

    def exists(self, name: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def rename(self, old: str, new: str) -> None:
        try:
            self.client.copy_object(Bucket=self.bucket, Key=self._key(new),
                                    CopySource={"Bucket": self.bucket, "Key": self._key(old)})
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return
            raise
        self.delete(old)

    def listing(self, prefix: str = "") -> list[tuple[str, float]]:
        start = self._key(prefix) if prefix else (self.prefix + "/" if self.prefix else "")
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) + 1:] if self.prefix else item["Key"]
                found.append((name, item["LastModified"].timestamp()))
        return found

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)


_stores: dict[tuple, Store] = {}  # clients are made once per process; they hold connections, not data


def store_at(location: str, endpoint_url: str | None = None) -> Store:
    """The store a location names: `s3://bucket/prefix`, or a folder's path."""
    key = (location, endpoint_url)
    if key not in _stores:
        if location.startswith("s3://"):
            parts = urlsplit(location)
            _stores[key] = S3Store(parts.netloc, parts.path, endpoint_url)
        else:
            _stores[key] = LocalStore(Path(location))
    return _stores[key]


def upload_location() -> str:
    """Where uploads go for this app: UPLOAD_STORE (s3://…) when set, else the UPLOAD_DIR folder."""
    return current_app.config.get("UPLOAD_STORE") or current_app.config["UPLOAD_DIR"]


def uploads(location: str | None = None) -> Store:
    """The app's upload store (or the one at `location`)."""
    return store_at(location or upload_location(), current_app.config.get("UPLOAD_STORE_ENDPOINT") or None)


def older_than(listing: list[tuple[str, float]], seconds: float) -> list[str]:
    cutoff = time.time() - seconds
    return [name for name, modified in listing if modified < cutoff]
