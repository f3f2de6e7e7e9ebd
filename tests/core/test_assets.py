"""Light on a phone: assets under content-hashed names, cached for a year, sent compressed; HTML compressed."""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli

from pbportal import ROOT, assets

STATIC = Path(ROOT) / "static"


def _asset_links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/assets/[^"]+)"', html)


def test_pages_name_assets_by_content_hash_cached_for_a_year(client):
    html = client.get("/sign-in").get_data(as_text=True)
    links = _asset_links(html)
    assert len(links) == 5
    for link in links:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", link), link
        r = client.get(link)
        assert r.status_code == 200
        assert "immutable" in r.headers["Cache-Control"]
        assert int(re.search(r"max-age=(\d+)", r.headers["Cache-Control"]).group(1)) >= 365 * 24 * 3600
        assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_assets_come_compressed_and_unchanged(client):
    html = client.get("/sign-in").get_data(as_text=True)
    [css] = [link for link in _asset_links(html) if "govuk-frontend.min" in link and link.endswith(".css")]
    original = (STATIC / "vendor/govuk-frontend-6.3.0/govuk-frontend.min.css").read_bytes()
    br = client.get(css, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br" and "Accept-Encoding" in br.headers["Vary"]
    assert brotli.decompress(br.get_data()) == original and len(br.get_data()) < len(original) / 4
    gz = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.get_data()) == original
    plain = client.get(css)
    assert "Content-Encoding" not in plain.headers and plain.get_data() == original


def test_our_script_imports_the_hashed_govuk_module(client):
    html = client.get("/sign-in").get_data(as_text=True)
    [app_js] = [link for link in _asset_links(html) if "/app." in link and link.endswith(".js")]
    script = client.get(app_js).get_data(as_text=True)
    [imported] = re.findall(r'from "\./(vendor/[^"]+)"', script)
    assert re.search(r"govuk-frontend\.min\.[0-9a-f]{12}\.js$", imported)
    assert client.get(f"/assets/{imported}").status_code == 200


def test_an_unhashed_name_still_works_but_is_revalidated(client):
    r = client.get("/assets/app.css")
    assert r.status_code == 200 and "immutable" not in r.headers.get("Cache-Control", "")


def test_html_is_compressed_when_the_browser_accepts_it(client):
    plain = client.get("/sign-in")
    br = client.get("/sign-in", headers={"Accept-Encoding": "br, gzip"})
    gz = client.get("/sign-in", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert br.headers["Content-Encoding"] == "br" and gz.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in br.headers["Vary"]
    # The CSRF token differs per page view; everything else is the same page.
    strip = re.compile(r'value="[^"]{40,}"|"X-CSRFToken": "[^"]+"')
    page = strip.sub("", plain.get_data(as_text=True))
    assert strip.sub("", brotli.decompress(br.get_data()).decode()) == page
    assert strip.sub("", gzip.decompress(gz.get_data()).decode()) == page
    assert len(br.get_data()) < len(plain.get_data()) / 2


def test_the_build_is_made_once_and_reused(tmp_path):
    out, manifest = assets.build(STATIC, tmp_path)
    stamp = (out / manifest["app.css"]).stat().st_mtime_ns
    again, same = assets.build(STATIC, tmp_path)
    assert (again, same) == (out, manifest) and (out / manifest["app.css"]).stat().st_mtime_ns == stamp
    assert (out / (manifest["app.js"] + ".br")).exists() and (out / (manifest["app.js"] + ".gz")).exists()
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no half-built folder left
