"""Administration: regions, schools, staff accounts, school assignments and role policies.

Every input is checked here. A refusal is a `Problem`: an untranslated message
(marked with N_) and its values, put into the user's language only where it is
shown, so the same checks serve the web pages and the command line. Functions
that change something raise `Invalid` (one problem per field) or `Missing`.

Codes are kept in capitals and usernames in small letters: a pupil's link
(`/s/<code>`) and sign-in both fold them that way. A school's code is fixed
once created, since it is printed on the school's poster.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from piccolo.query.functions.aggregate import Count

from school_safety.db.engine import contains_text, is_unique_violation, write_transaction
from school_safety.i18n import N_, gettext
from school_safety.schools.service import (
    forget_schools,
    search_text_for,
    search_words,
    without_wildcards,
)
from school_safety.schools.tables import Region, School
from school_safety.staff.passwords import hashed
from school_safety.staff.roles import ADMIN, REGION, ROLES, SCHOOL_ROLES
from school_safety.staff.tables import RolePolicy, StaffAccount, StaffSchool, StaffSession
from school_safety.text import parse_id

LANGS = ("kk", "ru", "en")
PAGE_SIZE = 100

REGION_CODE_LENGTH = 8
SCHOOL_CODE_LENGTH = 16
REGION_NAME_LENGTH = 200
SCHOOL_NAME_LENGTH = 300
TOWN_LENGTH = 150
USERNAME_LENGTH = 64
DISPLAY_NAME_LENGTH = 200
SEARCH_LENGTH = 100
SCHOOL_CODES_LENGTH = 4000

_REGION_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]*")
_SCHOOL_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]*")
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]+")
# Control characters and lone surrogates: PostgreSQL refuses some, and no name needs them.
_NOT_ALLOWED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# No l, i, o, 0 or 1: a one-time password is often read out over the telephone.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet

REQUIRED = N_("This field is required.")
TOO_LONG = N_("This is too long: at most %(limit)d characters.")
NOT_ALLOWED_CHARACTERS = N_("This contains characters that are not allowed.")
BAD_REGION_CODE = N_(
    "A region code has capital Latin letters, digits and hyphens only, "
    "and starts with a letter or a digit."
)
BAD_SCHOOL_CODE = N_(
    "A school code has capital Latin letters, digits and hyphens only, "
    "and starts with a letter or a digit."
)
REGION_CODE_TAKEN = N_("A region with the code %(code)s already exists.")
SCHOOL_CODE_TAKEN = N_("A school with the code %(code)s already exists.")
CHOOSE_REGION = N_("Choose a region from the list.")
UNKNOWN_REGION = N_("There is no region with the code %(code)s.")
UNKNOWN_SCHOOLS = N_("There is no school with the code %(codes)s.")
BAD_USERNAME = N_(
    "A username has at least 2 characters: small Latin letters, digits, dots, hyphens "
    "and underscores, starting with a letter or a digit."
)
USERNAME_TAKEN = N_("The username %(username)s is already taken.")
BAD_ROLE = N_("Choose one of the roles: psychologist, officer, region, admin.")
REGION_REQUIRED = N_("A regional account needs a region.")
REGION_NOT_ALLOWED = N_("Only regional accounts have a region.")
SCHOOLS_NOT_ALLOWED = N_("Only psychologists and police inspectors are assigned schools.")
NOT_YOURSELF = N_("You cannot deactivate your own account or take away its administrator role.")
OWN_PASSWORD = N_("Change your own password on your account page.")


@dataclass(frozen=True)
class Problem:
    """Why an input is refused: an untranslated message and the values it names."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self) -> str:
        return gettext(self.message, **self.params)


Problems = dict[str, Problem]  # field name -> its first problem


class Invalid(Exception):
    """The input was refused; nothing was changed."""

    def __init__(self, problems: Problems):
        super().__init__(", ".join(sorted(problems)))
        self.problems = problems

    def texts(self) -> dict[str, str]:
        return {name: problem.text() for name, problem in self.problems.items()}


