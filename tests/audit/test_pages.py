"""The audit log page: region and admin only, scoped to the region, never the report's text."""

from __future__ import annotations

import re

import pytest

from school_safety.audit.log import PAGE_SIZE, record
from school_safety.audit.tables import AuditEntry
from tests import support
from tests.audit.common import make_report, staff_user

SECRET_TEXT = "Ерлан из 7Б каждый день отбирает у меня деньги"
ENTRY = re.compile(r'data-testid="audit-entry" data-id="(\d+)"')
OLDER = re.compile(r'href="(/staff/audit\?[^"]*before=\d+)"')


def shown_ids(html: str) -> list[int]:
    return [int(found) for found in ENTRY.findall(html)]


async def _entries(schools) -> dict[str, tuple[str, int]]:
    """A view and a status change in Astana, a view in Aktobe, one system entry."""
    psychologist = await staff_user("aigerim", "psychologist")
    astana = await make_report(schools["AST-001"].id, text=SECRET_TEXT)
    aktobe = await make_report(schools["AKT-001"].id, text=SECRET_TEXT)
    await record(psychologist, "case.view", report_id=astana.id)
    await record(psychologist, "case.status", report_id=astana.id, detail="new → in_progress")
    await record(psychologist, "case.view", report_id=aktobe.id)
    await record(None, "admin.retention", detail="0 reports deleted")
    ids = [row["id"] for row in await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id)]
    return {
        "astana_view": (astana.case_code, ids[0]),
        "astana_status": (astana.case_code, ids[1]),
        "aktobe_view": (aktobe.case_code, ids[2]),
        "system": ("", ids[3]),
    }


async def test_admin_sees_every_entry_newest_first(client, schools):
    entries = await _entries(schools)
    await support.make_staff("root", "admin")
    await support.sign_in(client, "root")
    page = await client.get("/staff/audit")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    ids = [entry_id for _code, entry_id in entries.values()]
    assert shown_ids(page.text) == sorted(ids, reverse=True)
    assert entries["aktobe_view"][0] in page.text and entries["astana_view"][0] in page.text
    assert "aigerim" in page.text and "new → in_progress" in page.text
    assert SECRET_TEXT not in page.text and "Ерлан" not in page.text


async def test_region_sees_only_its_region(client, schools):
    entries = await _entries(schools)
    await support.make_staff("astana", "region", region_code="AST")
    await support.sign_in(client, "astana")
    page = await client.get("/staff/audit")
    assert page.status_code == 200
    assert shown_ids(page.text) == [entries["astana_status"][1], entries["astana_view"][1]]
    assert entries["aktobe_view"][0] not in page.text
    assert SECRET_TEXT not in page.text
    # Asking for the other region's case by its code shows nothing either.
    other = await client.get("/staff/audit", params={"case": entries["aktobe_view"][0]})
    assert other.status_code == 200 and shown_ids(other.text) == []


@pytest.mark.parametrize("role", ["psychologist", "officer"])
async def test_school_staff_may_not_read_the_log(client, schools, role):
    await _entries(schools)
    await support.make_staff("someone", role, ("AST-001",))
    await support.sign_in(client, "someone")
    page = await client.get("/staff/audit")
    assert page.status_code == 403
    assert 'data-testid="audit-entry"' not in page.text


async def test_signed_out_visitors_are_sent_to_sign_in(client, schools):
    response = await client.get("/staff/audit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/login")


async def test_filters_by_case_and_action_with_htmx_fragments(client, schools):
    entries = await _entries(schools)
    await support.make_staff("root", "admin")
    await support.sign_in(client, "root")
    astana_code = entries["astana_view"][0]

    by_case = await client.get(
        "/staff/audit", params={"case": astana_code.lower()}, headers={"hx-request": "true"}
    )
    assert by_case.status_code == 200
    assert "<html" not in by_case.text and 'id="audit-rows"' in by_case.text
    assert shown_ids(by_case.text) == [entries["astana_status"][1], entries["astana_view"][1]]

    by_action = await client.get("/staff/audit", params={"action": "case.view"})
    assert "<html" in by_action.text
    assert shown_ids(by_action.text) == [entries["aktobe_view"][1], entries["astana_view"][1]]

    both = await client.get("/staff/audit", params={"case": astana_code, "action": "case.status"})
    assert shown_ids(both.text) == [entries["astana_status"][1]]

    group = await client.get("/staff/audit", params={"action": "admin.*"})
    assert shown_ids(group.text) == [entries["system"][1]]

    for junk in ({"case": "not a code"}, {"action": "%"}, {"action": "case.%"}):
        nothing = await client.get("/staff/audit", params=junk)
        assert nothing.status_code == 200 and shown_ids(nothing.text) == []

    # Going back in history, htmx asks for the whole page.
    restore = await client.get(
        "/staff/audit",
        headers={"hx-request": "true", "hx-history-restore-request": "true"},
    )
    assert "<html" in restore.text


async def test_entries_are_escaped(client, schools):
    user = await staff_user("aigerim", "psychologist")
    report = await make_report(schools["AST-001"].id)
    await record(user, "case.note", report_id=report.id, detail="<script>alert(1)</script>")
    await support.make_staff("root", "admin")
    await support.sign_in(client, "root")
    page = await client.get("/staff/audit")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_long_logs_are_paged(client, schools):
    admin = await staff_user("root", "admin")
    for n in range(PAGE_SIZE + 5):
        await record(admin, "admin.settings", detail=f"change {n}")
    await support.sign_in(client, "root")
    ids = [row["id"] for row in await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id)]
    first = await client.get("/staff/audit")
    assert shown_ids(first.text) == ids[::-1][:PAGE_SIZE]
    older = OLDER.search(first.text)
    assert older, "no link to older entries"
    second = await client.get(older.group(1).replace("&amp;", "&"))
    assert shown_ids(second.text) == ids[::-1][PAGE_SIZE:]
    assert not OLDER.search(second.text)
    assert 'href="/staff/audit?case=&amp;action="' in second.text  # back to the newest


async def test_a_page_mark_past_any_row_id_is_a_400_not_a_500(client, schools):
    await staff_user("root", "admin")
    await support.sign_in(client, "root")
    assert (await client.get("/staff/audit", params={"before": "5"})).status_code == 200
    for before in ("2147483648", "9" * 20, "0", "-1", "abc"):
        page = await client.get("/staff/audit", params={"before": before})
        assert page.status_code == 400, before
        assert "Traceback" not in page.text
