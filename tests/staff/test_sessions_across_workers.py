"""A staff session started in one app process is honoured by another (PostgreSQL)."""

from __future__ import annotations

import httpx
import pytest

from school_safety.db.engine import is_sqlite
from tests import support
from tests.running_server import running_server


async def test_session_started_in_one_process_works_in_another(tmp_path, schools):
    if is_sqlite():
        pytest.skip("several app processes run on PostgreSQL only")
    await support.make_staff("aigerim", "psychologist", ("AST-001",))
    # Two separate server processes on the same database: as two workers would be.
    with (
        running_server(tmp_path / "first.log") as first,
        running_server(tmp_path / "second.log") as second,
    ):
        async with httpx.AsyncClient(base_url=first.base_url, timeout=30) as one:
            assert (await support.sign_in(one, "aigerim")).status_code == 303
            cookies = one.cookies
        async with httpx.AsyncClient(base_url=second.base_url, cookies=cookies, timeout=30) as two:
            account = await two.get("/staff/account", follow_redirects=False)
            assert account.status_code == 200
            # Signing out in the second process ends the session for the first too.
            token = support.csrf_token_from(account.text)
            await two.post("/staff/logout", data={"_csrf_token": token})
        async with httpx.AsyncClient(base_url=first.base_url, cookies=cookies, timeout=30) as one:
            assert (await one.get("/staff/account", follow_redirects=False)).status_code == 303
