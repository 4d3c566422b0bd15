"""The database engine, chosen by DATABASE_URL, and the one way to write.

SQLite: WAL is switched on once (it persists in the file), every connection
waits on a busy timeout, and all write transactions in a process take one
asyncio lock and start IMMEDIATE, so that concurrent submissions queue instead
of failing with "database is locked". SQLite therefore runs one worker process.
Since writes are one at a time anyway, they share one long-lived connection
per event loop: opening a connection (and its thread) costs twice the write.
While the app runs (between open_pool and close_pool), reads outside a
transaction borrow one of a few kept reader connections instead of Piccolo's
connection per query; elsewhere (commands, tests) no reader outlives its event
loop. Every statement is one trip to its connection's thread instead of three
or four: under load those trips, not SQLite, are what a request waits for.

PostgreSQL: a connection pool opened in the app's lifespan; any number of
worker processes.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import aiosqlite
import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory
from piccolo.query.base import Query

from school_safety.config import get_settings
from school_safety.db.statements import Statement

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0

_write_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)
# Set inside write_transaction: only a holder of the write lock may use the kept connection.
_writing: ContextVar[bool] = ContextVar("writing", default=False)


class _KeptConnection:
    """The writer connection as Piccolo's transaction sees it: its close() keeps it open."""

    def __init__(self, connection: aiosqlite.Connection, engine: KeptWriterSQLiteEngine):
        self._connection = connection
        self._engine = engine

    @property
    def row_factory(self) -> Any:
        return self._connection.row_factory

    @row_factory.setter
    def row_factory(self, factory: Any) -> None:
        self._connection.row_factory = factory

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    async def close(self) -> None:
        # Still inside a transaction means COMMIT or ROLLBACK failed: start afresh.
        if self._connection.in_transaction:
            await self._engine.close_writer()


# Reader connections kept per event loop; WAL lets them read while one writes.
SQLITE_READERS = 4


class _Readers:
    """The kept reader connections of one event loop."""

    def __init__(self) -> None:
        self.idle: list[aiosqlite.Connection] = []
        self.slots = asyncio.Semaphore(SQLITE_READERS)


