"""Role × route × scope: every staff route, every role, an object in and out of scope.

The routes are read from the application's router, so a new staff route is
walked the moment it exists, and one that names no roles fails here.
Expectations: signed out → sent to sign in; a role the route does not name →
403; a case outside the user's schools or region → 404, as if it did not exist;
anything else → a page, a redirect or a validation message, never a 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar

from school_safety.app import create_app
from school_safety.db.engine import write_transaction
from school_safety.reports.tables import Evidence, Report
from school_safety.schools.tables import Region, School
from school_safety.staff.roles import ROLES
from school_safety.staff.sessions import COOKIE, start_session
from tests import support

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
ALLOWED_STATUSES = {200, 303, 422}


@dataclass(frozen=True)
class StaffRoute:
    method: str
    path: str
    roles: tuple[str, ...] | None  # None: public (the sign-in pages)

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)


def staff_routes(app: Litestar) -> list[StaffRoute]:
    found = []
    for route in app.routes:
        if not route.path.startswith("/staff"):
            continue
        for handler in getattr(route, "route_handlers", []):
            methods = handler.http_methods - {"HEAD", "OPTIONS"}
            if not methods:  # Litestar's own OPTIONS answer
                continue
            opt = handler.opt or {}
            roles = opt.get("roles")
            assert roles or opt.get("public"), f"{route.path} names no roles and is not public"
            for method in sorted(methods):
                found.append(StaffRoute(method, route.path, tuple(roles) if roles else None))
    return found


ROUTES = staff_routes(create_app())


def test_the_walk_covers_the_staff_area():
    paths = {route.path for route in ROUTES}
    for expected in ("/staff", "/staff/cases/{code:str}", "/staff/audit", "/staff/admin/accounts"):
        assert expected in paths, expected
    assert len(ROUTES) >= 30


@pytest.fixture
async def world(schools: dict[str, support.SeededSchool]) -> dict[str, Any]:
    """A referred case with a picture in AST-001 (Astana) and another in AKT-001 (Aktobe)."""
    photo = support.jpeg_with_gps((16, 16))
    cases = {}
    async with write_transaction():
        for key, school in (("in", "AST-001"), ("out", "AKT-001")):
            report = Report(
                case_code=f"{'ABCD' if key == 'in' else 'WXYZ'}-2345",
                receipt_hash=f"{key}-hash",
                school=schools[school].id,
                language="ru",
                text=f"case {key}",
                status="referred",
            )
            await report.save()
            evidence = Evidence(
                report=report.id, content_type="image/jpeg", data=photo, width=16, height=16
            )
            await evidence.save()
            cases[key] = {"code": report.case_code, "evidence_id": evidence.id}
    accounts = {
        "psychologist": await support.make_staff("psy", "psychologist", ("AST-001",)),
        "officer": await support.make_staff("cop", "officer", ("AST-001",)),
        "region": await support.make_staff("reg", "region", region_code="AST"),
        "admin": await support.make_staff("adm", "admin"),
    }
    # Administration routes act on objects of their own: an empty form posted
    # to them may deactivate what it targets, which must not be the users or
    # schools this walk signs in with.
    target_account = await support.make_staff("target", "psychologist", ("AST-002",))
    region = await Region.select(Region.id).where(Region.code == "AKT").first()
    school = await School.select(School.id).where(School.code == "AST-002").first()
    ids = {
        "account_id": target_account,
        "region_id": region["id"],
        "school_id": school["id"],
        "kind": "schools",
    }
    return {"cases": cases, "accounts": accounts, "ids": ids}


def concrete(route: StaffRoute, world: dict[str, Any], scope: str) -> str:
    path = route.path
    case = world["cases"][scope]
    for name in route.params:
        if name == "code":
            value = case["code"]
        elif name == "evidence_id":
            value = case["evidence_id"]
        else:
            value = world["ids"][name]
        path = PARAM.sub(str(value), path, count=1)
    return path


async def call(client: Any, route: StaffRoute, path: str) -> int:
    if route.method == "GET":
        response = await client.get(path, follow_redirects=False)
    else:
        token = await support.csrf_for(client, "/staff/login")
        response = await client.post(path, data={"_csrf_token": token}, follow_redirects=False)
    return response.status_code


async def as_role(client: Any, world: dict[str, Any], role: str | None) -> None:
    client.cookies.clear()
    if role is not None:
        token = await start_session(world["accounts"][role], totp_passed=True)
        client.cookies.set(COOKIE, token, path="/staff")


def scoped(route: StaffRoute) -> bool:
    return "code" in route.params and route.path.startswith("/staff/cases/")


async def test_role_route_scope(client, world):
    failures = []
    for route in ROUTES:
        if route.roles is None:
            continue
        await as_role(client, world, None)
        status = await call(client, route, concrete(route, world, "in"))
        if status != 303:
            failures.append(f"signed out {route.method} {route.path}: {status}")
        for role in ROLES:
            await as_role(client, world, role)
            status = await call(client, route, concrete(route, world, "in"))
            expected = ALLOWED_STATUSES if role in route.roles else {403}
            if status not in expected:
                failures.append(f"{role} {route.method} {route.path} (in scope): {status}")
            if scoped(route) and role in route.roles and role != "admin":
                status = await call(client, route, concrete(route, world, "out"))
                if status != 404:
                    failures.append(f"{role} {route.method} {route.path} (out of scope): {status}")
    assert failures == [], "\n".join(failures)


async def test_public_staff_pages_need_no_sign_in(client, world):
    for route in ROUTES:
        if route.roles is None and route.method == "GET":
            assert (await client.get(route.path, follow_redirects=False)).status_code == 200, (
                route.path
            )
