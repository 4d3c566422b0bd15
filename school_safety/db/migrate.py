"""Apply every domain's Piccolo migrations, forward only.

Run by `school-safety migrate`, before `serve` starts its workers, and by
`demo`. On PostgreSQL an advisory lock keeps two processes started together
from migrating at the same time.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.postgres import PostgresEngine

from school_safety.db.engine import get_engine

# An arbitrary constant that names this project's migration lock.
_ADVISORY_LOCK_KEY = 727_184_001


async def migrate(verbose: bool = False) -> None:
    engine = get_engine()
    output = io.StringIO()
    redirect: Any = contextlib.nullcontext() if verbose else contextlib.redirect_stdout(output)
    if isinstance(engine, PostgresEngine):
        # A session-level lock needs one connection held throughout, so take it
        # on a connection of our own rather than the pool.
        connection = await engine.get_new_connection()
        try:
            await connection.execute("SELECT pg_advisory_lock($1)", _ADVISORY_LOCK_KEY)
            with redirect:
                result = await run_forwards(app_name="all")
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", _ADVISORY_LOCK_KEY)
            await connection.close()
    else:
        with redirect:
            result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"Migration failed: {result.message}\n{output.getvalue()}")
