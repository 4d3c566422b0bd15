"""Headers, language choice and the rule that no page loads anything from another host."""

from __future__ import annotations

import asyncio
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


REPORT = {"school": "AST-001", "text": "Мені сыныптастарым күнде мазақтайды", "language": "kk"}


async def test_api_posts_not_declared_json_are_refused_with_415_in_the_callers_language(
    client, schools
):
    """A cross-site form or text/plain post needs no preflight: it must not file a report."""
    import json

    from school_safety.reports.tables import Message, Report
    from tests import support

    body = json.dumps(REPORT).encode()
    for content_type in (
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "",
    ):
        headers = {"accept-language": "ru"}
        if content_type:
            headers["content-type"] = content_type
        refused = await client.post("/api/v1/reports", content=body, headers=headers)
        assert refused.status_code == 415, (content_type, refused.text)
        assert refused.json() == {
            "error": support.in_language(
                "ru", "Something in what was sent is not right. Please check it and try again."
            ),
            "status": 415,
        }
    assert await Report.count() == 0

    filed = await client.post(
        "/api/v1/reports",
        content=body,
        headers={"content-type": "Application/JSON; charset=utf-8"},
    )
    assert filed.status_code == 201
    case, receipt = filed.json()["case"], filed.json()["receipt"]
    reply = await client.post(
        f"/api/v1/reports/{case}/messages",
        content=json.dumps({"text": "hello"}).encode(),
        headers={"content-type": "text/plain", "X-Receipt": receipt},
    )
    assert reply.status_code == 415
    assert await Message.count() == 0
    # Reading needs no body and no content type.
    assert (
        await client.get(f"/api/v1/reports/{case}", headers={"X-Receipt": receipt})
    ).status_code == 200


async def test_csrf_exemption_is_only_for_paths_that_begin_with_api(client, schools):
    """A school whose code is "API" has pages under /s/api/: they need a token like any other."""
    from school_safety.db.engine import write_transaction
    from school_safety.reports.tables import Report
    from school_safety.schools.tables import School

    async with write_transaction():
        await School(
            code="API",
            region=(await School.select(School.region).first())["region"],
            name_kk="API мектебі",
            name_ru="Школа API",
            name_en="API School",
            search_text="api",
        ).save()
    for path in ("/s/api/report", "/s/API/report"):
        refused = await client.post(path, data={"text": "Меня бьют"})
        assert refused.status_code == 403, (path, refused.status_code)
    assert await Report.count() == 0
    # The form itself, with its token, still works.
    from tests import support

    assert (await support.submit_form(client, "API", {"text": "Меня бьют"})).status_code == 201


def test_a_spoofed_forwarded_address_does_not_change_the_client_key(monkeypatch):
    """What `serve --behind-proxy` hands uvicorn decides which address the limits count."""
    import httpx
    import uvicorn
    from litestar import Request
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from school_safety.classifier import store
    from school_safety.cli import main
    from school_safety.web.ratelimit import client_key

    started: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options))
    monkeypatch.setattr(store, "ensure_model", lambda **_: None)
    assert main(["serve", "--behind-proxy"]) == 0

    async def key_of(scope, receive, send):
        key = client_key(Request(scope)).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": key})

    served = ProxyHeadersMiddleware(key_of, trusted_hosts=started["forwarded_allow_ips"])

    async def fetch(peer: str, forwarded: str | None) -> str:
        transport = httpx.ASGITransport(app=served, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            headers = {"x-forwarded-for": forwarded} if forwarded else {}
            return (await http.get("/", headers=headers)).text

    def key_for(peer: str, forwarded: str | None = None) -> str:
        return asyncio.run(fetch(peer, forwarded))

    # Through the proxy: the address it saw, whatever the client wrote before it.
    real = key_for("127.0.0.1", "203.0.113.7")
    for spoofed in ("198.51.100.1, 203.0.113.7", "10.9.8.7, 127.0.0.1, 203.0.113.7"):
        assert key_for("127.0.0.1", spoofed) == real, spoofed
    assert key_for("127.0.0.1", "203.0.113.8") != real
    # Straight from a client: its header is not believed at all.
    assert key_for("198.51.100.9", "203.0.113.7") == key_for("198.51.100.9")
