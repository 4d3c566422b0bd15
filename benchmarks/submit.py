"""Load test for report submission: how many reports per second, how fast, how reliably.

Runs the real server (`school-safety serve`) as a subprocess on a fresh database,
once with SQLite (one worker) and, when a server is available, with PostgreSQL
(two workers). A second process drives it with a lean asyncio HTTP/1.1 client: first
`GET /healthz` as a baseline for what the server and this machine can do at all,
then `POST /api/v1/reports`. Afterwards the reports are counted in the database,
so a 201 that did not store a report shows up as an error.

Usage:
    python benchmarks/submit.py [--duration S] [--concurrency N] [--postgres URL]

Progress goes to stderr; exactly one JSON line goes to stdout. The exit code is
0 whether or not the targets are met (this reports, it does not gate); it is
non-zero only when the benchmark itself could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import itertools
import json
import multiprocessing
import os
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_URL_ENV = "SCHOOL_SAFETY_BENCH_DATABASE_URL"
SCHOOL = "AST-001"  # created by `school-safety demo`

TARGETS: dict[str, float] = {"ratio_min": 0.3, "p99_ms_max": 100, "errors": 0}

HEALTH_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
REQUEST_TIMEOUT_S = 30.0
# Headroom for the load process beyond its nominal run time before we give up on it.
LOAD_GRACE_S = REQUEST_TIMEOUT_S + 30.0
ERROR_SAMPLES = 5

# Realistic reports of different lengths in the three languages the app serves;
# a counter is appended so that no two submissions are identical.
REPORTS: tuple[tuple[str, str], ...] = (
    (
        "ru",
        "Одноклассники каждый день отбирают у меня деньги на обед и говорят, "
        "что побьют, если я расскажу учителю.",
    ),
    (
        "ru",
        "В чате класса выложили мою фотографию с обидными подписями, "
        "уже неделю все смеются надо мной.",
    ),
    ("ru", "После уроков у гаражей старшеклассники толкают младших и снимают это на телефон."),
    (
        "kk",
        "Сыныптастарым мені күнде мазақтайды, телефонымды тартып алып, суреттерімді топқа жіберді.",
    ),
    ("kk", "Асханада жоғары сынып оқушылары кішілердің ақшасын тартып алады."),
    (
        "en",
        "A group of older boys keeps pushing my friend in the corridor "
        "and they threatened him in a group chat.",
    ),
    ("en", "Someone made a fake account with my name and posts mean things about other pupils."),
)


# ---------------------------------------------------------------- load (child process)


@dataclass
class PhaseResult:
    """What one load phase measured; plain data so it crosses the process boundary."""

    ok: int = 0  # every expected answer, warm-up included (each 201 is a stored report)
    measured_ok: int = 0  # expected answers completed inside the measured window
    errors: int = 0  # unexpected status or exception, warm-up included
    latencies_ms: list[float] = field(default_factory=list)  # measured window only
    error_samples: list[str] = field(default_factory=list)
    measured_s: float = 0.0


def _report_bodies() -> Iterator[bytes]:
    for number, (language, text) in enumerate(itertools.cycle(REPORTS), start=1):
        body = {"school": SCHOOL, "text": f"{text} (#{number})", "language": language}
        yield json.dumps(body, ensure_ascii=False).encode()


def _request(method: str, path: str, host: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
    if method == "POST":
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode("ascii") + body


class ResponseError(Exception):
    pass


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection that sends a request and waits for its answer.

    Deliberately small: a general HTTP client (httpx) costs more CPU per request
    than the server's trivial endpoint does, and on a machine with few cores
    the client's own work would then be what the benchmark measures. The server
    under test always answers with Content-Length, so nothing else is parsed.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self._transport: asyncio.Transport | None = None
        self._lost: Exception | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = exc or ConnectionError("connection closed by the server")
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(self._lost)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._answer_if_complete()

    def _answer_if_complete(self) -> None:
        if self._waiter is None or self._waiter.done():
            return
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self._buffer[:end]).decode("latin-1")
        lines = head.split("\r\n")
        try:
            status = int(lines[0].split(" ", 2)[1])
            length = next(
                int(line.split(":", 1)[1])
                for line in lines[1:]
                if line[:15].lower() == "content-length:"
            )
        except (IndexError, ValueError, StopIteration):
            self._waiter.set_exception(ResponseError(f"unreadable answer: {head[:200]!r}"))
            return
        if len(self._buffer) < end + 4 + length:
            return
        body = bytes(self._buffer[end + 4 : end + 4 + length])
        del self._buffer[: end + 4 + length]
        self._waiter.set_result((status, body))

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        if self._lost is not None or self._transport is None:
            raise self._lost or ConnectionError("not connected")
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(request)
        return await self._waiter

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


async def _drive(
    base_url: str, kind: str, concurrency: int, warmup_s: float, duration_s: float
) -> PhaseResult:
    result = PhaseResult()
    bodies = _report_bodies()
    expected = 200 if kind == "healthz" else 201
    address = urlsplit(base_url)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    host_header = f"{host}:{port}"
    healthz = _request("GET", "/healthz", host_header)
    loop = asyncio.get_running_loop()

    def note_error(message: str) -> None:
        result.errors += 1
        if len(result.error_samples) < ERROR_SAMPLES and message not in result.error_samples:
            result.error_samples.append(message)

    async def connect() -> _Connection | None:
        try:
            _transport, connection = await loop.create_connection(_Connection, host, port)
        except OSError as exc:
            note_error(f"connect: {type(exc).__name__}: {exc}")
            await asyncio.sleep(0.05)  # the loop's end bounds the retries
            return None
        return connection

    async def user(window: tuple[float, float]) -> None:
        # A closed loop: each simulated user waits for its answer before the next request.
        connection: _Connection | None = None
        try:
            while time.perf_counter() < window[1]:
                if connection is None:
                    connection = await connect()
                    continue
                request = (
                    healthz
                    if kind == "healthz"
                    else _request("POST", "/api/v1/reports", host_header, next(bodies))
                )
                began = time.perf_counter()
                try:
                    status, body = await asyncio.wait_for(
                        connection.exchange(request), REQUEST_TIMEOUT_S
                    )
                except (OSError, ResponseError, TimeoutError) as exc:
                    note_error(f"{type(exc).__name__}: {exc}")
                    connection.close()
                    connection = None
                    continue
                finished = time.perf_counter()
                if status != expected:
                    note_error(f"HTTP {status}: {body[:200].decode(errors='replace')}")
                    continue
                result.ok += 1
                # Throughput is completions inside the window (the usual steady-state
                # measure); warm-up and the drain after the window are left out.
                if window[0] <= finished <= window[1]:
                    result.measured_ok += 1
                    result.latencies_ms.append((finished - began) * 1000)
        finally:
            if connection is not None:
                connection.close()

    # The clock starts at once; connecting falls inside the warm-up.
    window_start = time.perf_counter() + warmup_s
    window = (window_start, window_start + duration_s)
    await asyncio.gather(*(user(window) for _ in range(concurrency)))
    result.measured_s = duration_s
    return result


def run_phase(
    base_url: str, kind: str, concurrency: int, warmup_s: float, duration_s: float
) -> PhaseResult:
    """Entry point of the load process (module level, so a spawned process can find it)."""
    return asyncio.run(_drive(base_url, kind, concurrency, warmup_s, duration_s))


# ---------------------------------------------------------------- the server under test


def _console_script() -> list[str]:
    # The venv's script sits next to its interpreter; fall back to the module.
    script = Path(sys.executable).with_name("school-safety")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "school_safety.cli"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SCHOOL_SAFETY_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        # Every request comes from 127.0.0.1: the per-client limit would stop us at 20.
        SCHOOL_SAFETY_SUBMIT_LIMIT_PER_HOUR="0",
    )
    return env


def _read_log(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(_read_log(path).splitlines()[-lines:]) or "(no server output)"


def _load_demo(env: dict[str, str], log_path: Path) -> None:
    with log_path.open("ab") as log:
        completed = subprocess.run(
            [*_console_script(), "demo"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=300,
            check=False,
        )
    if completed.returncode != 0:
        raise RuntimeError(f"`school-safety demo` failed:\n{_tail(log_path)}")


def _wait_healthy(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The server exited ({process.returncode}):\n{_tail(log_path)}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:  # noqa: S310 - our own http URL
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise RuntimeError(f"No healthy answer within {HEALTH_TIMEOUT_S:.0f} s:\n{_tail(log_path)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    # SIGTERM lets uvicorn's supervisor shut its workers down cleanly.
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        # The server runs in a session of its own: this reaches its workers too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)


@contextlib.contextmanager
def running_server(data_dir: Path, database_url: str, workers: int) -> Iterator[tuple[str, Path]]:
    """Load the demo data, start the server and yield its base URL and log; always stop it."""
    env = _server_env(data_dir, database_url)
    log_path = data_dir / "server.log"
    _load_demo(env, log_path)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [*_console_script(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(process, base_url, log_path)
        yield base_url, log_path
    finally:
        _stop(process)


def _logged_problems(log_path: Path) -> dict[str, int]:
    """Counts of trouble the server logged, so that anomalies don't go unnoticed."""
    text = _read_log(log_path).lower()
    return {
        "tracebacks": text.count("traceback (most recent call last)"),
        "database_is_locked": text.count("database is locked"),
    }


