"""Every administration action lands in the audit log, with who did it and to what."""

from __future__ import annotations

from school_safety.admin.service import account_changes
from school_safety.audit.log import verify
from school_safety.audit.tables import AuditEntry
from school_safety.schools.tables import Region
from tests import support
from tests.admin.helpers import ADMIN, SCHOOL_FORM, post, signed_in_admin


async def admin_entries() -> list[tuple[str, str, str, str]]:
    rows = await AuditEntry.select(
        AuditEntry.actor_username, AuditEntry.actor_role, AuditEntry.action, AuditEntry.detail
    ).order_by(AuditEntry.id)
    return [
        (row["actor_username"], row["actor_role"], row["action"], row["detail"])
        for row in rows
        if row["action"].startswith("admin.")
    ]


async def test_each_admin_action_is_recorded_once_it_is_done(client, schools):
    await signed_in_admin(client)
    region = await Region.select(Region.id).where(Region.code == "AST").first()
    officer = await support.make_staff("serik", "officer", ("AST-001",))

    steps = [
        ("/staff/admin/regions", {"code": "trk", "name_kk": "Түркістан", "name_ru": "Туркестан"}),
        (f"/staff/admin/regions/{region['id']}", {"name_kk": "Астана", "name_ru": "Астана"}),
        ("/staff/admin/schools", {**SCHOOL_FORM, "region": str(region["id"])}),
        (
            "/staff/admin/accounts",
            {
                "username": "aigerim",
                "display_name": "Aigerim",
                "role": "psychologist",
                "school_codes": "AST-001",
            },
        ),
        (
            f"/staff/admin/accounts/{officer}",
            # Without "active": the account is switched off.
            {"display_name": "Serik Bolatov", "role": "officer", "region": ""},
        ),
        (f"/staff/admin/accounts/{officer}/password", {}),
        (f"/staff/admin/accounts/{officer}/schools", {"school_codes": "AST-002"}),
        (f"/staff/admin/accounts/{officer}/schools/{schools['AST-001'].id}/remove", {}),
        ("/staff/admin/policies", {"require_totp": ["officer", "psychologist"]}),
        # Saved with its "active" box shown and left empty: the school is switched off.
        (
            f"/staff/admin/schools/{schools['AST-002'].id}",
            {**SCHOOL_FORM, "region": str(region["id"]), "active_shown": "1"},
        ),
    ]
    for path, form in steps:
        response = await post(client, path, form)
        assert response.status_code in (200, 201, 303), (path, response.status_code)
    imported = await post(
        client,
        "/staff/admin/imports/schools",
        files={
            "file": (
                "schools.csv",
                "code,region_code,name_kk,name_ru,name_en,town_kk,town_ru,town_en\n"
                "AST-200,AST,Мектеп,Школа,School,Есіл,Есиль,Yesil\n".encode(),
                "text/csv",
            )
        },
    )
    assert imported.status_code == 200

    assert await admin_entries() == [
        (ADMIN, "admin", "admin.region_create", "region TRK"),
        (ADMIN, "admin", "admin.region_edit", "region AST"),
        (ADMIN, "admin", "admin.school_create", "school AST-100"),
        (ADMIN, "admin", "admin.account_create", "aigerim as psychologist for AST-001"),
        (ADMIN, "admin", "admin.account_edit", "serik: active: yes → no; name"),
        (ADMIN, "admin", "admin.password_reset", "serik"),
        (ADMIN, "admin", "admin.assign", "serik: AST-002"),
        (ADMIN, "admin", "admin.unassign", "serik: AST-001"),
        (ADMIN, "admin", "admin.policies", "two-step sign-in required for: psychologist, officer"),
        (ADMIN, "admin", "admin.school_edit", "school AST-002 (deactivated)"),
        (ADMIN, "admin", "admin.import", "schools: 1 added, 0 changed"),
    ]
    assert (await verify()).ok


async def test_a_refused_action_is_not_recorded(client, schools):
    await signed_in_admin(client)
    refused = [
        await post(client, "/staff/admin/regions", {"code": "AST", "name_kk": "x", "name_ru": "y"}),
        await post(client, "/staff/admin/accounts", {"username": "", "role": "officer"}),
        await post(client, "/staff/admin/policies", {"require_totp": "nobody"}),
        await post(
            client,
            "/staff/admin/imports/staff",
            files={"file": ("staff.csv", b"username,display_name,role\nx,X,nope\n", "text/csv")},
        ),
    ]
    assert [response.status_code for response in refused] == [422] * 4
    assert await admin_entries() == []


async def test_only_administrators_read_administration_entries(client, schools):
    await signed_in_admin(client)
    await post(client, "/staff/admin/policies", {"require_totp": "officer"})
    page = await client.get("/staff/audit", params={"action": "admin.*"})
    assert page.status_code == 200 and "Changed the sign-in rules" in page.text

    client.cookies.clear()
    await support.make_staff("akimat", "region", region_code="AST")
    assert (await support.sign_in(client, "akimat")).status_code == 303
    page = await client.get("/staff/audit", params={"action": "admin.*"})
    assert page.status_code == 200 and "two-step sign-in required" not in page.text


def test_account_changes_name_what_an_edit_changed():
    before = {
        "role": "officer",
        "region.code": None,
        "active": True,
        "display_name": "Serik",
        "schools": [{"school.code": "AST-001"}, {"school.code": "AST-002"}],
    }
    after = {**before, "role": "region", "region.code": "AKT", "schools": []}
    assert account_changes(before, after) == (
        "role: officer → region; region: - → AKT; schools removed: AST-001, AST-002"
    )
    assert account_changes(before, dict(before)) == "no change"
