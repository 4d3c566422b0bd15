#!/usr/bin/env python3
"""Set up and run school_safety with nothing but Python 3.11+.

    python3 dev.py demo                 # virtualenv, demo data, app on http://127.0.0.1:8000
    python3 dev.py test [--postgres URL]  # virtualenv, lint, types, the test suite per engine

The virtualenv lives in .venv and is refreshed only when pyproject.toml changes.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    result = subprocess.run([str(part) for part in command], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(result.returncode)


def ensure_virtualenv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before anything checks the version
        raise SystemExit("school_safety needs Python 3.11 or newer")
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f".{extras}")
    STAMP.write_text(wanted)


def demo(args: argparse.Namespace) -> None:
    ensure_virtualenv("")
    run(BIN / "school-safety", "demo")
    run(BIN / "school-safety", "serve", "--host", args.host, "--port", str(args.port))


def test(args: argparse.Namespace) -> None:
    ensure_virtualenv("[dev]")
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy", "school_safety")
    pytest = [PYTHON, "-m", "pytest", "-W", "error", *args.pytest_args]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PICCOLO_CONF"}}
    env.pop("SCHOOL_SAFETY_TEST_DATABASE_URL", None)
    print("== tests on SQLite ==", flush=True)
    run(*pytest, env=env)
    postgres = args.postgres or os.environ.get("SCHOOL_SAFETY_TEST_DATABASE_URL", "")
    if postgres:
        print("== tests on PostgreSQL ==", flush=True)
        run(*pytest, env={**env, "SCHOOL_SAFETY_TEST_DATABASE_URL": postgres})
    else:
        print("PostgreSQL half skipped: pass --postgres postgresql://user@host:port/some_test_db")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_demo = commands.add_parser("demo", help="set up, load demo data and run the app on SQLite")
    run_demo.add_argument("--host", default="127.0.0.1")
    run_demo.add_argument("--port", type=int, default=8000)
    run_demo.set_defaults(handler=demo)
    run_tests = commands.add_parser("test", help="set up and run lint, types and every test")
    run_tests.add_argument("--postgres", default="", help="a PostgreSQL URL for the second half")
    run_tests.add_argument("pytest_args", nargs="*", help="passed on to pytest (after --)")
    run_tests.set_defaults(handler=test)
    args = parser.parse_args()
    args.handler(args)


if __name__ == "__main__":
    main()