# ---------------------------------------------------------------- databases


def _count_sqlite(database_url: str) -> int:
    path = database_url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as connection:
        return int(connection.execute("SELECT count(*) FROM report").fetchone()[0])


async def _count_postgres(database_url: str) -> int:
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        return int(await connection.fetchval("SELECT count(*) FROM report"))
    finally:
        await connection.close()


def count_reports(database_url: str) -> int:
    if database_url.startswith("sqlite:"):
        return _count_sqlite(database_url)
    return asyncio.run(_count_postgres(database_url))


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def scratch_postgres(admin_url: str) -> Iterator[str]:
    """A fresh database on the local server, dropped afterwards."""
    name = f"school_safety_bench_{secrets.token_hex(6)}"
    # The name is ours (hex only), so formatting it into the statement is safe.
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(admin_url, name)
    finally:
        # FORCE: a connection left over from a killed worker must not keep it alive.
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _postgres_reachable(url: str) -> str | None:
    """None if we can connect, else why not."""
    try:
        asyncio.run(_admin(url, "SELECT 1"))
    except Exception as exc:  # any failure only means: skip PostgreSQL
        return f"{url} not reachable ({type(exc).__name__}: {exc})"
    return None


# ---------------------------------------------------------------- one engine


@dataclass(frozen=True)
class LoadPlan:
    concurrency: int
    duration_s: float
    warmup_s: float


