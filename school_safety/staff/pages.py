"""Signing in and out, the second factor, the password, the account page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
)

from school_safety.config import get_settings
from school_safety.i18n import N_
from school_safety.schools.pages import qr_svg
from school_safety.staff import auth, sessions
from school_safety.staff.guards import STEP_PASSWORD, STEP_TOTP, current_user, staff_guard
from school_safety.staff.roles import ROLE_NAMES, ROLES
from school_safety.web.headers import NO_STORE
from school_safety.web.language import safe_next
from school_safety.web.ratelimit import SlidingWindowLimiter, client_key

# A second, per-address layer in front of the per-username throttle.
_sign_in_attempts = SlidingWindowLimiter(limit=30, window=900)


def _session_cookie(token: str, max_age: int | None) -> Cookie:
    return Cookie(
        key=sessions.COOKIE,
        value=token,
        path="/staff",
        httponly=True,
        samesite="strict",
        secure=get_settings().https,
        max_age=max_age,
    )


def _form_text(form: Any, name: str, limit: int = 200) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


class SignInPages(Controller):
    path = "/staff"
    include_in_schema = False
    opt = {"public": True}

    @get("/login", name="staff-login")
    async def login_form(self, next: FromQuery[str] = "/staff/") -> Template:
        return Template(
            "staff/login.html",
            context={"error": None, "next": safe_next(next), "username": "", "user": None},
            headers=NO_STORE,
        )

    @post("/login", name="staff-login-submit", status_code=HTTP_200_OK)
    async def login(self, request: Request) -> Template | Redirect:
        form = await request.form()
        username = _form_text(form, "username", 64)
        target = safe_next(_form_text(form, "next", 500) or "/staff/")
        client = client_key(request)

        def refused(message: str, status: int) -> Template:
            return Template(
                "staff/login.html",
                context={"error": message, "next": target, "username": username, "user": None},
                status_code=status,
                headers=NO_STORE,
            )

        # Counted before the check, so that tries sent together cannot all slip under the limit.
        attempt = _sign_in_attempts.try_hit(client)
        if attempt is None:
            return refused(auth.TOO_MANY_FAILURES, HTTP_429_TOO_MANY_REQUESTS)
        result = await auth.check_password(username, _form_text(form, "password"))
        if result.account_id is None:
            status = (
                HTTP_429_TOO_MANY_REQUESTS
                if result.error == auth.TOO_MANY_FAILURES
                else HTTP_422_UNPROCESSABLE_ENTITY
            )
            return refused(result.error or auth.WRONG_CREDENTIALS, status)
        _sign_in_attempts.give_back(attempt)
        # No code has been verified yet, whether or not one is needed now: that is
        # decided on every request, as the account's role and its policy may change.
        token = await sessions.start_session(result.account_id, totp_passed=False)
        location = "/staff/2fa" if result.needs_totp else target
        return Redirect(path=location, status_code=303, cookies=[_session_cookie(token, None)])

    @post("/logout", name="staff-logout", status_code=HTTP_200_OK)
    async def logout(self, request: Request) -> Redirect:
        token = request.cookies.get(sessions.COOKIE)
        if token:
            await sessions.end_session(token)
        return Redirect(path="/staff/login", status_code=303, cookies=[_session_cookie("", 0)])


class AccountPages(Controller):
    path = "/staff"
    guards = [staff_guard]
    include_in_schema = False

    @get("/account", name="staff-account", opt={"roles": ROLES})
    async def account(self, request: Request) -> Template:
        user = current_user(request)
        _secret, enabled = await auth.totp_secret_of(user.id)
        return Template(
            "staff/account.html",
            context={"user": user, "totp_enabled": enabled, "role_names": ROLE_NAMES},
        )

    @get("/password", name="staff-password", opt={"roles": ROLES, "step": STEP_PASSWORD})
    async def password_form(self, request: Request) -> Template:
        user = current_user(request)
        return Template(
            "staff/password.html",
            context={
                "user": user,
                "forced": user.must_change_password,
                "error": None,
                "done": False,
            },
            headers=NO_STORE,
        )

    @post(
        "/password",
        name="staff-password-submit",
        opt={"roles": ROLES, "step": STEP_PASSWORD},
        status_code=HTTP_200_OK,
    )
    async def change_password(self, request: Request) -> Template | Redirect:
        user = current_user(request)
        form = await request.form()
        problem = await auth.change_password(
            user.id, _form_text(form, "current"), _form_text(form, "new")
        )
        if problem:
            too_many = problem == auth.TOO_MANY_FAILURES
            return Template(
                "staff/password.html",
                context={
                    "user": user,
                    "forced": user.must_change_password,
                    "error": problem,
                    "done": False,
                },
                status_code=HTTP_429_TOO_MANY_REQUESTS
                if too_many
                else HTTP_422_UNPROCESSABLE_ENTITY,
                headers=NO_STORE,
            )
        # Every other browser signed in as this user is signed out.
        await sessions.end_all_sessions(user.id, keep_token=request.state.session_token)
        if user.must_change_password:
            return Redirect(path="/staff/", status_code=303)
        return Template(
            "staff/password.html",
            context={"user": user, "forced": False, "error": None, "done": True},
            headers=NO_STORE,
        )

    @get("/2fa", name="staff-totp", opt={"roles": ROLES, "step": STEP_TOTP})
    async def totp_form(self, request: Request, enrol: FromQuery[int] = 0) -> Template:
        user = current_user(request)
        _secret, enabled = await auth.totp_secret_of(user.id)
        return self._totp_page(
            user, None if enabled and not enrol else auth.new_totp_secret(), None
        )

    @post(
        "/2fa",
        name="staff-totp-submit",
        opt={"roles": ROLES, "step": STEP_TOTP},
        status_code=HTTP_200_OK,
    )
    async def totp(self, request: Request) -> Template | Redirect:
        user = current_user(request)
        token = request.state.session_token
        form = await request.form()
        code = _form_text(form, "code", 16)
        new_secret = _form_text(form, "secret", 64)
        _secret, enabled = await auth.totp_secret_of(user.id)
        if new_secret and not enabled:
            accepted = await auth.enrol_totp(user.id, new_secret, code)
            if accepted:
                # Browsers signed in before the account had a second step never passed it.
                await sessions.end_all_sessions(user.id, keep_token=token)
        else:
            outcome = await auth.check_totp(user.id, code)
            if outcome is auth.SecondStep.LOCKED_OUT:
                # Out of tries: this half-signed-in browser starts again from the password.
                await sessions.end_session(token)
                return Template(
                    "staff/login.html",
                    context={
                        "error": auth.TOO_MANY_FAILURES,
                        "next": "/staff/",
                        "username": user.username,
                        "user": None,
                    },
                    status_code=HTTP_429_TOO_MANY_REQUESTS,
                    headers=NO_STORE,
                    cookies=[_session_cookie("", 0)],
                )
            accepted = outcome is auth.SecondStep.ACCEPTED
        if not accepted:
            if new_secret and not enabled and not auth.is_totp_secret(new_secret):
                # A mangled secret cannot be shown as a QR code: start again with a fresh one.
                new_secret = auth.new_totp_secret()
            return self._totp_page(
                user,
                new_secret if new_secret and not enabled else None,
                N_("That code is not right. Try the newest one."),
                HTTP_422_UNPROCESSABLE_ENTITY,
            )
        await sessions.mark_totp_passed(token)
        return Redirect(path="/staff/", status_code=303)

    def _totp_page(
        self, user: Any, secret: str | None, error: str | None, status: int = 200
    ) -> Template:
        qr = qr_svg(auth.totp_uri(secret, user.username)) if secret else None
        return Template(
            "staff/totp.html",
            context={"user": user, "secret": secret, "qr": qr, "error": error},
            status_code=status,
            headers=NO_STORE,
        )
