"""Static assets for phones: content-hashed names cached for a year, compressed once (gzip and brotli) when a
process starts, and HTML compressed per response.

`build()` copies `static/` into a folder named by the hash of everything in it, renaming each file
`name.<hash>.ext` (our own CSS and JS have their references to other files rewritten first) and writing `.gz`
and `.br` beside each file that compresses. Processes that start together, on one host or several, build the
same folder; the first to finish renames its work into place and the others use it. WhiteNoise serves the
folder under `/assets/` with `Cache-Control: max-age=31536000, immutable`, choosing the `.br` or `.gz` file by
the request's Accept-Encoding. Unhashed names still work through Flask's static route (`no-cache`)."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import brotli
from flask import Flask, request
from whitenoise import WhiteNoise

YEAR = 365 * 24 * 60 * 60
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".map"}
REWRITTEN = {".css", ".js"}  # our own files may name others; vendored ones do not
HTML_TYPES = {"text/html", "application/json", "text/csv"}
HTML_MIN_BYTES = 600  # below this the headers cost more than the saving
BUILD_FORMAT = "1"  # change when build() changes what it writes, so old folders are not reused


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _sources(source: Path) -> list[Path]:
    files = [p for p in source.rglob("*") if p.is_file() and not p.name.startswith(".")]
    # Vendored files first: our own files' references to them are rewritten to their hashed names.
    return sorted(files, key=lambda p: (p.relative_to(source).parts[0] != "vendor", p.as_posix()))


def build(source: Path, cache: Path) -> tuple[Path, dict[str, str]]:
    """The built folder and the manifest from each file's path under `static/` to its hashed path."""
    files = _sources(source)
    key = hashlib.sha256(BUILD_FORMAT.encode())
    for path in files:
        key.update(path.relative_to(source).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    out = cache / key.hexdigest()[:16]
    manifest_file = out / ".manifest.json"
    if manifest_file.exists():
        return out, json.loads(manifest_file.read_text())
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=cache, prefix=".build-"))
    manifest: dict[str, str] = {}
    for path in files:
        rel = path.relative_to(source).as_posix()
        data = path.read_bytes()
        if path.suffix in REWRITTEN and not rel.startswith("vendor/"):
            text = data.decode()
            for name, hashed in manifest.items():
                text = text.replace(f"./{name}", f"./{hashed}").replace(f"/assets/{name}", f"/assets/{hashed}")
            data = text.encode()
        hashed = str(Path(rel).with_name(f"{path.stem}.{_digest(data)}{path.suffix}").as_posix())
        manifest[rel] = hashed
        target = work / hashed
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if path.suffix in COMPRESSIBLE:
            for suffix, packed in ((".gz", gzip.compress(data, 9, mtime=0)),
                                   (".br", brotli.compress(data, quality=11))):
                if len(packed) < len(data) * 0.95:
                    target.with_name(target.name + suffix).write_bytes(packed)
    (work / ".manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    try:
        os.rename(work, out)
    except OSError:  # another process built it first: theirs is the same
        shutil.rmtree(work, ignore_errors=True)
    return out, json.loads(manifest_file.read_text())


def _asset_headers(headers, _path, _url) -> None:
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"


def _compress(response):
    """gzip or brotli for HTML (and JSON, CSV) when the browser accepts it. Files sent from disk pass as they are."""
    if (response.direct_passthrough or response.is_streamed
            or response.status_code < 200 or response.status_code in (204, 304)
            or "Content-Encoding" in response.headers or response.mimetype not in HTML_TYPES):
        return response
    accepted = request.accept_encodings
    coding = "br" if accepted["br"] else "gzip" if accepted["gzip"] else None
    response.vary.add("Accept-Encoding")
    if coding is None:
        return response
    data = response.get_data()
    if len(data) < HTML_MIN_BYTES:
        return response
    response.set_data(brotli.compress(data, quality=5) if coding == "br" else gzip.compress(data, 6))
    response.headers["Content-Encoding"] = coding
    return response


def register(app: Flask, static: Path, cache: Path) -> None:
    out, manifest = build(static, cache)
    app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(out), prefix="assets/", max_age=YEAR,
                              immutable_file_test=lambda _path, _url: True, add_headers_function=_asset_headers)

    def asset(name: str) -> str:
        """The address of a file under static/, by its hashed name (its unhashed one if it is new since start)."""
        return f"{app.static_url_path}/{manifest.get(name, name)}"

    app.add_template_global(asset, "asset")
    app.after_request(_compress)
