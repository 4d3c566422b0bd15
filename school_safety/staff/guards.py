"""The guard every staff route passes: signed in, second factor done, password changed, right role.

Each staff route names the roles that may use it in `opt["roles"]`; the
role × route test walks the router and fails for a route that names none.
Scope (which schools, which region) is checked by each domain's own look-ups,
and an object outside it answers 404, as if it did not exist.
"""

from __future__ import annotations

from urllib.parse import quote

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from school_safety.staff.roles import StaffUser
from school_safety.staff.sessions import COOKIE, user_for_token
from school_safety.web.errors import RoleForbidden, SignInRedirect

# Steps of signing in that a half-signed-in user may reach.
STEP_TOTP = "totp"
STEP_PASSWORD = "password"  # noqa: S105 - the name of a sign-in step


async def staff_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    roles = handler.opt.get("roles")
    if not roles:
        raise RoleForbidden("this route names no roles")
    found = await user_for_token(connection.cookies.get(COOKIE))
    if found is None:
        target = connection.url.path
        raise SignInRedirect(f"/staff/login?next={quote(target, safe='')}")
    user, totp_passed = found
    step = handler.opt.get("step")
    if user.totp_required and not totp_passed and step != STEP_TOTP:
        raise SignInRedirect("/staff/2fa")
    # Only once the second factor is done (the branch above saw to it) comes the password.
    if user.must_change_password and step not in (STEP_PASSWORD, STEP_TOTP):
        raise SignInRedirect("/staff/password")
    if user.role not in roles:
        raise RoleForbidden("not for this role")
    connection.state.user = user
    connection.state.session_token = connection.cookies.get(COOKIE)


def current_user(connection: ASGIConnection) -> StaffUser:
    user: StaffUser = connection.state.user
    return user
