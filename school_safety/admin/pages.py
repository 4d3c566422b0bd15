"""The administrator's pages: regions, schools, staff accounts, role policies, CSV imports.

Plain HTML forms, each answered by a redirect to the changed object (so that a
reload does not send it again), or by the same form again with a 422 and the
problems in the user's language. One-time passwords are shown on the answer
to the form that made them and never again.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_422_UNPROCESSABLE_ENTITY

from school_safety.admin import service
from school_safety.admin.imports import IMPORTERS, ImportResult, LineProblem
from school_safety.admin.service import Invalid, Missing, Problem
from school_safety.audit import log as audit
from school_safety.i18n import N_, gettext
from school_safety.schools.service import localised
from school_safety.staff.guards import current_user, staff_guard
from school_safety.staff.roles import ROLE_NAMES, ROLES
from school_safety.text import parse_id
from school_safety.web.headers import NO_STORE
from school_safety.web.params import RowId

CHOOSE_FILE = N_("Choose a CSV file to import.")
CREATED = N_("Created.")
NOTICES = {
    "saved": N_("Saved."),
    "created": CREATED,
    "assigned": N_("The schools were assigned."),
    "unchanged": N_("These schools were assigned already."),
    "removed": N_("The school was removed from this account."),
    "policies": N_("The sign-in rules were saved."),
}
SEARCH_MAX_CHARS = 100


def _values(form: Any) -> dict[str, str]:
    """What was typed, to put back into a refused form."""
    values: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(name, value)
    return values


async def _record(request: Request, action: str, detail: str) -> None:
    """An administration action in the audit log, after it has committed."""
    await audit.record(current_user(request), action, detail=detail)


def _notice(done: str) -> str | None:
    message = NOTICES.get(done)
    return gettext(message) if message else None


class AdminPages(Controller):
    path = "/staff/admin"
    guards = [staff_guard]
    include_in_schema = False

    def _page(
        self, request: Request, template: str, status: int = HTTP_200_OK, **context: Any
    ) -> Template:
        context.setdefault("errors", {})
        context.setdefault("values", {})
        context.setdefault("notice", None)
        return Template(
            f"admin/{template}.html",
            context={
                "user": current_user(request),
                "role_names": ROLE_NAMES,
                "roles": ROLES,
                "localised": localised,
                **context,
            },
            status_code=status,
            headers=NO_STORE,
        )

    # Overview -------------------------------------------------------------

    @get("/", name="admin-home", opt={"roles": ("admin",)})
    async def home(self, request: Request) -> Template:
        return self._page(request, "index", counts=await service.counts())

    # Regions --------------------------------------------------------------

    async def _regions_page(
        self, request: Request, status: int = HTTP_200_OK, **context: Any
    ) -> Template:
        regions = await service.list_regions()
        return self._page(request, "regions", status, regions=regions, **context)

    @get("/regions", name="admin-regions", opt={"roles": ("admin",)})
    async def regions(self, request: Request, done: FromQuery[str] = "") -> Template:
        return await self._regions_page(request, notice=_notice(done))

    @post(
        "/regions",
        name="admin-region-create",
        opt={"roles": ("admin",)},
        status_code=HTTP_200_OK,
    )
    async def create_region(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            region_id, code = await service.create_region(form)
        except Invalid as refused:
            return await self._regions_page(
                request,
                HTTP_422_UNPROCESSABLE_ENTITY,
                values=_values(form),
                errors=refused.texts(),
            )
        await _record(request, "admin.region_create", f"region {code}")
        return Redirect(f"/staff/admin/regions/{region_id}?done=created", status_code=303)

    async def _region(self, region_id: int) -> dict[str, Any]:
        try:
            return await service.get_region(region_id)
        except Missing:
            raise NotFoundException() from None

    @get("/regions/{region_id:int}", name="admin-region", opt={"roles": ("admin",)})
    async def region(
        self, request: Request, region_id: RowId, done: FromQuery[str] = ""
    ) -> Template:
        region = await self._region(region_id)
        return self._page(request, "region", region=region, values=region, notice=_notice(done))

    @post(
        "/regions/{region_id:int}",
        name="admin-region-save",
        opt={"roles": ("admin",)},
        status_code=HTTP_200_OK,
    )
    async def save_region(self, request: Request, region_id: RowId) -> Template | Redirect:
        region = await self._region(region_id)
        form = await request.form()
        try:
            await service.update_region(region_id, form)
        except Missing:
            raise NotFoundException() from None
        except Invalid as refused:
            return self._page(
                request,
                "region",
                HTTP_422_UNPROCESSABLE_ENTITY,
                region=region,
                values=_values(form),
                errors=refused.texts(),
            )
        await _record(request, "admin.region_edit", f"region {region['code']}")
        return Redirect(f"/staff/admin/regions/{region_id}?done=saved", status_code=303)

    # Schools --------------------------------------------------------------

    @get("/schools", name="admin-schools", opt={"roles": ("admin",)})
    async def schools(
        self,
        request: Request,
        q: FromQuery[str] = "",
        region: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        query = q.strip()[:SEARCH_MAX_CHARS]
        region_id = parse_id(region)
        found = await service.list_schools(query, region_id, page)
        return self._page(
            request,
            "schools",
            page=found,
            query=query,
            region_id=region_id,
            regions=await service.list_regions(),
        )

    async def _school_form(
        self,
        request: Request,
        school: dict[str, Any] | None,
        values: dict[str, Any],
        status: int = HTTP_200_OK,
        **context: Any,
    ) -> Template:
        return self._page(
            request,
            "school",
            status,
            school=school,
            values=values,
            regions=await service.list_regions(),
            **context,
        )

    @get("/schools/new", name="admin-school-new", opt={"roles": ("admin",)})
    async def new_school(self, request: Request, region: FromQuery[str] = "") -> Template:
        return await self._school_form(request, None, {"region": region})

    @post(
        "/schools",
        name="admin-school-create",
        opt={"roles": ("admin",)},
        status_code=HTTP_200_OK,
    )
    async def create_school(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            school_id, code = await service.create_school(form)
        except Invalid as refused:
            return await self._school_form(
                request, None, _values(form), HTTP_422_UNPROCESSABLE_ENTITY, errors=refused.texts()
            )
        await _record(request, "admin.school_create", f"school {code}")
        return Redirect(f"/staff/admin/schools/{school_id}?done=created", status_code=303)

    async def _school(self, school_id: int) -> dict[str, Any]:
        try:
            return await service.get_school(school_id)
        except Missing:
            raise NotFoundException() from None

    @get("/schools/{school_id:int}", name="admin-school", opt={"roles": ("admin",)})
    async def school(
        self, request: Request, school_id: RowId, done: FromQuery[str] = ""
    ) -> Template:
        school = await self._school(school_id)
        return await self._school_form(
            request, school, {**school, "region": str(school["region"])}, notice=_notice(done)
        )

    @post(
        "/schools/{school_id:int}",
        name="admin-school-save",
        opt={"roles": ("admin",)},
        status_code=HTTP_200_OK,
    )
    async def save_school(self, request: Request, school_id: RowId) -> Template | Redirect:
        school = await self._school(school_id)
        form = await request.form()
        try:
            saved = await service.update_school(school_id, form)
        except Missing:
            raise NotFoundException() from None
        except Invalid as refused:
            values = {**_values(form), "active": "active" in form}
            return await self._school_form(
                request, school, values, HTTP_422_UNPROCESSABLE_ENTITY, errors=refused.texts()
            )
        changed = " (deactivated)" if school["active"] and saved.active is False else ""
        await _record(request, "admin.school_edit", f"school {school['code']}{changed}")
        return Redirect(f"/staff/admin/schools/{school_id}?done=saved", status_code=303)

    # Staff accounts -------------------------------------------------------

    @get("/accounts", name="admin-accounts", opt={"roles": ("admin",)})
    async def accounts(
        self,
        request: Request,
        q: FromQuery[str] = "",
        role: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        query = q.strip()[:SEARCH_MAX_CHARS]
        role = role if role in ROLES else ""
        found = await service.list_accounts(query, role, page)
        return self._page(request, "accounts", page=found, query=query, role=role)

    async def _new_account_form(
        self, request: Request, values: dict[str, Any], status: int = HTTP_200_OK, **context: Any
    ) -> Template:
        regions = await service.list_regions()
        return self._page(request, "account_new", status, values=values, regions=regions, **context)

    @get("/accounts/new", name="admin-account-new", opt={"roles": ("admin",)})
    async def new_account(self, request: Request) -> Template:
        return await self._new_account_form(request, {})

    @post(
        "/accounts",
        name="admin-account-create",
        opt={"roles": ("admin",)},
        status_code=HTTP_201_CREATED,
    )
    async def create_account(self, request: Request) -> Template:
        form = await request.form()
        try:
            account_id, password = await service.create_account(form)
        except Invalid as refused:
            return await self._new_account_form(
                request, _values(form), HTTP_422_UNPROCESSABLE_ENTITY, errors=refused.texts()
            )
        created = await service.get_account(account_id)
        schools = ", ".join(row["school.code"] for row in created["schools"])
        await _record(
            request,
            "admin.account_create",
            f"{created['username']} as {created['role']}" + (f" for {schools}" if schools else ""),
        )
        # No redirect: the one-time password is shown on this answer only.
        return await self._account_page(
            request,
            account_id,
            HTTP_201_CREATED,
            account=created,
            one_time_password=password,
            notice=gettext(CREATED),
        )

    async def _account_page(
        self,
        request: Request,
        account_id: int,
        status: int = HTTP_200_OK,
        values: dict[str, Any] | None = None,
        account: dict[str, Any] | None = None,
        **context: Any,
    ) -> Template:
        """The account page; `account` when the caller has just read it."""
        if account is None:
            try:
                account = await service.get_account(account_id)
            except Missing:
                raise NotFoundException() from None
        if values is None:
            values = {**account, "region": str(account["region"] or "")}
        return self._page(
            request,
            "account",
            status,
            account=account,
            values=values,
            regions=await service.list_regions(),
            school_roles=service.SCHOOL_ROLES,
            **context,
        )

    @get("/accounts/{account_id:int}", name="admin-account", opt={"roles": ("admin",)})
    async def account(
        self, request: Request, account_id: RowId, done: FromQuery[str] = ""
    ) -> Template:
        return await self._account_page(request, account_id, notice=_notice(done))

    @post(
        "/accounts/{account_id:int}",
        name="admin-account-save",
        opt={"roles": ("admin",)},
        status_code=HTTP_200_OK,
    )
    async def save_account(self, request: Request, account_id: RowId) -> Template | Redirect:
        form = await request.form()
        try:
            before = await service.get_account(account_id)
            await service.update_account(account_id, form, current_user(request).id)
        except Missing:
            raise NotFoundException() from None
        except Invalid as refused:
            values = {**_values(form), "active": "active" in form}
            return await self._account_page(
                request,
                account_id,
                HTTP_422_UNPROCESSABLE_ENTITY,
                values=values,
                errors=refused.texts(),
            )
        after = await service.get_account(account_id)
        await _record(
            request,
            "admin.account_edit",
            f"{before['username']}: {service.account_changes(before, after)}",
        )
        return Redirect(f"/staff/admin/accounts/{account_id}?done=saved", status_code=303)

    @post(
        "/accounts/{account_id:int}/password",
        name="admin-account-password",
        opt={"roles": ("admin",)},
        status_code=HTTP_200_OK,
    )
    async def reset_password(self, request: Request, account_id: RowId) -> Template:
        try:
            password = await service.reset_password(account_id, current_user(request).id)
        except Missing:
            raise NotFoundException() from None
        except Invalid as refused:
            return await self._account_page(
                request, account_id, HTTP_422_UNPROCESSABLE_ENTITY, errors=refused.texts()
            )
        account = await service.get_account(account_id)
        await _record(request, "admin.password_reset", account["username"])
        return await self._account_page(
            request, account_id, account=account, one_time_password=password
        )

    @post(
        "/accounts/{account_id:int}/schools",
        name="admin-account-assign",
        opt={"roles": ("admin",)},
        status_code=HTTP_200_OK,
    )
    async def assign_schools(self, request: Request, account_id: RowId) -> Template | Redirect:
        form = await request.form()
        try:
            username, added = await service.assign_schools(account_id, form)
        except Missing:
            raise NotFoundException() from None
        except Invalid as refused:
            return await self._account_page(
                request,
                account_id,
                HTTP_422_UNPROCESSABLE_ENTITY,
                assign_values=_values(form),
                errors=refused.texts(),
            )
        if added:
            await _record(request, "admin.assign", f"{username}: {', '.join(added)}")
        done = "assigned" if added else "unchanged"
        return Redirect(f"/staff/admin/accounts/{account_id}?done={done}", status_code=303)

    @post(
        "/accounts/{account_id:int}/schools/{school_id:int}/remove",
        name="admin-account-unassign",
        opt={"roles": ("admin",)},
        status_code=HTTP_200_OK,
    )
    async def unassign_school(
        self, request: Request, account_id: RowId, school_id: RowId
    ) -> Redirect:
        try:
            before = await service.get_account(account_id)
            await service.unassign_school(account_id, school_id)
        except Missing:
            raise NotFoundException() from None
        removed = [row["school.code"] for row in before["schools"] if row["school.id"] == school_id]
        if removed:
            await _record(request, "admin.unassign", f"{before['username']}: {removed[0]}")
        return Redirect(f"/staff/admin/accounts/{account_id}?done=removed", status_code=303)

    # Role policies --------------------------------------------------------

    @get("/policies", name="admin-policies", opt={"roles": ("admin",)})
    async def policies(self, request: Request, done: FromQuery[str] = "") -> Template:
        return self._page(
            request, "policies", policies=await service.role_policies(), notice=_notice(done)
        )

    @post(
        "/policies",
        name="admin-policies-save",
        opt={"roles": ("admin",)},
        status_code=HTTP_200_OK,
    )
    async def save_policies(self, request: Request) -> Template | Redirect:
        form = await request.form()
        chosen = [value for value in form.getall("require_totp", []) if isinstance(value, str)]
        try:
            await service.set_role_policies(chosen)
        except Invalid as refused:
            return self._page(
                request,
                "policies",
                HTTP_422_UNPROCESSABLE_ENTITY,
                policies={role: role in chosen for role in ROLES},
                errors=refused.texts(),
            )
        required = ", ".join(role for role in ROLES if role in chosen) or "none"
        await _record(request, "admin.policies", f"two-step sign-in required for: {required}")
        return Redirect("/staff/admin/policies?done=policies", status_code=303)

    # CSV imports ----------------------------------------------------------

    @get("/imports", name="admin-imports", opt={"roles": ("admin",)})
    async def imports(self, request: Request) -> Template:
        return self._page(request, "imports", result=None)

    @post(
        "/imports/{kind:str}",
        name="admin-import",
        opt={"roles": ("admin",)},
        status_code=HTTP_200_OK,
    )
    async def run_import(self, request: Request, kind: FromPath[str]) -> Template:
        importer = IMPORTERS.get(kind)
        if importer is None:
            raise NotFoundException()
        form = await request.form()
        upload = form.get("file")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
        if data:
            result = await importer(data, current_user(request).id)
        else:
            result = ImportResult(kind, [LineProblem(0, Problem(CHOOSE_FILE))])
        if result.ok:
            await _record(
                request,
                "admin.import",
                f"{kind}: {result.inserted} added, {result.updated} changed",
            )
        status = HTTP_200_OK if result.ok else HTTP_422_UNPROCESSABLE_ENTITY
        return self._page(request, "imports", status, result=result)
