"""The administrator's pages: access by role, regions, schools, accounts, assignments, policies."""

from __future__ import annotations

import html

import pytest

from school_safety.schools.service import school_by_code, search_schools
from school_safety.schools.tables import Region, School
from school_safety.staff.passwords import verify_password
from school_safety.staff.tables import RolePolicy, StaffAccount, StaffSchool, StaffSession
from school_safety.web.locale import LANGUAGE_COOKIE
from tests import support
from tests.admin.helpers import ADMIN, SCHOOL_FORM, post, signed_in_admin


def text_of(response) -> str:
    return html.unescape(response.text)


async def ids(schools) -> dict[str, int]:
    region = await Region.select(Region.id).where(Region.code == "AST").first()
    return {"region": region["id"], "school": schools["AST-001"].id}


def admin_pages(found: dict[str, int]) -> list[str]:
    return [
        "/staff/admin/",
        "/staff/admin/regions",
        f"/staff/admin/regions/{found['region']}",
        "/staff/admin/schools",
        "/staff/admin/schools?q=гимназия&region=" + str(found["region"]),
        "/staff/admin/schools/new",
        f"/staff/admin/schools/{found['school']}",
        "/staff/admin/accounts",
        "/staff/admin/accounts?role=officer&q=ser",
        "/staff/admin/accounts/new",
        f"/staff/admin/accounts/{found['account']}",
        "/staff/admin/policies",
        "/staff/admin/imports",
    ]


def admin_posts(found: dict[str, int]) -> list[str]:
    account, school, region = found["account"], found["school"], found["region"]
    return [
        "/staff/admin/regions",
        f"/staff/admin/regions/{region}",
        "/staff/admin/schools",
        f"/staff/admin/schools/{school}",
        "/staff/admin/accounts",
        f"/staff/admin/accounts/{account}",
        f"/staff/admin/accounts/{account}/password",
        f"/staff/admin/accounts/{account}/schools",
        f"/staff/admin/accounts/{account}/schools/{school}/remove",
        "/staff/admin/policies",
        "/staff/admin/imports/schools",
        "/staff/admin/imports/staff",
    ]


async def test_every_page_answers_the_admin(client, schools):
    found = await ids(schools)
    found["account"] = await support.make_staff("serik", "officer", ("AST-001",))
    await signed_in_admin(client)
    for path in admin_pages(found):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
        assert 'name="_csrf_token"' in response.text or path.endswith("/staff/admin/"), path


@pytest.mark.parametrize(
    ("role", "school_codes", "region_code"),
    [("psychologist", ("AST-001",), None), ("officer", ("AST-001",), None), ("region", (), "AST")],
)
async def test_other_roles_are_refused_everywhere(client, schools, role, school_codes, region_code):
    found = await ids(schools)
    found["account"] = await support.make_staff("target", "officer", ("AST-001",))
    await support.make_staff("someone", role, school_codes, region_code)
    await support.sign_in(client, "someone")
    links = await StaffSchool.count()
    for path in admin_pages(found):
        assert (await client.get(path)).status_code == 403, path
    for path in admin_posts(found):
        response = await post(client, path, {"code": "NEW", "name_kk": "x", "name_ru": "x"})
        assert response.status_code == 403, path
    assert await Region.count() == 2
    assert await StaffSchool.count() == links