def _percentile(values: list[float], percent: int) -> float | None:
    if len(values) < 2:
        return round(values[0], 2) if values else None
    return round(statistics.quantiles(values, n=100, method="inclusive")[percent - 1], 2)


def _load(
    pool: concurrent.futures.Executor, base_url: str, kind: str, plan: LoadPlan
) -> PhaseResult:
    print(f"  {kind}: {plan.duration_s:g} s at concurrency {plan.concurrency}", file=sys.stderr)
    future = pool.submit(
        run_phase, base_url, kind, plan.concurrency, plan.warmup_s, plan.duration_s
    )
    return future.result(timeout=plan.warmup_s + plan.duration_s + LOAD_GRACE_S)


def bench_engine(
    pool: concurrent.futures.Executor,
    data_dir: Path,
    database_url: str,
    workers: int,
    plan: LoadPlan,
) -> dict[str, Any]:
    with running_server(data_dir, database_url, workers) as (base_url, log_path):
        before = count_reports(database_url)
        baseline = _load(pool, base_url, "healthz", plan)
        submit = _load(pool, base_url, "submit", plan)
    # Counted with the server stopped, so that nothing is still being written.
    stored = count_reports(database_url) - before
    mismatch = abs(stored - submit.ok)
    baseline_rate = baseline.measured_ok / baseline.measured_s
    submit_rate = submit.measured_ok / submit.measured_s
    result: dict[str, Any] = {
        "workers": workers,
        "submissions_per_s": round(submit_rate, 1),
        "p50_ms": _percentile(submit.latencies_ms, 50),
        "p99_ms": _percentile(submit.latencies_ms, 99),
        "errors": submit.errors + mismatch,
        "baseline_requests_per_s": round(baseline_rate, 1),
        "baseline_p99_ms": _percentile(baseline.latencies_ms, 99),
        "baseline_errors": baseline.errors,
        "ratio_to_baseline": round(submit_rate / baseline_rate, 3) if baseline_rate else None,
        "stored": stored,
        "submitted_ok": submit.ok,
        "server_log": _logged_problems(log_path),
    }
    samples = baseline.error_samples + submit.error_samples
    if mismatch:
        samples.append(f"stored {stored} reports but {submit.ok} submissions got 201")
    if samples:
        result["error_samples"] = samples[:ERROR_SAMPLES]
    return result


