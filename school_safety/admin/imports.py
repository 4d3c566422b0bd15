"""CSV imports of schools and staff accounts, for the command line and the admin pages.

All or nothing: every row is checked first and every bad row is reported with
its line number and reason. If any row is bad, nothing is changed; otherwise
all rows are written in one write transaction, inserting or updating by code
(schools) or by username (accounts).

The file is UTF-8 (Excel's "CSV UTF-8"; its byte-order mark is skipped) with a
header line. Fields are separated by commas, or by semicolons when the header
has semicolons and no comma, as Excel writes CSV in Russian and Kazakh
settings. Blank lines are skipped.

Staff rows: `password` may be empty. A new account then gets a generated
one-time password, reported once; an existing account keeps its password.
Any password set by an import must be changed at the next sign-in.
`school_codes` (separated by `;`) replaces the account's schools.
"""

from __future__ import annotations

import asyncio
import contextvars
import csv
import io
import os
import sys
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from school_safety.admin.service import (
    DISPLAY_NAME_LENGTH,
    OWN_PASSWORD,
    REGION_NOT_ALLOWED,
    REGION_REQUIRED,
    SCHOOL_ROLES,
    SCHOOLS_NOT_ALLOWED,
    TOO_LONG,
    UNKNOWN_REGION,
    Checker,
    Problem,
    SchoolInput,
    generate_password,
    read_region_code,
    read_school_code,
    read_school_fields,
    refuse_own_lockout,
    school_ids_for,
    unknown_schools,
)
from school_safety.audit import log as audit
from school_safety.db.engine import write_transaction
from school_safety.i18n import LANGUAGES, N_, gettext, set_language
from school_safety.schools.service import forget_schools
from school_safety.schools.tables import Region, School
from school_safety.staff.auth import password_problem
from school_safety.staff.passwords import hash_password, hashed
from school_safety.staff.roles import REGION, ROLES
from school_safety.staff.tables import StaffAccount, StaffSchool, StaffSession

SCHOOL_COLUMNS = (
    "code",
    "region_code",
    "name_kk",
    "name_ru",
    "name_en",
    "town_kk",
    "town_ru",
    "town_en",
)
SCHOOL_OPTIONAL_COLUMNS = ("active",)
STAFF_COLUMNS = ("username", "display_name", "role", "region_code", "school_codes", "password")
PASSWORD_MAX_LENGTH = 200
# Rows per INSERT: SQLite limits the number of values in one statement.
INSERT_BATCH = 200

NOT_UTF8 = N_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")
EMPTY_FILE = N_("The file is empty.")
NO_ROWS = N_("The file has a header but no rows.")
BAD_HEADER = N_("The first line must be the header: %(header)s")
NOT_CSV = N_("This line cannot be read as CSV (check its quotation marks).")
FIELD_COUNT = N_("This line has %(found)d fields instead of %(expected)d.")
DUPLICATE = N_("%(value)s is already on line %(line)d.")
BAD_ACTIVE = N_("Write 1 or 0 for active, or leave it empty.")
CANNOT_READ = N_("The file cannot be read.")
LINE = N_("Line %(line)d: %(problem)s")
LINE_COLUMN = N_("Line %(line)d, %(column)s: %(problem)s")
NOTHING_CHANGED = N_("Nothing was changed. Correct these lines and import the file again.")
SCHOOLS_DONE = N_("Schools: %(inserted)d added, %(updated)d updated.")
STAFF_DONE = N_("Staff accounts: %(inserted)d added, %(updated)d updated.")
NEW_PASSWORDS = N_(
    "One-time passwords of the new accounts (shown only now; each must be changed "
    "at the first sign-in):"
)

_YES = {"1", "true", "yes", "y", "да", "иә", "ия"}
_NO = {"0", "false", "no", "n", "нет", "жоқ"}


@dataclass(frozen=True)
class LineProblem:
    """A problem on a line of the file (0: the file as a whole), in a column if it has one."""

    line: int
    problem: Problem
    column: str | None = None

    def text(self) -> str:
        problem = self.problem.text()
        if self.line == 0:
            return problem
        if self.column:
            return gettext(LINE_COLUMN, line=self.line, column=self.column, problem=problem)
        return gettext(LINE, line=self.line, problem=problem)