async def test_signed_out_visitors_are_sent_to_sign_in(client, schools):
    response = await client.get("/staff/admin/schools", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/login")


def test_every_admin_route_is_for_the_admin_role_only():
    from school_safety.app import create_app

    app = create_app()
    handlers = [
        handler
        for route in app.routes
        if route.path.startswith("/staff/admin")
        for handler in getattr(route, "route_handlers", [])
        # Litestar answers OPTIONS itself on every path.
        if handler.http_methods != {"OPTIONS"}
    ]
    assert len(handlers) >= 20
    for handler in handlers:
        assert handler.opt.get("roles") == ("admin",), handler


async def test_regions_create_edit_and_duplicate_code(client, schools):
    await signed_in_admin(client)
    created = await post(
        client,
        "/staff/admin/regions",
        {"code": "trk", "name_kk": "Түркістан облысы", "name_ru": "Туркестанская область"},
    )
    assert created.status_code == 303
    region = await Region.select().where(Region.code == "TRK").first()
    assert region["name_en"] == "" and created.headers["location"].startswith(
        f"/staff/admin/regions/{region['id']}"
    )
    listed = await client.get("/staff/admin/regions")
    assert "Туркестанская область" in listed.text

    duplicate = await post(
        client, "/staff/admin/regions", {"code": "AST", "name_kk": "Басқа", "name_ru": "Другой"}
    )
    assert duplicate.status_code == 422
    assert "A region with the code AST already exists." in text_of(duplicate)
    assert 'value="Басқа"' in duplicate.text  # what was typed is kept
    assert await Region.count() == 3

    edited = await post(
        client,
        f"/staff/admin/regions/{region['id']}",
        {"name_kk": "Түркістан", "name_ru": "Туркестан", "name_en": "Turkistan Region"},
    )
    assert edited.status_code == 303
    row = await Region.select().where(Region.id == region["id"]).first()
    assert (row["code"], row["name_en"]) == ("TRK", "Turkistan Region")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": ""}, "This field is required."),
        ({"code": "A B"}, "A region code has capital Latin letters"),
        ({"code": "ABCDEFGHIJ"}, "This is too long: at most 8 characters."),
        ({"name_kk": ""}, "This field is required."),
        ({"name_ru": "я" * 201}, "This is too long: at most 200 characters."),
        ({"name_ru": "bad\x00name"}, "This contains characters that are not allowed."),
    ],
)
async def test_bad_region_input_is_a_422_with_a_message(client, schools, fields, message):
    await signed_in_admin(client)
    data = {"code": "NEW", "name_kk": "Жаңа", "name_ru": "Новая", **fields}
    response = await post(client, "/staff/admin/regions", data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert await Region.count() == 2


async def test_school_create_edit_deactivate_and_poster(client, schools):
    found = await ids(schools)
    await signed_in_admin(client)
    created = await post(
        client, "/staff/admin/schools", {**SCHOOL_FORM, "region": str(found["region"])}
    )
    assert created.status_code == 303
    school = await School.select().where(School.code == "AST-100").first()
    assert school["active"] and "сарыарка" in school["search_text"]
    # Pupils find it at once, in Kazakh spelling typed on a Russian keyboard too.
    assert [card.code for card in await search_schools("Сарыарка 100")] == ["AST-100"]
    assert await school_by_code("ast-100") is not None

    page = await client.get(created.headers["location"])
    assert page.status_code == 200 and "Created." in page.text
    assert 'href="/s/AST-100/poster"' in page.text
    assert (await client.get("/s/AST-100/poster")).status_code == 200
    listed = await client.get("/staff/admin/schools", params={"q": "сарыарка"})
    assert "AST-100" in listed.text and "AST-001" not in listed.text
    by_region = await client.get("/staff/admin/schools", params={"region": str(found["region"])})
    assert "AST-001" in by_region.text and "AKT-001" not in by_region.text

    akt = await Region.select(Region.id).where(Region.code == "AKT").first()
    edited = await post(
        client,
        f"/staff/admin/schools/{school['id']}",
        {
            **SCHOOL_FORM,
            "code": "IGNORED",
            "name_ru": "Гимназия № 100",
            "region": str(akt["id"]),
            "active_shown": "1",
        },
    )
    assert edited.status_code == 303
    row = await School.select().where(School.id == school["id"]).first()
    assert row["code"] == "AST-100" and row["name_ru"] == "Гимназия № 100"
    assert row["region"] == akt["id"] and not row["active"]
    assert "гимназия" in row["search_text"]
    # Deactivated: pupils no longer reach it (the cached look-up was forgotten).
    assert await school_by_code("AST-100") is None
    assert (await client.get("/s/AST-100/poster")).status_code == 404
    assert "not active" in (await client.get(f"/staff/admin/schools/{school['id']}")).text

    reactivated = await post(
        client,
        f"/staff/admin/schools/{school['id']}",
        {**SCHOOL_FORM, "region": str(akt["id"]), "active_shown": "1", "active": "1"},
    )
    assert reactivated.status_code == 303
    assert await school_by_code("AST-100") is not None


async def test_school_duplicate_code_and_bad_input(client, schools):
    found = await ids(schools)
    await signed_in_admin(client)
    region = str(found["region"])
    cases = [
        ({"code": "AST-001"}, "A school with the code AST-001 already exists."),
        ({"code": "AST 1"}, "A school code has capital Latin letters"),
        ({"code": "A" * 17}, "This is too long: at most 16 characters."),
        ({"region": ""}, "Choose a region from the list."),
        ({"region": "999999"}, "Choose a region from the list."),
        ({"region": "abc"}, "Choose a region from the list."),
        ({"name_kk": "  "}, "This field is required."),
        ({"town_ru": "т" * 151}, "This is too long: at most 150 characters."),
    ]
    for fields, message in cases:
        response = await post(
            client, "/staff/admin/schools", {**SCHOOL_FORM, "region": region, **fields}
        )
        assert response.status_code == 422, fields
        assert message in text_of(response), fields
    assert await School.count() == 3
    bad_edit = await post(
        client,
        f"/staff/admin/schools/{found['school']}",
        {**SCHOOL_FORM, "region": region, "name_ru": "", "active_shown": "1", "active": "1"},
    )
    assert bad_edit.status_code == 422 and "This field is required." in text_of(bad_edit)
    assert (await client.get("/staff/admin/schools/999999")).status_code == 404
    # Numbers beyond PostgreSQL's integers, or digits that are not ASCII: refused, never a 500.
    assert (await client.get("/staff/admin/schools/99999999999")).status_code == 400
    assert (await client.get("/staff/admin/accounts/0")).status_code == 400
    listed = await client.get("/staff/admin/schools", params={"region": "²", "page": "-3"})
    assert listed.status_code == 200
    for bad_region in ("²", "99999999999"):
        response = await post(client, "/staff/admin/schools", {**SCHOOL_FORM, "region": bad_region})
        assert response.status_code == 422
    missing = await post(client, "/staff/admin/schools/999999", {**SCHOOL_FORM, "region": region})
    assert missing.status_code == 404


async def test_school_list_pages_through_many_schools(client, schools):
    from school_safety.db.engine import write_transaction

    found = await ids(schools)
    async with write_transaction():
        await School.insert(
            *(
                School(
                    code=f"BULK-{n:03d}",
                    region=found["region"],
                    name_kk="Мектеп",
                    name_ru="Школа",
                    name_en="School",
                    town_kk="Қала",
                    town_ru="Город",
                    town_en="Town",
                    search_text=f"bulk-{n:03d} школа",
                )
                for n in range(150)
            )
        )
    await signed_in_admin(client)
    first = await client.get("/staff/admin/schools", params={"q": "bulk"})
    assert "BULK-000" in first.text and "BULK-120" not in first.text
    assert "Page 1 of 2" in first.text
    second = await client.get("/staff/admin/schools", params={"q": "bulk", "page": "2"})
    assert "BULK-120" in second.text and "BULK-000" not in second.text


async def test_account_create_with_one_time_password(client, schools):
    await signed_in_admin(client)
    created = await post(
        client,
        "/staff/admin/accounts",
        {
            "username": "  A.Nurlanovna ",
            "display_name": "Айгерим Нурлановна",
            "role": "psychologist",
            "school_codes": "ast-001; AST-002",
        },
    )
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    password = created.text.split('data-testid="one-time-password">')[1].split("<")[0]
    account = await StaffAccount.select().where(StaffAccount.username == "a.nurlanovna").first()
    assert account["must_change_password"] and account["role"] == "psychologist"
    assert verify_password(account["password_hash"], password)
    assert await StaffSchool.count().where(StaffSchool.account == account["id"]) == 2
    # Shown once: the account's page does not show it again.
    again = await client.get(f"/staff/admin/accounts/{account['id']}")
    assert password not in again.text and "AST-002" in again.text
    listed = await client.get("/staff/admin/accounts", params={"role": "psychologist"})
    assert "a.nurlanovna" in listed.text and "AST-001, AST-002" in listed.text

    # The new user signs in with it and must choose a password first.
    client.cookies.clear()
    signed = await support.sign_in(client, "a.nurlanovna", password)
    assert signed.status_code == 303
    forced = await client.get("/staff/account", follow_redirects=False)
    assert forced.headers["location"] == "/staff/password"

    region_account = await signed_in_admin_again(client)
    created = await post(
        client,
        "/staff/admin/accounts",
        {
            "username": "ast-region",
            "display_name": "Astana",
            "role": "region",
            "region": region_account,
        },
    )
    assert created.status_code == 201
    row = await StaffAccount.select().where(StaffAccount.username == "ast-region").first()
    assert row["region"] == int(region_account)


async def signed_in_admin_again(client) -> str:
    client.cookies.clear()
    await support.sign_in(client, ADMIN)
    client.cookies.set(LANGUAGE_COOKIE, "en")
    region = await Region.select(Region.id).where(Region.code == "AST").first()
    return str(region["id"])


@pytest.mark.parametrize(
    ("fields", "field_message"),
    [
        ({"username": "root"}, "The username root is already taken."),
        ({"username": "ROOT"}, "The username root is already taken."),
        ({"username": ""}, "This field is required."),
        ({"username": "a b"}, "A username has at least 2 characters"),
        ({"username": "u" * 65}, "This is too long: at most 64 characters."),
        ({"display_name": ""}, "This field is required."),
        ({"role": "superuser"}, "Choose one of the roles"),
        ({"role": "region"}, "A regional account needs a region."),
        ({"role": "region", "region": "424242"}, "Choose a region from the list."),
        ({"role": "admin", "school_codes": "AST-001"}, "Only psychologists and police"),
        ({"role": "region", "region": "{AST}", "school_codes": "AST-001"}, "Only psychologists"),
        (
            {"school_codes": "AST-001; NOPE-1; NOPE-2"},
            "There is no school with the code NOPE-1, NOPE-2.",
        ),
    ],
)
async def test_bad_account_input_is_a_422_with_a_message(client, schools, fields, field_message):
    await signed_in_admin(client)
    region = await Region.select(Region.id).where(Region.code == "AST").first()
    data = {"username": "newbie", "display_name": "New", "role": "officer", **fields}
    if data.get("region") == "{AST}":
        data["region"] = str(region["id"])
    response = await post(client, "/staff/admin/accounts", data)
    assert response.status_code == 422
    assert field_message in text_of(response)
    assert await StaffAccount.count() == 1
    assert await StaffSchool.count() == 0


async def test_account_edit_deactivate_and_not_oneself(client, schools):
    admin_id = await signed_in_admin(client)
    officer = await support.make_staff("serik", "officer", ("AST-001", "AST-002"))
    region = await Region.select(Region.id).where(Region.code == "AKT").first()
    edited = await post(
        client,
        f"/staff/admin/accounts/{officer}",
        {
            "display_name": "Serik Bolatov",
            "role": "region",
            "region": str(region["id"]),
            "active": "1",
        },
    )
    assert edited.status_code == 303
    row = await StaffAccount.select().where(StaffAccount.id == officer).first()
    assert (row["display_name"], row["role"], row["region"]) == (
        "Serik Bolatov",
        "region",
        region["id"],
    )
    # A regional account has no schools.
    assert await StaffSchool.count().where(StaffSchool.account == officer) == 0

    # Deactivated (the box left unticked): its sessions end.
    deactivated = await post(
        client,
        f"/staff/admin/accounts/{officer}",
        {"display_name": "Serik Bolatov", "role": "officer"},
    )
    assert deactivated.status_code == 303
    row = await StaffAccount.select().where(StaffAccount.id == officer).first()
    assert not row["active"] and row["region"] is None
    assert await StaffSession.count().where(StaffSession.account == officer) == 0

    for fields in ({"role": "admin"}, {"role": "officer", "active": "1"}):
        refused = await post(
            client, f"/staff/admin/accounts/{admin_id}", {"display_name": "Root", **fields}
        )
        assert refused.status_code == 422
        assert "You cannot deactivate your own account" in text_of(refused)
    row = await StaffAccount.select().where(StaffAccount.id == admin_id).first()
    assert row["active"] and row["role"] == "admin"
    bad = await post(
        client, f"/staff/admin/accounts/{officer}", {"display_name": "", "role": "nobody"}
    )
    assert bad.status_code == 422
    assert "This field is required." in text_of(bad) and "Choose one of the roles" in text_of(bad)
    assert (await client.get("/staff/admin/accounts/999999")).status_code == 404


async def test_deactivated_account_cannot_sign_in(client, schools):
    await signed_in_admin(client)
    officer = await support.make_staff("serik", "officer", ("AST-001",))
    await post(client, f"/staff/admin/accounts/{officer}", {"display_name": "S", "role": "officer"})
    client.cookies.clear()
    assert (await support.sign_in(client, "serik")).status_code == 422


async def test_reset_password(client, schools):
    admin_id = await signed_in_admin(client)
    officer = await support.make_staff("serik", "officer", ("AST-001",))
    reset = await post(client, f"/staff/admin/accounts/{officer}/password")
    assert reset.status_code == 200 and reset.headers["cache-control"] == "no-store"
    password = reset.text.split('data-testid="one-time-password">')[1].split("<")[0]
    row = await StaffAccount.select().where(StaffAccount.id == officer).first()
    assert row["must_change_password"] and verify_password(row["password_hash"], password)
    assert not verify_password(row["password_hash"], "correct horse battery staple")
    own = await post(client, f"/staff/admin/accounts/{admin_id}/password")
    assert own.status_code == 422 and "Change your own password" in text_of(own)
    assert (await post(client, "/staff/admin/accounts/999999/password")).status_code == 404

    client.cookies.clear()
    assert (await support.sign_in(client, "serik")).status_code == 422
    assert (await support.sign_in(client, "serik", password)).status_code == 303


async def test_assign_and_unassign_schools(client, schools):
    await signed_in_admin(client)
    first = await support.make_staff("serik", "officer")
    second = await support.make_staff("dana", "officer")
    psychologist = await support.make_staff("aigerim", "psychologist")
    admin = await support.make_staff("another-admin", "admin")

    # One officer, several schools; one school, several officers and a psychologist.
    done = await post(
        client, f"/staff/admin/accounts/{first}/schools", {"school_codes": "AST-001, ast-002"}
    )
    assert done.status_code == 303 and done.headers["location"].endswith("done=assigned")
    for account in (second, psychologist):
        response = await post(
            client, f"/staff/admin/accounts/{account}/schools", {"school_codes": "AST-001"}
        )
        assert response.status_code == 303
    again = await post(
        client, f"/staff/admin/accounts/{first}/schools", {"school_codes": "AST-001"}
    )
    assert again.headers["location"].endswith("done=unchanged")
    assert await StaffSchool.count().where(StaffSchool.account == first) == 2
    school_page = await client.get(f"/staff/admin/schools/{schools['AST-001'].id}")
    assert all(name in school_page.text for name in ("serik", "dana", "aigerim"))

    for account, codes, message in (
        (admin, "AST-001", "Only psychologists and police inspectors are assigned schools."),
        (first, "NOPE-9", "There is no school with the code NOPE-9."),
        (first, "", "This field is required."),
    ):
        response = await post(
            client, f"/staff/admin/accounts/{account}/schools", {"school_codes": codes}
        )
        assert response.status_code == 422
        assert message in text_of(response)
    assert await StaffSchool.count() == 4

    removed = await post(
        client, f"/staff/admin/accounts/{first}/schools/{schools['AST-001'].id}/remove"
    )
    assert removed.status_code == 303
    left = await StaffSchool.select(StaffSchool.school.code).where(StaffSchool.account == first)
    assert [row["school.code"] for row in left] == ["AST-002"]
    missing = await post(client, "/staff/admin/accounts/999999/schools", {"school_codes": "X"})
    assert missing.status_code == 404


async def test_role_policies(client, schools):
    await signed_in_admin(client)
    saved = await post(
        client, "/staff/admin/policies", {"require_totp": ["officer", "psychologist"]}
    )
    assert saved.status_code == 303
    rows = {row["role"]: row["require_totp"] for row in await RolePolicy.select()}
    assert rows == {"psychologist": True, "officer": True, "region": False, "admin": False}
    page = await client.get("/staff/admin/policies")
    assert page.text.count("checked") == 2

    saved = await post(client, "/staff/admin/policies", {"require_totp": "officer"})
    rows = {row["role"]: row["require_totp"] for row in await RolePolicy.select()}
    assert rows["officer"] and not rows["psychologist"] and await RolePolicy.count() == 4

    refused = await post(client, "/staff/admin/policies", {"require_totp": "janitor"})
    assert refused.status_code == 422 and "Choose one of the roles" in text_of(refused)
    assert await RolePolicy.count().where(RolePolicy.require_totp == True) == 1  # noqa: E712

    # The officer is now asked for a second factor.
    await support.make_staff("serik", "officer", ("AST-001",))
    client.cookies.clear()
    assert (await support.sign_in(client, "serik")).headers["location"] == "/staff/2fa"


async def test_upload_imports_on_the_page(client, schools):
    await signed_in_admin(client)
    good = (
        "code,region_code,name_kk,name_ru,name_en,town_kk,town_ru,town_en\n"
        "AST-200,AST,№ 200 мектеп,Школа № 200,School No. 200,Есіл,Есиль,Yesil\n"
    ).encode()
    done = await post(
        client,
        "/staff/admin/imports/schools",
        files={"file": ("schools.csv", good, "text/csv")},
    )
    assert done.status_code == 200 and "Schools: 1 added, 0 updated." in done.text
    bad = (
        b"username,display_name,role,region_code,school_codes,password\n"
        b"ok,Okay,officer,,AST-001,\n"
        b"bad,Bad,officer,,NOPE-1,\n"
    )
    refused = await post(
        client, "/staff/admin/imports/staff", files={"file": ("staff.csv", bad, "text/csv")}
    )
    assert refused.status_code == 422
    assert "Line 3, school_codes: There is no school with the code NOPE-1." in text_of(refused)
    assert await StaffAccount.count() == 1
    staff = (
        b"username,display_name,role,region_code,school_codes,password\n"
        b"dana,Dana,officer,,AST-001;AST-002,\n"
    )
    created = await post(
        client, "/staff/admin/imports/staff", files={"file": ("staff.csv", staff, "text/csv")}
    )
    assert created.status_code == 200 and "Staff accounts: 1 added, 0 updated." in created.text
    assert "dana" in created.text
    empty = await post(
        client,
        "/staff/admin/imports/schools",
        files={"file": ("empty.csv", b"", "text/csv")},
    )
    assert empty.status_code == 422 and "Choose a CSV file to import." in text_of(empty)
    unknown = await post(
        client, "/staff/admin/imports/pupils", files={"file": ("x.csv", good, "text/csv")}
    )
    assert unknown.status_code == 404


async def test_an_uploaded_staff_file_cannot_take_away_the_uploaders_admin_role(client, schools):
    await signed_in_admin(client)
    demoted = (
        b"username,display_name,role,region_code,school_codes,password\nroot,Root,officer,,,\n"
    )
    refused = await post(
        client, "/staff/admin/imports/staff", files={"file": ("staff.csv", demoted, "text/csv")}
    )
    assert refused.status_code == 422
    assert "You cannot deactivate your own account or take away its administrator role." in (
        text_of(refused)
    )
    row = await StaffAccount.select(StaffAccount.role).where(StaffAccount.username == ADMIN).first()
    assert row["role"] == "admin"
