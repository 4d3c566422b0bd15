"""Test set-up: one database per run, chosen before the package is imported.

The suite runs once per engine: SQLite by default, PostgreSQL when
SCHOOL_SAFETY_TEST_DATABASE_URL names a database (its name must contain
"test": the suite empties it).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

_DATA_DIR = Path(tempfile.mkdtemp(prefix="school_safety_test_"))
_POSTGRES_URL = os.environ.get("SCHOOL_SAFETY_TEST_DATABASE_URL", "").strip()
os.environ["SCHOOL_SAFETY_DATA_DIR"] = str(_DATA_DIR)
os.environ["DATABASE_URL"] = _POSTGRES_URL or f"sqlite:///{_DATA_DIR / 'test.sqlite3'}"
# The app and the tests touch the database from different event loops: no pool.
os.environ["SCHOOL_SAFETY_DB_POOL"] = "0"
# Jobs run when a test calls them, not on a timer.
os.environ["SCHOOL_SAFETY_JOBS"] = "0"
os.environ["SCHOOL_SAFETY_SECRET_KEY"] = "test-secret-key-0123456789abcdef0123456789"
os.environ.pop("PICCOLO_CONF", None)

from litestar.testing import AsyncTestClient  # noqa: E402

import school_safety.db  # noqa: E402, F401
from school_safety.db.engine import close_pool, is_sqlite  # noqa: E402
from tests import support  # noqa: E402


def pytest_report_header() -> str:
    return f"database: {'sqlite' if not _POSTGRES_URL else 'postgresql'}"


def _install_classifier_model() -> None:
    """Build the classifier once and keep it between runs, keyed by everything it is built from."""
    import hashlib
    import shutil

    from school_safety.classifier import store
    from school_safety.classifier.corpus import corpus_files, files_hash

    package = Path(store.__file__).parent
    sources = [
        *corpus_files(),
        *sorted(package.glob("*.py")),
        *sorted(package.glob("crisis_phrases/*")),
    ]
    key = hashlib.sha256(files_hash(sources).encode()).hexdigest()[:16]
    cache = Path(__file__).resolve().parents[1] / ".pytest_cache" / "classifier-model" / key
    if not (cache / "model.json").exists():
        store.build(progress=lambda _message: None)
        shutil.copytree(store.model_dir(), cache, dirs_exist_ok=True)
    shutil.copytree(cache, store.model_dir(), dirs_exist_ok=True)


def pytest_sessionstart(session: pytest.Session) -> None:
    if _POSTGRES_URL:
        database = _POSTGRES_URL.rsplit("/", 1)[-1].split("?")[0]
        if "test" not in database:
            raise pytest.UsageError(
                f"Refusing to empty database {database!r}: its name must contain 'test'"
            )
    asyncio.run(support.reset_schema())
    _install_classifier_model()


@pytest.fixture(autouse=True)
async def clean_database() -> AsyncIterator[None]:
    await support.empty_tables()
    from school_safety.reports import limits
    from school_safety.schools.service import forget_schools

    limits.reset_all()
    forget_schools()
    yield
    await close_pool()


@pytest.fixture
def engine_name() -> str:
    return "sqlite" if is_sqlite() else "postgresql"


@pytest.fixture
async def schools() -> dict[str, support.SeededSchool]:
    return await support.seed_schools()


@pytest.fixture
async def client() -> AsyncIterator[AsyncTestClient]:
    from school_safety.app import create_app

    async with AsyncTestClient(app=create_app(), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def data_dir() -> Iterator[Path]:
    yield _DATA_DIR
