"""The database engine, chosen by DATABASE_URL, and the one way to write.

SQLite: WAL is switched on once (it persists in the file), every connection
waits on a busy timeout, and all write transactions in a process take one
asyncio lock and start IMMEDIATE, so that concurrent submissions queue instead
of failing with "database is locked". SQLite therefore runs one worker process.

PostgreSQL: a connection pool opened in the app's lifespan; any number of
worker processes.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from school_safety.config import get_settings

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0

_write_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def build_engine() -> Engine[Any]:
    settings = get_settings()
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        _enable_wal(str(path))
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    return PostgresEngine(config={"dsn": settings.database_url})


def _enable_wal(path: str) -> None:
    with sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
    connection.close()


def get_engine() -> Engine[Any]:
    engine = engine_finder()
    if engine is None:  # pragma: no cover - PICCOLO_CONF always names our module
        raise RuntimeError("No database engine configured")
    return engine


def is_sqlite() -> bool:
    return isinstance(get_engine(), SQLiteEngine)


def _write_lock() -> asyncio.Lock:
    # One lock per event loop: an asyncio.Lock cannot be shared between loops,
    # and tests run the app on a loop of its own beside theirs.
    loop = asyncio.get_running_loop()
    lock = _write_locks.get(loop)
    if lock is None:
        lock = _write_locks[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """Every write to the database goes through here."""
    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        async with _write_lock(), engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            yield


async def open_pool(max_size: int = 20) -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(max_size=max_size)


async def close_pool() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


def is_unique_violation(error: BaseException) -> bool:
    """A UNIQUE constraint refused the write, on either engine."""
    if isinstance(error, sqlite3.IntegrityError):
        return "UNIQUE constraint failed" in str(error)
    return isinstance(error, asyncpg.exceptions.UniqueViolationError)