class Missing(LookupError):
    """No such region, school or account."""


class Checker:
    """Reads one form or CSV row, keeping the first problem of each field."""

    def __init__(self, values: Mapping[str, Any]):
        self._values = values
        self.problems: Problems = {}

    def fail(self, name: str, message: str, **params: object) -> None:
        self.problems.setdefault(name, Problem(message, params))

    def raw(self, name: str) -> str:
        value = self._values.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    def text(self, name: str, limit: int, required: bool = True) -> str:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, REQUIRED)
        elif len(value) > limit:
            self.fail(name, TOO_LONG, limit=limit)
        elif _NOT_ALLOWED.search(value):
            self.fail(name, NOT_ALLOWED_CHARACTERS)
        return value

    def code(self, name: str, limit: int, pattern: re.Pattern[str], message: str) -> str:
        value = self.text(name, limit).upper()
        if value and name not in self.problems and not pattern.fullmatch(value):
            self.fail(name, message)
        return value

    def username(self, name: str = "username") -> str:
        value = self.text(name, USERNAME_LENGTH).lower()
        if value and name not in self.problems and not _USERNAME.fullmatch(value):
            self.fail(name, BAD_USERNAME)
        return value

    def names(self, prefix: str, limit: int) -> dict[str, str]:
        """kk, ru and en; Kazakh and Russian are required, English may be missing."""
        return {lang: self.text(f"{prefix}_{lang}", limit, required=lang != "en") for lang in LANGS}

    def role(self, name: str = "role") -> str:
        value = self.raw(name).lower()
        if value not in ROLES:
            self.fail(name, BAD_ROLE)
        return value

    def region_id(self, name: str = "region", if_empty: str = REGION_REQUIRED) -> int | None:
        """A region chosen from a list (its id); the caller checks that it exists."""
        value = self.raw(name)
        if not value:
            self.fail(name, if_empty)
            return None
        region_id = parse_id(value)
        if region_id is None:
            self.fail(name, CHOOSE_REGION)
        return region_id

    def school_codes(self, name: str = "school_codes") -> list[str]:
        """Codes separated by `;`, `,` or spaces, in capitals, each once."""
        value = self.raw(name)
        if len(value) > SCHOOL_CODES_LENGTH:
            self.fail(name, TOO_LONG, limit=SCHOOL_CODES_LENGTH)
            return []
        codes = re.split(r"[;,\s]+", value.upper())
        return list(dict.fromkeys(code for code in codes if code))

    def flag(self, name: str) -> bool:
        """A checkbox: present means on."""
        return name in self._values

    def done(self) -> None:
        if self.problems:
            raise Invalid(dict(self.problems))