class KeptWriterSQLiteEngine(SQLiteEngine):
    """SQLite that keeps its connections.

    Per event loop, one writer for write transactions and a few readers; per
    process, one thread with a connection of its own for grouped writes
    (write_grouped). Every writer waits for the same write lock.
    """

    def __init__(self, path: str, **connection_kwargs: Any):
        super().__init__(path=path, **connection_kwargs)
        self._writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._readers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Readers] = (
            weakref.WeakKeyDictionary()
        )
        # Grouped writes (write_grouped): one thread and its connection for the process.
        self._batch_thread: ThreadPoolExecutor | None = None
        self._batch_connection: sqlite3.Connection | None = None

    async def _open(self) -> aiosqlite.Connection:
        connection = aiosqlite.connect(**self.connection_kwargs)
        # A writer left open by a crashed task must not keep the process alive.
        thread = getattr(connection, "_thread", None)
        if thread is not None:
            thread.daemon = True
        opened = await connection
        opened.row_factory = dict_factory  # type: ignore[assignment]
        await opened.execute("PRAGMA foreign_keys = 1")
        return opened

    async def get_connection(self) -> Any:
        if not _writing.get():
            return await super().get_connection()
        loop = asyncio.get_running_loop()
        writer = self._writers.get(loop)
        if writer is None:
            writer = self._writers[loop] = await self._open()
        return _KeptConnection(writer, self)

    async def close_writer(self) -> None:
        """Close this event loop's writer connection (at shutdown, and after a failure)."""
        writer = self._writers.pop(asyncio.get_running_loop(), None)
        if writer is not None:
            await writer.close()

    def keep_readers(self) -> None:
        """From now on this event loop's reads share kept connections (until close_connections)."""
        loop = asyncio.get_running_loop()
        if loop not in self._readers:
            self._readers[loop] = _Readers()

    async def run_in_writer_thread(self, runs: list[_Run]) -> list[tuple[tuple[int, int], Rows]]:
        """Run the statements as one IMMEDIATE transaction, in one trip to a thread.

        Returns the rows of the statements that return rows, by their slot.
        Callers hold the write lock. The thread keeps a plain sqlite3 connection
        of its own, set up as Piccolo sets up its connections.
        """
        if self._batch_thread is None:
            self._batch_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._batch_thread, self._run_batch, runs)

    def _run_batch(self, runs: list[_Run]) -> list[tuple[tuple[int, int], Rows]]:
        connection = self._batch_connection
        if connection is None:
            connection = sqlite3.connect(**self.connection_kwargs)
            connection.row_factory = dict_factory
            connection.execute("PRAGMA foreign_keys = 1")
            self._batch_connection = connection
        connection.execute("BEGIN IMMEDIATE")
        rows = []
        try:
            for run in runs:
                if run.many:
                    connection.executemany(run.text, run.values)
                else:
                    rows.append((run.slot, connection.execute(run.text, run.values[0]).fetchall()))
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        return rows

    def _close_batch_connection(self) -> None:
        if self._batch_connection is not None:
            self._batch_connection.close()
            self._batch_connection = None

    async def close_connections(self) -> None:
        """Close everything this event loop keeps open (at shutdown)."""
        if self._batch_thread is not None:
            # In its own thread, where it was opened; the thread stays for the next use.
            await asyncio.get_running_loop().run_in_executor(
                self._batch_thread, self._close_batch_connection
            )
        await self.close_writer()
        readers = self._readers.pop(asyncio.get_running_loop(), None)
        while readers is not None and readers.idle:
            await readers.idle.pop().close()

    def _needs_inserted_pk(self, query_type: str) -> bool:
        # Before 3.35 SQLite has no RETURNING: Piccolo's own path reads the new
        # row's key from the cursor, which the one-trip paths below do not.
        return query_type == "insert" and self.get_version_sync() < 3.35

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # Piccolo opens (and its thread with it) a connection per query outside
        # a transaction; a kept reader does the same work in one trip.
        readers = self._readers.get(asyncio.get_running_loop())
        if readers is None or self._needs_inserted_pk(query_type):
            return await super()._run_in_new_connection(query, args, query_type, table)
        async with readers.slots:
            connection = readers.idle.pop() if readers.idle else await self._open()
            try:
                rows = await connection.execute_fetchall(query, args or [])
                # Piccolo commits here too: a stray write outside write_transaction
                # behaves as it would on a connection of its own.
                if connection.in_transaction:
                    await connection.commit()
            except BaseException:
                # Whatever state it was left in, it is not handed to the next query.
                await connection.close()
                raise
            readers.idle.append(connection)
        return list(rows)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # Piccolo repeats `PRAGMA foreign_keys` before every statement of a
        # transaction, where SQLite ignores it anyway; our connections set it
        # once when opened. One trip for the statement and its rows.
        if self._needs_inserted_pk(query_type):
            return await super()._run_in_existing_connection(
                connection, query, args, query_type, table
            )
        return list(await connection.execute_fetchall(query, args or []))


def build_engine() -> Engine[Any]:
    settings = get_settings()
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        _enable_wal(str(path))
        return KeptWriterSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
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
        async with _write_lock():
            token = _writing.set(True)
            try:
                async with engine.transaction(transaction_type=TransactionType.immediate):
                    yield
            finally:
                _writing.reset(token)
    else:
        async with engine.transaction():
            yield


async def open_pool(max_size: int = 20) -> None:
    """Keep connections for this event loop: a pool on PostgreSQL, readers on SQLite."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(max_size=max_size)
    elif isinstance(engine, KeptWriterSQLiteEngine):
        engine.keep_readers()


async def close_pool() -> None:
    """Close what this process keeps open: the pool, or SQLite's writer connection."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        if engine.pool is not None:
            await engine.close_connection_pool()
    elif isinstance(engine, KeptWriterSQLiteEngine):
        await engine.close_connections()


def is_unique_violation(error: BaseException) -> bool:
    """A UNIQUE constraint refused the write, on either engine."""
    if isinstance(error, sqlite3.IntegrityError):
        return "UNIQUE constraint failed" in str(error)
    return isinstance(error, asyncpg.exceptions.UniqueViolationError)


def contains_text(column: Any, needle: str) -> Any:
    """A case-insensitive "contains" where the engine has one (SQLite's LIKE folds ASCII only)."""
    pattern = f"%{needle}%"
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)


