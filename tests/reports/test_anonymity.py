"""Anonymous means anonymous: after a real submission through a real server,
neither the database nor the log holds the client's address, user agent or referrer.
"""

from __future__ import annotations

import re

import httpx
import pytest

from school_safety.db.engine import close_pool, is_sqlite
from tests import support
from tests.running_server import running_server

SPOOFED_ADDRESS = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 (Linux; Android 9; UniquePhone-X7741) FingerprintProbe/1.0"
REFERRER = "https://referrer.example/secret-page"
TRACES = ("127.0.0.1", SPOOFED_ADDRESS, "UniquePhone-X7741", "FingerprintProbe", "referrer.example")


def test_the_dump_covers_every_table():
    from piccolo.conf.apps import Finder

    registered = {table._meta.tablename for table in Finder().get_table_classes()}
    assert registered == {table._meta.tablename for table in support.TABLES}


async def database_text() -> str:
    """Every row of every table, as text."""
    dumped = []
    for table in support.TABLES:
        for row in await table.select():
            dumped.append(repr(row))
    return "\n".join(dumped)


@pytest.fixture
def server(tmp_path, schools):
    with running_server(tmp_path / "server.log") as running:
        yield running


async def test_no_client_trace_in_database_or_log(server, data_dir):
    # The start-up banner names the server's own address; what follows is per request.
    start_of_requests = len(server.log())
    headers = {"user-agent": USER_AGENT, "x-forwarded-for": SPOOFED_ADDRESS, "referer": REFERRER}
    async with httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=30) as http:
        form = await http.get("/s/AST-001")
        token = support.csrf_token_from(form.text)
        sent = await http.post(
            "/s/AST-001/report",
            data={"_csrf_token": token, "text": "Мені ұрады", "reporter_role": "affected"},
            files={"evidence": ("p.jpg", support.jpeg_with_gps(), "image/jpeg")},
        )
        assert sent.status_code == 201
        case, receipt = support.receipt_from(sent.text)
        opened = await http.post("/follow-up", data={"_csrf_token": token, "receipt": receipt})
        assert opened.status_code == 200
        replied = await http.post(
            "/follow-up/reply", data={"_csrf_token": token, "receipt": receipt, "reply": "иә"}
        )
        assert replied.status_code == 200
        api = await http.post(
            "/api/v1/reports", json={"school": "AST-001", "text": "bullied", "language": "en"}
        )
        assert api.status_code == 201
        read = await http.get(
            f"/api/v1/reports/{api.json()['case']}", headers={"x-receipt": api.json()["receipt"]}
        )
        assert read.status_code == 200

    log = server.log()[start_of_requests:]
    # The log did record the requests, so an empty log cannot pass this test.
    assert re.search(r"POST /s/\{code\}/report 201", log), log
    assert "POST /api/v1/reports 201" in log
    for trace in (*TRACES, receipt, api.json()["receipt"], case):
        assert trace not in log, f"{trace!r} found in the server log"

    stored = await database_text()
    assert "Мені ұрады" in stored
    for trace in (*TRACES, receipt):
        assert trace not in stored, f"{trace!r} found in the database"

    if is_sqlite():
        # Also the raw bytes on disk, write-ahead log included. Our connections are
        # closed first: closing any other handle on these files drops this
        # process's SQLite locks on them (POSIX), and a server that then believes
        # it is the last one deletes the write-ahead log from under them.
        await close_pool()
        for path in data_dir.glob("test.sqlite3*"):
            raw = path.read_bytes()
            for trace in (*TRACES, receipt):
                assert trace.encode() not in raw, f"{trace!r} found in {path.name}"