def generate_password() -> str:
    """A one-time password: 16 random letters and digits in groups of four (about 79 bits)."""
    groups = ("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    number: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _where(query: Any, conditions: list[Any]) -> Any:
    return query.where(*conditions) if conditions else query


def _taken(error: BaseException, problems: Problems) -> None:
    """A UNIQUE constraint refused a write that raced another one: the same answer as the check."""
    if is_unique_violation(error):
        raise Invalid(problems) from error


# Regions ------------------------------------------------------------------


@dataclass(frozen=True)
class RegionInput:
    code: str
    names: dict[str, str]

    def values(self) -> dict[str, Any]:
        return {f"name_{lang}": name for lang, name in self.names.items()}


def read_region(values: Mapping[str, Any], *, with_code: bool = True) -> RegionInput:
    check = Checker(values)
    code = (
        check.code("code", REGION_CODE_LENGTH, _REGION_CODE, BAD_REGION_CODE) if with_code else ""
    )
    names = check.names("name", REGION_NAME_LENGTH)
    check.done()
    return RegionInput(code, names)


async def list_regions() -> list[dict[str, Any]]:
    """Every region, with how many schools it has."""
    rows = await Region.select().order_by(Region.code)
    counts = await School.select(School.region, Count()).group_by(School.region)
    by_region = {row["region"]: row["count"] for row in counts}
    for row in rows:
        row["schools"] = by_region.get(row["id"], 0)
    return rows


async def get_region(region_id: int) -> dict[str, Any]:
    row = await Region.select().where(Region.id == region_id).first()
    if row is None:
        raise Missing(region_id)
    return row


async def create_region(values: Mapping[str, Any]) -> tuple[int, str]:
    """The new region's id and its code, as read from the form."""
    region = read_region(values)
    taken = {"code": Problem(REGION_CODE_TAKEN, {"code": region.code})}
    try:
        async with write_transaction():
            if await Region.exists().where(Region.code == region.code):
                raise Invalid(taken)
            row = Region(code=region.code, **region.values())
            await row.save()
    except Invalid:
        raise
    except Exception as error:
        _taken(error, taken)
        raise
    forget_schools()
    return int(row.id), region.code


async def update_region(region_id: int, values: Mapping[str, Any]) -> None:
    region = read_region(values, with_code=False)
    async with write_transaction():
        if not await Region.exists().where(Region.id == region_id):
            raise Missing(region_id)
        await Region.update(**region.values()).where(Region.id == region_id)
    forget_schools()


# Schools ------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolInput:
    code: str
    region_id: int
    names: dict[str, str]
    towns: dict[str, str]
    # None: a new school is active and an existing one stays as it is.
    active: bool | None

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {"region": self.region_id}
        values.update({f"name_{lang}": name for lang, name in self.names.items()})
        values.update({f"town_{lang}": town for lang, town in self.towns.items()})
        values["search_text"] = search_text_for(
            self.code, *self.names.values(), *self.towns.values()
        )
        if self.active is not None:
            values["active"] = self.active
        return values


def read_school_fields(check: Checker) -> tuple[dict[str, str], dict[str, str]]:
    """The names and towns of a school, from a form or a CSV row."""
    return check.names("name", SCHOOL_NAME_LENGTH), check.names("town", TOWN_LENGTH)


def read_school_code(check: Checker, name: str = "code") -> str:
    return check.code(name, SCHOOL_CODE_LENGTH, _SCHOOL_CODE, BAD_SCHOOL_CODE)


def read_region_code(check: Checker, name: str = "region_code") -> str:
    return check.code(name, REGION_CODE_LENGTH, _REGION_CODE, BAD_REGION_CODE)


def read_school(values: Mapping[str, Any], *, code: str | None = None) -> SchoolInput:
    """A school from a form; `code` is given when editing (the code never changes)."""
    check = Checker(values)
    if code is None:
        code = read_school_code(check)
    region_id = check.region_id("region", if_empty=CHOOSE_REGION)
    names, towns = read_school_fields(check)
    active = check.flag("active") if "active_shown" in values else None
    check.done()
    assert region_id is not None
    return SchoolInput(code, region_id, names, towns, active)


_SCHOOL_COLUMNS = (
    School.id,
    School.code,
    School.region,
    School.name_kk,
    School.name_ru,
    School.name_en,
    School.town_kk,
    School.town_ru,
    School.town_en,
    School.active,
    School.region.code,
    School.region.name_kk,
    School.region.name_ru,
    School.region.name_en,
)


async def list_schools(query: str = "", region_id: int | None = None, page: int = 1) -> Page:
    """Schools, active or not, whose text holds every word of the query; by code."""
    conditions: list[Any] = [School.search_text.like(f"%{word}%") for word in search_words(query)]
    if region_id:
        conditions.append(School.region == region_id)
    total = await _where(School.count(), conditions)
    page = max(1, min(page, -(-total // PAGE_SIZE) or 1))
    rows = (
        await _where(School.select(*_SCHOOL_COLUMNS).order_by(School.code), conditions)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return Page(rows, total, page)


async def get_school(school_id: int) -> dict[str, Any]:
    row = await School.select(*_SCHOOL_COLUMNS).where(School.id == school_id).first()
    if row is None:
        raise Missing(school_id)
    row["staff"] = (
        await StaffSchool.select(
            StaffSchool.account.id,
            StaffSchool.account.username,
            StaffSchool.account.display_name,
            StaffSchool.account.role,
            StaffSchool.account.active,
        )
        .where(StaffSchool.school == school_id)
        .order_by(StaffSchool.account.username)
    )
    return row


async def create_school(values: Mapping[str, Any]) -> tuple[int, str]:
    """The new school's id and its code, as read from the form."""
    school = read_school(values)
    taken = {"code": Problem(SCHOOL_CODE_TAKEN, {"code": school.code})}
    try:
        async with write_transaction():
            if await School.exists().where(School.code == school.code):
                raise Invalid(taken)
            if not await Region.exists().where(Region.id == school.region_id):
                raise Invalid({"region": Problem(CHOOSE_REGION)})
            row = School(code=school.code, **school.values())
            await row.save()
    except Invalid:
        raise
    except Exception as error:
        _taken(error, taken)
        raise
    forget_schools()
    return int(row.id), school.code


async def update_school(school_id: int, values: Mapping[str, Any]) -> SchoolInput:
    """Saves the form and returns what was saved."""
    existing = await School.select(School.code).where(School.id == school_id).first()
    if existing is None:
        raise Missing(school_id)
    school = read_school(values, code=existing["code"])
    async with write_transaction():
        if not await School.exists().where(School.id == school_id):
            raise Missing(school_id)
        if not await Region.exists().where(Region.id == school.region_id):
            raise Invalid({"region": Problem(CHOOSE_REGION)})
        await School.update(**school.values()).where(School.id == school_id)
    forget_schools()
    return school


# Staff accounts -----------------------------------------------------------


@dataclass(frozen=True)
class NewAccount:
    username: str
    display_name: str
    role: str
    region_id: int | None
    school_codes: tuple[str, ...]


@dataclass(frozen=True)
class AccountChanges:
    display_name: str
    role: str
    region_id: int | None
    active: bool


def _role_scope(check: Checker, role: str) -> int | None:
    """The region of a regional account; other roles have none (a chosen one is ignored)."""
    return check.region_id("region") if role == REGION else None


def read_new_account(values: Mapping[str, Any]) -> NewAccount:
    check = Checker(values)
    username = check.username()
    display_name = check.text("display_name", DISPLAY_NAME_LENGTH)
    role = check.role()
    region_id = _role_scope(check, role)
    codes = check.school_codes()
    if codes and role in ROLES and role not in SCHOOL_ROLES:
        check.fail("school_codes", SCHOOLS_NOT_ALLOWED)
    check.done()
    return NewAccount(username, display_name, role, region_id, tuple(codes))


def refuse_own_lockout(check: Checker, role: str, active: bool = True) -> None:
    """For the acting administrator's own account: keep it an active admin."""
    if role in ROLES and (role != ADMIN or not active):
        check.fail("role" if role != ADMIN else "active", NOT_YOURSELF)


def read_account_changes(
    values: Mapping[str, Any], account_id: int, acting_user_id: int
) -> AccountChanges:
    check = Checker(values)
    display_name = check.text("display_name", DISPLAY_NAME_LENGTH)
    role = check.role()
    region_id = _role_scope(check, role)
    active = check.flag("active")
    if account_id == acting_user_id:
        refuse_own_lockout(check, role, active)
    check.done()
    return AccountChanges(display_name, role, region_id, active)


async def school_ids_for(codes: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """The ids of the schools with these codes, and the codes no school has."""
    codes = list(codes)
    if not codes:
        return {}, []
    rows = await School.select(School.id, School.code).where(School.code.is_in(codes))
    found = {row["code"]: row["id"] for row in rows}
    return found, [code for code in codes if code not in found]


def unknown_schools(codes: list[str]) -> Problem:
    return Problem(UNKNOWN_SCHOOLS, {"codes": ", ".join(codes)})


_ACCOUNT_COLUMNS = (
    StaffAccount.id,
    StaffAccount.username,
    StaffAccount.display_name,
    StaffAccount.role,
    StaffAccount.region,
    StaffAccount.active,
    StaffAccount.must_change_password,
    StaffAccount.totp_enabled,
    StaffAccount.created_at,
    StaffAccount.last_login_at,
    StaffAccount.region.code,
    StaffAccount.region.name_kk,
    StaffAccount.region.name_ru,
    StaffAccount.region.name_en,
)


async def list_accounts(query: str = "", role: str = "", page: int = 1) -> Page:
    conditions: list[Any] = []
    for word in without_wildcards(query).split()[:4]:
        conditions.append(
            contains_text(StaffAccount.username, word)
            | contains_text(StaffAccount.display_name, word)
        )
    if role in ROLES:
        conditions.append(StaffAccount.role == role)
    total = await _where(StaffAccount.count(), conditions)
    page = max(1, min(page, -(-total // PAGE_SIZE) or 1))
    rows = (
        await _where(
            StaffAccount.select(*_ACCOUNT_COLUMNS).order_by(StaffAccount.username), conditions
        )
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    ids = [row["id"] for row in rows]
    schools: dict[int, list[str]] = {}
    if ids:
        for link in await StaffSchool.select(StaffSchool.account, StaffSchool.school.code).where(
            StaffSchool.account.is_in(ids)
        ):
            schools.setdefault(link["account"], []).append(link["school.code"])
    for row in rows:
        row["schools"] = sorted(schools.get(row["id"], []))
    return Page(rows, total, page)


async def get_account(account_id: int) -> dict[str, Any]:
    row = await StaffAccount.select(*_ACCOUNT_COLUMNS).where(StaffAccount.id == account_id).first()
    if row is None:
        raise Missing(account_id)
    row["schools"] = (
        await StaffSchool.select(
            StaffSchool.school.id,
            StaffSchool.school.code,
            StaffSchool.school.name_kk,
            StaffSchool.school.name_ru,
            StaffSchool.school.name_en,
            StaffSchool.school.active,
        )
        .where(StaffSchool.account == account_id)
        .order_by(StaffSchool.school.code)
    )
    return row


async def create_account(values: Mapping[str, Any]) -> tuple[int, str]:
    """The new account's id and its one-time password (shown once, never stored)."""
    account = read_new_account(values)
    password = generate_password()
    password_hash = await hashed(password)
    taken = {"username": Problem(USERNAME_TAKEN, {"username": account.username})}
    try:
        async with write_transaction():
            if await StaffAccount.exists().where(StaffAccount.username == account.username):
                raise Invalid(taken)
            if account.region_id is not None and not await Region.exists().where(
                Region.id == account.region_id
            ):
                raise Invalid({"region": Problem(CHOOSE_REGION)})
            found, unknown = await school_ids_for(account.school_codes)
            if unknown:
                raise Invalid({"school_codes": unknown_schools(unknown)})
            row = StaffAccount(
                username=account.username,
                display_name=account.display_name,
                role=account.role,
                password_hash=password_hash,
                must_change_password=True,
                region=account.region_id,
            )
            await row.save()
            if found:
                await StaffSchool.insert(
                    *(StaffSchool(account=row.id, school=school_id) for school_id in found.values())
                )
    except Invalid:
        raise
    except Exception as error:
        _taken(error, taken)
        raise
    return int(row.id), password


async def update_account(account_id: int, values: Mapping[str, Any], acting_user_id: int) -> None:
    changes = read_account_changes(values, account_id, acting_user_id)
    async with write_transaction():
        if not await StaffAccount.exists().where(StaffAccount.id == account_id):
            raise Missing(account_id)
        if changes.region_id is not None and not await Region.exists().where(
            Region.id == changes.region_id
        ):
            raise Invalid({"region": Problem(CHOOSE_REGION)})
        await StaffAccount.update(
            display_name=changes.display_name,
            role=changes.role,
            region=changes.region_id,
            active=changes.active,
        ).where(StaffAccount.id == account_id)
        if changes.role not in SCHOOL_ROLES:
            await StaffSchool.delete().where(StaffSchool.account == account_id)
        if not changes.active:
            await StaffSession.delete().where(StaffSession.account == account_id)


def account_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """What an edit changed on an account, for the audit log ("role: a → b; active: yes → no")."""
    changes = []
    for key in ("role", "region.code", "active"):
        old, new = before.get(key), after.get(key)
        if old != new:
            shown = [
                ("yes" if v else "no") if isinstance(v, bool) else (v or "-") for v in (old, new)
            ]
            changes.append(f"{key.removesuffix('.code')}: {shown[0]} → {shown[1]}")
    if before.get("display_name") != after.get("display_name"):
        changes.append("name")
    lost = sorted(
        {s["school.code"] for s in before.get("schools", [])}
        - {s["school.code"] for s in after.get("schools", [])}
    )
    if lost:
        changes.append("schools removed: " + ", ".join(lost))
    return "; ".join(changes) or "no change"


async def reset_password(account_id: int, acting_user_id: int) -> str:
    """A new one-time password, to be changed at the next sign-in; the account is signed out."""
    if account_id == acting_user_id:
        raise Invalid({"password": Problem(OWN_PASSWORD)})
    password = generate_password()
    password_hash = await hashed(password)
    async with write_transaction():
        if not await StaffAccount.exists().where(StaffAccount.id == account_id):
            raise Missing(account_id)
        await StaffAccount.update(password_hash=password_hash, must_change_password=True).where(
            StaffAccount.id == account_id
        )
        await StaffSession.delete().where(StaffSession.account == account_id)
    return password


async def assign_schools(account_id: int, values: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Adds schools (by code) to a psychologist or officer.

    Returns the account's username and the codes newly added.
    """
    check = Checker(values)
    codes = check.school_codes()
    if not codes and "school_codes" not in check.problems:
        check.fail("school_codes", REQUIRED)
    check.done()
    async with write_transaction():
        account = (
            await StaffAccount.select(StaffAccount.username, StaffAccount.role)
            .where(StaffAccount.id == account_id)
            .first()
        )
        if account is None:
            raise Missing(account_id)
        if account["role"] not in SCHOOL_ROLES:
            raise Invalid({"school_codes": Problem(SCHOOLS_NOT_ALLOWED)})
        found, unknown = await school_ids_for(codes)
        if unknown:
            raise Invalid({"school_codes": unknown_schools(unknown)})
        have = {
            row["school"]
            for row in await StaffSchool.select(StaffSchool.school).where(
                StaffSchool.account == account_id
            )
        }
        added = [code for code, school_id in found.items() if school_id not in have]
        if added:
            await StaffSchool.insert(
                *(StaffSchool(account=account_id, school=found[code]) for code in added)
            )
    return account["username"], added


async def unassign_school(account_id: int, school_id: int) -> None:
    async with write_transaction():
        if not await StaffAccount.exists().where(StaffAccount.id == account_id):
            raise Missing(account_id)
        await StaffSchool.delete().where(
            (StaffSchool.account == account_id) & (StaffSchool.school == school_id)
        )


# Role policies ------------------------------------------------------------


async def role_policies() -> dict[str, bool]:
    rows = await RolePolicy.select(RolePolicy.role, RolePolicy.require_totp)
    required = {row["role"]: bool(row["require_totp"]) for row in rows}
    return {role: required.get(role, False) for role in ROLES}


async def set_role_policies(require_totp: Collection[str]) -> None:
    """Two-step sign-in required for exactly these roles."""
    if any(role not in ROLES for role in require_totp):
        raise Invalid({"require_totp": Problem(BAD_ROLE)})
    async with write_transaction():
        existing = {row["role"] for row in await RolePolicy.select(RolePolicy.role)}
        for role in ROLES:
            required = role in require_totp
            if role in existing:
                await RolePolicy.update(require_totp=required).where(RolePolicy.role == role)
            else:
                await RolePolicy(role=role, require_totp=required).save()


async def counts() -> dict[str, int]:
    return {
        "regions": await Region.count(),
        "schools": await School.count(),
        "inactive_schools": await School.count().where(School.active == False),  # noqa: E712
        "accounts": await StaffAccount.count(),
    }