@dataclass
class ImportResult:
    kind: str  # "schools" or "staff"
    problems: list[LineProblem] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    # (username, one-time password) of each account created with a generated password.
    passwords: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        message = SCHOOLS_DONE if self.kind == "schools" else STAFF_DONE
        return gettext(message, inserted=self.inserted, updated=self.updated)


def _problems_of(line: int, check: Checker) -> list[LineProblem]:
    return [LineProblem(line, problem, column) for column, problem in check.problems.items()]


def read_rows(
    data: bytes, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[list[tuple[int, dict[str, str]]], list[LineProblem]]:
    """The rows of a CSV file with their line numbers, or what is wrong with the file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return [], [LineProblem(line, Problem(NOT_UTF8))]
    if not text.strip():
        return [], [LineProblem(1, Problem(EMPTY_FILE))]
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    expected = ",".join(columns) + "".join(f"[,{name}]" for name in optional)
    bad_header = [LineProblem(1, Problem(BAD_HEADER, {"header": expected}))]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error:
        return [], bad_header
    extra = header[len(columns) :]
    if header[: len(columns)] != list(columns) or extra != list(optional[: len(extra)]):
        return [], bad_header
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[LineProblem] = []
    start = reader.line_num + 1
    while True:
        line = start
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error:
            problems.append(LineProblem(line, Problem(NOT_CSV)))
            break
        start = reader.line_num + 1
        if not any(value.strip() for value in record):
            continue
        if len(record) != len(header):
            found = {"found": len(record), "expected": len(header)}
            problems.append(LineProblem(line, Problem(FIELD_COUNT, found)))
            continue
        rows.append((line, dict(zip(header, record, strict=True))))
    if not rows and not problems:
        problems.append(LineProblem(2, Problem(NO_ROWS)))
    return rows, problems


def _first_seen(check: Checker, column: str, value: str, line: int, seen: dict[str, int]) -> None:
    """A value that must be once in the file: a second one is a problem on its line."""
    if not value or column in check.problems:
        return
    if value in seen:
        check.fail(column, DUPLICATE, value=value, line=seen[value])
    else:
        seen[value] = line


# Schools ------------------------------------------------------------------


def _active(check: Checker) -> bool | None:
    value = check.raw("active").casefold()
    if not value:
        return None
    if value in _YES:
        return True
    if value in _NO:
        return False
    check.fail("active", BAD_ACTIVE)
    return None


async def _check_schools(
    rows: list[tuple[int, dict[str, str]]],
) -> tuple[list[tuple[int | None, SchoolInput]], list[LineProblem]]:
    """Each row as (id of the school it updates, or None; its values), or the problems."""
    regions = {row["code"]: row["id"] for row in await Region.select(Region.id, Region.code)}
    codes = [values.get("code", "").strip().upper() for _line, values in rows]
    existing, _new = await school_ids_for(code for code in dict.fromkeys(codes) if code)
    plan: list[tuple[int | None, SchoolInput]] = []
    problems: list[LineProblem] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        check = Checker(values)
        code = read_school_code(check)
        _first_seen(check, "code", code, line, seen)
        region_code = read_region_code(check, "region_code")
        region_id = regions.get(region_code)
        if region_code and "region_code" not in check.problems and region_id is None:
            check.fail("region_code", UNKNOWN_REGION, code=region_code)
        names, towns = read_school_fields(check)
        active = _active(check)
        if check.problems or region_id is None:
            problems.extend(_problems_of(line, check))
            continue
        plan.append((existing.get(code), SchoolInput(code, region_id, names, towns, active)))
    return plan, problems


def _batches(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), INSERT_BATCH):
        yield items[start : start + INSERT_BATCH]


async def import_schools(data: bytes, acting_user_id: int | None = None) -> ImportResult:
    """Applies a schools file whole, or nothing of it.

    `acting_user_id` is not used: a schools file touches no account. It is
    taken so that both importers are called alike (see import_staff).
    """
    result = ImportResult("schools")
    rows, result.problems = read_rows(data, SCHOOL_COLUMNS, SCHOOL_OPTIONAL_COLUMNS)
    if result.problems:
        return result
    async with write_transaction():
        # Checked under the write lock, so nothing changes between the check and the writes.
        plan, result.problems = await _check_schools(rows)
        if result.problems:
            return result
        new = [School(code=school.code, **school.values()) for found, school in plan if not found]
        for batch in _batches(new):
            await School.insert(*batch)
        for school_id, school in plan:
            if school_id is not None:
                await School.update(**school.values()).where(School.id == school_id)
    result.inserted = len(new)
    result.updated = len(plan) - len(new)
    forget_schools()
    return result


# Staff accounts -----------------------------------------------------------


@dataclass(frozen=True)
class _StaffRow:
    line: int
    account_id: int | None
    username: str
    display_name: str
    role: str
    region_id: int | None
    school_ids: tuple[int, ...]
    password: str  # empty: generated for a new account, unchanged for an existing one


async def _check_staff(
    rows: list[tuple[int, dict[str, str]]], acting_user_id: int | None
) -> tuple[list[_StaffRow], list[LineProblem]]:
    regions = {row["code"]: row["id"] for row in await Region.select(Region.id, Region.code)}
    usernames = [values.get("username", "").strip().lower() for _line, values in rows]
    usernames = [name for name in dict.fromkeys(usernames) if name]
    existing: dict[str, int] = {}
    if usernames:
        accounts = StaffAccount.select(StaffAccount.id, StaffAccount.username)
        for row in await accounts.where(StaffAccount.username.is_in(usernames)):
            existing[row["username"]] = row["id"]
    all_codes = [code for _line, values in rows for code in Checker(values).school_codes()]
    schools, _unknown = await school_ids_for(dict.fromkeys(all_codes))
    plan: list[_StaffRow] = []
    problems: list[LineProblem] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        check = Checker(values)
        username = check.username()
        _first_seen(check, "username", username, line, seen)
        display_name = check.text("display_name", DISPLAY_NAME_LENGTH)
        role = check.role()
        region_id = None
        if role == REGION:
            region_code = read_region_code(check, "region_code")
            region_id = regions.get(region_code)
            if not region_code:
                check.problems["region_code"] = Problem(REGION_REQUIRED)
            elif "region_code" not in check.problems and region_id is None:
                check.fail("region_code", UNKNOWN_REGION, code=region_code)
        elif check.raw("region_code") and role in ROLES:
            check.fail("region_code", REGION_NOT_ALLOWED)
        codes = check.school_codes()
        if codes and role in ROLES and role not in SCHOOL_ROLES:
            check.fail("school_codes", SCHOOLS_NOT_ALLOWED)
        unknown = [code for code in codes if code not in schools]
        if unknown:
            check.problems.setdefault("school_codes", unknown_schools(unknown))
        password = check.raw("password")
        if acting_user_id is not None and existing.get(username) == acting_user_id:
            # The same guards as the account page: no locking oneself out by file.
            refuse_own_lockout(check, role)
            if password:
                check.fail("password", OWN_PASSWORD)
        if len(password) > PASSWORD_MAX_LENGTH:
            check.fail("password", TOO_LONG, limit=PASSWORD_MAX_LENGTH)
        elif password and username:
            weak = password_problem(password, username)
            if weak:
                check.fail("password", weak)
        if check.problems:
            problems.extend(_problems_of(line, check))
            continue
        plan.append(
            _StaffRow(
                line=line,
                account_id=existing.get(username),
                username=username,
                display_name=display_name,
                role=role,
                region_id=region_id,
                school_ids=tuple(schools[code] for code in codes),
                password=password,
            )
        )
    return plan, problems


def _hash_passwords(passwords: Mapping[str, str]) -> dict[str, str]:
    return {username: hash_password(password) for username, password in passwords.items()}


async def import_staff(data: bytes, acting_user_id: int | None = None) -> ImportResult:
    """Applies a staff file whole, or nothing of it.

    `acting_user_id` is the administrator importing it on the page: a row for
    their own account may not take away its administrator role or set its
    password. From the command line there is no such account.
    """
    result = ImportResult("staff")
    rows, result.problems = read_rows(data, STAFF_COLUMNS)
    if result.problems:
        return result
    plan, result.problems = await _check_staff(rows, acting_user_id)
    if result.problems:
        return result
    # Argon2 is slow on purpose: hash before taking the write lock, off the event loop.
    plain = {
        row.username: row.password or generate_password()
        for row in plan
        if row.password or row.account_id is None
    }
    hashes = await asyncio.to_thread(_hash_passwords, plain)
    async with write_transaction():
        # Again under the write lock: an account may have been added meanwhile.
        plan, result.problems = await _check_staff(rows, acting_user_id)
        if result.problems:
            return result
        for row in plan:
            if row.username not in hashes and (row.password or row.account_id is None):
                plain[row.username] = row.password or generate_password()
                hashes[row.username] = await hashed(plain[row.username])
            await _apply_staff_row(row, hashes.get(row.username))
            if row.account_id is None:
                result.inserted += 1
                if not row.password:
                    result.passwords.append((row.username, plain[row.username]))
            else:
                result.updated += 1
    return result


async def _apply_staff_row(row: _StaffRow, password_hash: str | None) -> None:
    values: dict[str, Any] = {
        "display_name": row.display_name,
        "role": row.role,
        "region": row.region_id,
    }
    account_id = row.account_id
    if account_id is None:
        assert password_hash is not None
        account = StaffAccount(
            username=row.username, password_hash=password_hash, must_change_password=True, **values
        )
        await account.save()
        account_id = int(account.id)
    else:
        if row.password:
            values.update(password_hash=password_hash, must_change_password=True)
            await StaffSession.delete().where(StaffSession.account == account_id)
        await StaffAccount.update(**values).where(StaffAccount.id == account_id)
        await StaffSchool.delete().where(StaffSchool.account == account_id)
    if row.school_ids:
        await StaffSchool.insert(
            *(StaffSchool(account=account_id, school=school_id) for school_id in row.school_ids)
        )


IMPORTERS: dict[str, Callable[[bytes, int | None], Coroutine[Any, Any, ImportResult]]] = {
    "schools": import_schools,
    "staff": import_staff,
}


# The command line ---------------------------------------------------------


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """Kazakh or Russian when the terminal's locale says so; English otherwise."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            language = value[:2].lower()
            return language if language in LANGUAGES else "en"
    return "en"


def print_result(result: ImportResult, out: TextIO, err: TextIO) -> int:
    """Prints what was done, or every problem; the command's exit status."""
    if not result.ok:
        for problem in result.problems:
            print(problem.text(), file=err)
        print(gettext(NOTHING_CHANGED), file=err)
        return 2
    print(result.summary(), file=out)
    if result.passwords:
        print(gettext(NEW_PASSWORDS), file=out)
        for username, password in result.passwords:
            print(f"  {username:<24} {password}", file=out)
    return 0


async def _applied_and_recorded(kind: str, data: bytes) -> ImportResult:
    result = await IMPORTERS[kind](data, None)
    if result.ok:
        # No signed-in user here: whoever may run commands on the server.
        await audit.record(
            None,
            "admin.import",
            detail=f"{kind} from the command line: "
            f"{result.inserted} added, {result.updated} changed",
        )
    return result


def import_command(
    kind: str, path: Path, run: Callable[[Coroutine[Any, Any, ImportResult]], ImportResult]
) -> int:
    """`school-safety import schools|staff FILE`: 0 when applied, 2 when refused."""

    def whole() -> int:
        set_language(cli_language())
        try:
            data = path.read_bytes()
        except OSError:
            result = ImportResult(kind, [LineProblem(0, Problem(CANNOT_READ))])
        else:
            result = run(_applied_and_recorded(kind, data))
        return print_result(result, sys.stdout, sys.stderr)

    # The language is set for this command only, not for whatever runs it (tests do).
    return contextvars.copy_context().run(whole)