def meets_targets(result: dict[str, Any]) -> bool:
    return (
        result["errors"] + result["baseline_errors"] <= TARGETS["errors"]
        and result["ratio_to_baseline"] is not None
        and result["ratio_to_baseline"] >= TARGETS["ratio_min"]
        and result["p99_ms"] is not None
        and result["p99_ms"] <= TARGETS["p99_ms_max"]
    )


# ---------------------------------------------------------------- main


def _run_sqlite(pool: concurrent.futures.Executor, plan: LoadPlan) -> dict[str, Any]:
    print("SQLite, 1 worker", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="school_safety_bench_") as tmp:
        data_dir = Path(tmp)
        url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
        return bench_engine(pool, data_dir, url, 1, plan)


def _run_postgres(
    pool: concurrent.futures.Executor, plan: LoadPlan, given_url: str | None
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="school_safety_bench_") as tmp:
        data_dir = Path(tmp)
        if given_url:
            # A database the caller chose: use it as it is, counting only our reports.
            print("PostgreSQL (given URL), 2 workers", file=sys.stderr)
            return bench_engine(pool, data_dir, given_url, 2, plan)
        unreachable = _postgres_reachable(LOCAL_POSTGRES_URL)
        if unreachable:
            print(f"PostgreSQL skipped: {unreachable}", file=sys.stderr)
            return {"skipped": unreachable}
        print("PostgreSQL (scratch database on the local server), 2 workers", file=sys.stderr)
        with scratch_postgres(LOCAL_POSTGRES_URL) as url:
            return bench_engine(pool, data_dir, url, 2, plan)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--concurrency", type=int, default=100, help="requests in flight")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(POSTGRES_URL_ENV) or None,
        help=f"PostgreSQL URL to use as is (or ${POSTGRES_URL_ENV}); "
        f"otherwise a scratch database on {LOCAL_POSTGRES_URL} if it answers",
    )
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.warmup < 0 or args.concurrency < 1:
        parser.error("--duration must be > 0, --warmup >= 0 and --concurrency >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = LoadPlan(args.concurrency, args.duration, args.warmup)
    report: dict[str, Any] = {
        "benchmark": "submit",
        "concurrency": plan.concurrency,
        # 10 rather than 10.0 in the usual case, as the command line was written.
        "duration_s": int(args.duration) if args.duration.is_integer() else args.duration,
    }
    # A spawned process shares nothing with this one, so the client's CPU work
    # does not run on the event loop or GIL of the code that manages the server.
    context = multiprocessing.get_context("spawn")
    try:
        with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            report["sqlite"] = _run_sqlite(pool, plan)
            report["postgresql"] = _run_postgres(pool, plan, args.postgres)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # the benchmark could not run: say why, exit non-zero
        print(f"Benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    report["targets"] = TARGETS
    report["meets_targets"] = {
        engine: None if "skipped" in report[engine] else meets_targets(report[engine])
        for engine in ("sqlite", "postgresql")
    }
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