# Rows a statement returned (RETURNING); empty for one that returns none.
Rows = list[dict[str, Any]]
# A prepared statement (the hot path) or any single-statement Piccolo query.
Write = Statement | Query[Any, Any]
_groups: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Group] = weakref.WeakKeyDictionary()


class _Group:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.pending: list[tuple[Sequence[Write], asyncio.Future[list[Rows]]]] = []


async def write_grouped(*queries: Write) -> list[Rows]:
    """Run `queries` in a write transaction shared with whatever else is waiting to write.

    Group commit: with many requests at once, one transaction carries all their
    small writes instead of each paying for its own (on SQLite, writes are one
    at a time anyway). On SQLite the whole transaction is one trip to the
    writer's thread, not one per statement: under load it is those trips,
    each waiting for the interpreter lock, that cap how many reports a
    second can be stored. Returns each query's rows once committed. If a
    shared transaction fails, each caller's queries are tried again alone,
    so that one writer's error (a constraint, say) is raised to that writer only.
    """
    loop = asyncio.get_running_loop()
    group = _groups.get(loop)
    if group is None:
        group = _groups[loop] = _Group()
    done: asyncio.Future[list[Rows]] = loop.create_future()
    group.pending.append((queries, done))
    async with group.lock:
        if not done.done():
            batch, group.pending = group.pending, []
            try:
                results = await _run_together([queries for queries, _future in batch])
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error=error)
                else:
                    for queries_alone, future in batch:
                        await _alone(queries_alone, future)
            else:
                for (_queries, future), rows in zip(batch, results, strict=True):
                    _settle(future, rows)
    return await done


@dataclass
class _Run:
    """Statements of one transaction that go to the driver in one call."""

    text: str
    values: list[list[Any]]  # one list of values per statement
    # (caller, position) of the statement whose rows this run returns. Prepared
    # statements return no rows: a run of the same one is one executemany.
    slot: tuple[int, int]
    many: bool


def _plan(batch: list[Sequence[Write]], engine_type: str) -> list[_Run]:
    """The batch's statements in order, consecutive repeats of a prepared one merged."""
    runs: list[_Run] = []
    for caller, queries in enumerate(batch):
        for position, query in enumerate(queries):
            text, values = _compiled(query, engine_type)
            many = isinstance(query, Statement)
            last = runs[-1] if runs else None
            if many and last is not None and last.many and last.text == text:
                last.values.append(values)
            else:
                runs.append(_Run(text, [values], (caller, position), many))
    return runs


async def _run_together(batch: list[Sequence[Write]]) -> list[list[Rows]]:
    engine = get_engine()
    results: list[list[Rows]] = [[[] for _query in queries] for queries in batch]
    if isinstance(engine, KeptWriterSQLiteEngine):
        runs = _plan(batch, "sqlite")
        async with _write_lock():
            for (caller, position), rows in await engine.run_in_writer_thread(runs):
                results[caller][position] = rows
        return results
    runs = _plan(batch, "postgres")
    async with write_transaction():
        transaction = engine.current_transaction.get()
        assert transaction is not None  # write_transaction() just opened it
        connection = transaction.connection
        for run in runs:
            if run.many:
                await connection.executemany(run.text, run.values)
            else:
                (caller, position), (values,) = run.slot, run.values
                records = await connection.fetch(run.text, *values)
                results[caller][position] = [dict(record) for record in records]
    return results


def _compiled(query: Write, engine_type: str) -> tuple[str, list[Any]]:
    if isinstance(query, Statement):
        return query.compile(engine_type)  # the hot path: text reused per shape
    (querystring,) = query.querystrings  # every write here is a single statement
    text, values = querystring.compile_string(engine_type=engine_type)
    return text, list(values)


def _settle(
    future: asyncio.Future[list[Rows]],
    rows: list[Rows] | None = None,
    error: BaseException | None = None,
) -> None:
    if future.done():  # its caller may have gone (cancelled)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(rows or [])


async def _alone(queries: Sequence[Write], future: asyncio.Future[list[Rows]]) -> None:
    try:
        (rows,) = await _run_together([queries])
    except Exception as error:
        _settle(future, error=error)
    else:
        _settle(future, rows)
