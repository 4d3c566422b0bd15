"""Settings read from environment variables (documented in the README).

Read once per process: `get_settings()` caches, `reset_settings()` is for tests.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: bytes
    # How long after closing a case its text, evidence and messages are kept.
    retention_days: int
    # Promised to the pupil on the receipt page; staff deadlines derive from it.
    first_response_hours: int
    report_text_max_chars: int
    evidence_max_files: int
    evidence_max_bytes: int
    # Pictures stored in any 24 hours, all reports together (0: no budget). Pupils
    # are anonymous, so nothing else stops a flood of uploads from filling the disk.
    evidence_bytes_per_day: int
    # The same for one school's reports: a flood at one school leaves the others room.
    evidence_bytes_per_school_per_day: int
    request_max_bytes: int
    # Per anonymous client, per window; the key is a hash held only in memory.
    submit_limit_per_hour: int
    receipt_failures_per_window: int
    receipt_failure_window_seconds: int
    # Replies and added pictures per client per hour, past the receipt check.
    follow_up_limit_per_hour: int
    # The PostgreSQL pool is opened in the app's lifespan; tests that share
    # the engine with the app's event loop switch it off.
    db_pool: bool
    # A staff session ends this long after sign-in however busy it is: a queue
    # tab that refreshes itself would otherwise keep it alive for ever.
    staff_session_hours: int
    # Served over HTTPS (behind the reverse proxy): cookies are marked Secure.
    https: bool
    # Scheduled jobs in this process (the tests run jobs by calling them).
    jobs_enabled: bool

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))


def _load_secret_key(data_dir: Path) -> bytes:
    """The key for receipt hashes, CSRF cookies and sessions.

    Generated once and kept in the data folder, so that receipts stay valid
    across restarts; losing it makes every receipt unreadable.
    """
    raw = os.environ.get("SCHOOL_SAFETY_SECRET_KEY")
    if raw:
        if len(raw) < 32:
            raise SystemExit("SCHOOL_SAFETY_SECRET_KEY must be at least 32 characters")
        return raw.encode()
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together must not write two keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    key = path.read_text().strip()
    if len(key) < 32:
        raise SystemExit(f"The secret key in {path} is too short or empty")
    return key.encode()


def _database_url(data_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{(data_dir / 'school_safety.sqlite3').resolve()}"
    if url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        return url
    raise SystemExit(
        "DATABASE_URL must look like sqlite:///path/to/file.sqlite3 "
        "or postgresql://user@host:port/database"
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = Path(os.environ.get("SCHOOL_SAFETY_DATA_DIR", "./var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    evidence_max_files = _int("SCHOOL_SAFETY_EVIDENCE_MAX_FILES", 5)
    evidence_max_bytes = _int("SCHOOL_SAFETY_EVIDENCE_MAX_BYTES", 8 * 1024 * 1024)
    return Settings(
        data_dir=data_dir,
        database_url=_database_url(data_dir),
        secret_key=_load_secret_key(data_dir),
        retention_days=_int("SCHOOL_SAFETY_RETENTION_DAYS", 365),
        first_response_hours=_int("SCHOOL_SAFETY_FIRST_RESPONSE_HOURS", 24),
        report_text_max_chars=_int("SCHOOL_SAFETY_REPORT_MAX_CHARS", 5000),
        evidence_max_files=evidence_max_files,
        evidence_max_bytes=evidence_max_bytes,
        evidence_bytes_per_day=_int("SCHOOL_SAFETY_EVIDENCE_BYTES_PER_DAY", 2 * 1024**3),
        evidence_bytes_per_school_per_day=_int(
            "SCHOOL_SAFETY_EVIDENCE_BYTES_PER_SCHOOL_PER_DAY", 256 * 1024**2
        ),
        # Room for every allowed file plus the text fields and multipart framing.
        request_max_bytes=evidence_max_files * evidence_max_bytes + 256 * 1024,
        submit_limit_per_hour=_int("SCHOOL_SAFETY_SUBMIT_LIMIT_PER_HOUR", 60),
        receipt_failures_per_window=_int("SCHOOL_SAFETY_RECEIPT_FAILURES", 10),
        receipt_failure_window_seconds=_int("SCHOOL_SAFETY_RECEIPT_WINDOW_SECONDS", 900),
        follow_up_limit_per_hour=_int("SCHOOL_SAFETY_FOLLOW_UP_LIMIT_PER_HOUR", 60),
        staff_session_hours=_int("SCHOOL_SAFETY_STAFF_SESSION_HOURS", 12),
        db_pool=os.environ.get("SCHOOL_SAFETY_DB_POOL", "1") != "0",
        jobs_enabled=os.environ.get("SCHOOL_SAFETY_JOBS", "1") != "0",
        https=os.environ.get("SCHOOL_SAFETY_HTTPS", "0") == "1",
    )


def reset_settings() -> None:
    get_settings.cache_clear()
