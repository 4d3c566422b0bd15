"""Headers, language choice and the rule that no page loads anything from another host."""

from __future__ import annotations

import re
from pathlib import Path

from school_safety.web.language import safe_next

ROOT = Path(__file__).resolve().parents[2]


async def test_security_headers_on_pages_api_errors_and_static(client, schools):
    for path in (
        "/",
        "/s/AST-001",
        "/follow-up",
        "/api/v1/schools?q=a",
        "/no-such-page",
        "/static/css/app.css",
    ):
        response = await client.get(path)
        csp = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in csp, path
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert response.headers.get("x-content-type-options") == "nosniff", path
        assert response.headers.get("referrer-policy") == "no-referrer", path


async def test_pages_reference_nothing_from_another_host(client, schools):
    pages = ["/", "/?q=школа", "/s/AST-001", "/s/AST-001/poster", "/follow-up", "/no-such-page"]
    for path in pages:
        html = (await client.get(path)).text
        for url in re.findall(r'(?:src|href|action)="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", url), (path, url)
        assert "<script>" not in html and "onclick" not in html, path


def test_templates_and_static_files_name_no_other_host():
    for folder in ("templates", "static/css"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                text = path.read_text()
                assert not re.search(r"https?://", text), path
                assert "@import" not in text and "fonts.googleapis" not in text, path


async def test_language_from_header_then_cookie(client, schools):
    page = await client.get("/", headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert '<html lang="ru">' in page.text
    page = await client.get("/", headers={"accept-language": "de, en;q=0.3"})
    assert '<html lang="en">' in page.text
    page = await client.get("/", headers={"accept-language": "fr"})
    assert '<html lang="kk">' in page.text
    switched = await client.get("/language/en?next=/s/AST-001", follow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"] == "/s/AST-001"
    assert "lang=en" in switched.headers["set-cookie"]
    page = await client.get("/s/AST-001", headers={"accept-language": "ru"})
    assert '<html lang="en">' in page.text


async def test_every_pupil_page_offers_every_language_and_the_help_lines(client, schools):
    for path in ("/", "/s/AST-001", "/follow-up", "/no-such-page"):
        html = (await client.get(path)).text
        for language in ("kk", "ru", "en"):
            assert f'lang="{language}"' in html, (path, language)
        assert 'href="sms:111"' in html and 'href="tel:111"' in html, path
        assert 'href="tel:150"' in html and 'href="tel:112"' in html, path


def test_language_switch_never_redirects_off_site():
    assert safe_next("/follow-up") == "/follow-up"
    for target in ("https://evil.example", "//evil.example", "/\\evil.example", "evil", ""):
        assert safe_next(target) == "/"


async def test_htmx_is_vendored_and_served_locally(client):
    version = (ROOT / "static/vendor/htmx/VERSION").read_text()
    assert "2.0" in version
    script = await client.get("/static/vendor/htmx/htmx.min.js")
    assert script.status_code == 200
    assert "htmx" in script.text[:200]


async def test_static_files_are_compressed_and_pages_are_not(client, schools):
    raw = (ROOT / "static/vendor/htmx/htmx.min.js").read_bytes()
    script = await client.get(
        "/static/vendor/htmx/htmx.min.js", headers={"accept-encoding": "gzip"}
    )
    assert script.headers["content-encoding"] == "gzip"
    assert script.content == raw  # decoded by the client: the same file
    assert int(script.headers["content-length"]) < len(raw) / 2
    assert "no-store" not in script.headers.get("cache-control", "")
    # Pages hold secrets (CSRF tokens, receipts) beside what the visitor typed:
    # compressed, their sizes would leak them.
    for path in ("/", "/s/AST-001", "/follow-up"):
        page = await client.get(path, headers={"accept-encoding": "gzip"})
        assert page.status_code == 200 and "content-encoding" not in page.headers, path


async def test_unexpected_errors_are_plain_500_without_details(client, schools, monkeypatch):
    from school_safety.reports import pages

    async def explode(code: str) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(pages, "school_by_code", explode)
    response = await client.get("/s/AST-001")
    assert response.status_code == 500
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
