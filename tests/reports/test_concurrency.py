"""200 pupils pressing "send" at the same moment: every report is stored, none fails.

Against a real server: one worker on SQLite (its single-writer lock is what is
tested), two worker processes on PostgreSQL.
"""

from __future__ import annotations

import asyncio

import httpx

from school_safety.db.engine import is_sqlite
from school_safety.reports.tables import Report
from tests.running_server import running_server

SUBMISSIONS = 200


async def test_concurrent_submissions_all_stored(tmp_path, schools):
    workers = 1 if is_sqlite() else 2
    with running_server(
        tmp_path / "server.log", workers=workers, SCHOOL_SAFETY_SUBMIT_LIMIT_PER_HOUR="0"
    ) as server:
        limits = httpx.Limits(max_connections=SUBMISSIONS, max_keepalive_connections=SUBMISSIONS)
        async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=60) as http:
            start = asyncio.Event()

            async def submit(n: int) -> httpx.Response:
                await start.wait()
                return await http.post(
                    "/api/v1/reports",
                    json={"school": "AST-002", "text": f"Report number {n}", "language": "en"},
                )

            tasks = [asyncio.create_task(submit(n)) for n in range(SUBMISSIONS)]
            start.set()
            responses = await asyncio.gather(*tasks)
        log = server.log()

    statuses = [response.status_code for response in responses]
    assert statuses == [201] * SUBMISSIONS, {s: statuses.count(s) for s in set(statuses)}
    assert "database is locked" not in log
    assert await Report.count() == SUBMISSIONS
    texts = {row["text"] for row in await Report.select(Report.text)}
    assert texts == {f"Report number {n}" for n in range(SUBMISSIONS)}
    cases = {row["case_code"] for row in await Report.select(Report.case_code)}
    assert len(cases) == SUBMISSIONS
