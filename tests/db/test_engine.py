"""The engine set-up that keeps concurrent writes from failing."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from school_safety.config import get_settings
from school_safety.db.engine import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    get_engine,
    is_sqlite,
    write_transaction,
)
from school_safety.schools.tables import Region


def test_sqlite_file_is_in_wal_mode_with_a_busy_timeout():
    if not is_sqlite():
        pytest.skip("SQLite only")
    with sqlite3.connect(get_settings().sqlite_path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()
    assert get_engine().connection_kwargs["timeout"] == SQLITE_BUSY_TIMEOUT_SECONDS  # type: ignore[attr-defined]


async def test_concurrent_read_then_write_transactions_all_succeed():
    """The pattern that fails with "database is locked" under DEFERRED transactions."""

    async def read_then_write(n: int) -> None:
        async with write_transaction():
            count = await Region.count()
            await Region(code=f"R{n:03d}", name_kk=str(count), name_ru="", name_en="").save()

    await asyncio.gather(*(read_then_write(n) for n in range(100)))
    assert await Region.count() == 100


async def test_a_failed_write_transaction_leaves_nothing():
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await Region(code="GONE", name_kk="", name_ru="", name_en="").save()
            raise RuntimeError("roll back")
    assert await Region.count() == 0


def _region(code: str):
    return Region.insert(Region(code=code, name_kk="", name_ru="", name_en=""))


async def test_grouped_writes_all_commit_and_share_transactions(monkeypatch):
    from school_safety.db import engine

    transactions = 0
    real = engine._run_together

    async def counting(batch):
        nonlocal transactions
        transactions += 1
        return await real(batch)

    monkeypatch.setattr(engine, "_run_together", counting)

    results = await asyncio.gather(*(engine.write_grouped(_region(f"G{n:03d}")) for n in range(60)))
    assert await Region.count() == 60
    # Waiting writers were carried by a shared transaction.
    assert transactions < 60
    # Each caller gets its own statements' rows: here, the new row's key.
    ids = {row["code"]: row["id"] for row in await Region.select(Region.code, Region.id)}
    assert [rows[0][0]["id"] for rows in results] == [ids[f"G{n:03d}"] for n in range(60)]


async def test_one_writers_failure_is_its_own_not_the_groups():
    from school_safety.db.engine import write_grouped

    # The first writer holds the group while the next two queue up behind it.
    first = asyncio.create_task(write_grouped(_region("FIRST")))
    await asyncio.sleep(0)
    queued = asyncio.gather(
        write_grouped(_region("GOOD"), _region("GOOD2")),
        write_grouped(_region("BAD"), Region.raw("INSERT INTO no_such_table VALUES (1)")),
        return_exceptions=True,
    )
    await first
    results = await queued
    # good and bad shared a transaction that failed; each was then tried alone,
    # and all of bad's statements were undone together.
    assert isinstance(results[0], list) and isinstance(results[1], Exception)
    codes = {row["code"] for row in await Region.select(Region.code)}
    assert codes == {"FIRST", "GOOD", "GOOD2"}


async def test_kept_readers_are_shared_see_every_commit_and_close():
    if not is_sqlite():
        pytest.skip("SQLite only: PostgreSQL has its own pool")
    from school_safety.db.engine import (
        SQLITE_READERS,
        KeptWriterSQLiteEngine,
        close_pool,
        open_pool,
    )

    engine = get_engine()
    assert isinstance(engine, KeptWriterSQLiteEngine)
    opened = 0
    real_open = engine._open

    async def counting_open():
        nonlocal opened
        opened += 1
        return await real_open()

    engine._open = counting_open  # type: ignore[method-assign]
    try:
        await open_pool()

        async def write_then_read(n: int) -> int:
            async with write_transaction():
                await Region(code=f"K{n:03d}", name_kk="", name_ru="", name_en="").save()
            return await Region.count().where(Region.code == f"K{n:03d}")

        # Every read sees the write its task committed just before.
        assert await asyncio.gather(*(write_then_read(n) for n in range(50))) == [1] * 50
        # 50 concurrent reads, a handful of connections (the writer is one more).
        assert opened <= SQLITE_READERS + 1
        # ...and they were kept readers, not Piccolo's connection per query.
        kept = engine._readers[asyncio.get_running_loop()]
        assert 1 <= len(kept.idle) <= SQLITE_READERS
        # A statement that fails does not hand a broken connection to the next read.
        with pytest.raises(sqlite3.OperationalError):
            await Region.raw("SELECT * FROM no_such_table")
        assert await Region.count() == 50
        await close_pool()
        # Closed, nothing is kept: reads go back to a connection of their own.
        assert asyncio.get_running_loop() not in engine._readers
        assert await Region.count() == 50
        assert asyncio.get_running_loop() not in engine._readers
    finally:
        engine._open = real_open  # type: ignore[method-assign]
        await close_pool()


def test_a_piccolo_query_in_a_grouped_write_is_compiled_as_piccolo_compiles_it():
    from piccolo.querystring import QueryString

    from school_safety.db.engine import _compiled

    engine_type = "sqlite" if is_sqlite() else "postgres"

    def piccolo(query):
        (querystring,) = query.querystrings
        return querystring.compile_string(engine_type=engine_type)

    queries = [
        Region.update({Region.name_kk: "a", Region.name_ru: "b"}).where(Region.code == "X"),
        Region.update({Region.name_kk: "c", Region.name_ru: "d"}).where(Region.code == "Y"),
        Region.raw("UPDATE region SET name_en = {} WHERE code = {}", "e", "Z"),
        Region.raw("UPDATE region SET name_en = {} WHERE code = ({})", "f", QueryString("{}", "W")),
    ]
    for query in [*queries, *queries]:
        text, values = _compiled(query, engine_type)
        assert (text, list(values)) == (piccolo(query)[0], list(piccolo(query)[1]))
