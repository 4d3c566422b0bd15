"""CSV imports of schools and staff: all or nothing, every bad line reported, from the CLI too."""

from __future__ import annotations

import asyncio

import pytest

from school_safety.admin import imports
from school_safety.admin.imports import import_schools, import_staff, read_rows
from school_safety.admin.service import (
    REGION_REQUIRED,
    SCHOOLS_NOT_ALLOWED,
    UNKNOWN_REGION,
    UNKNOWN_SCHOOLS,
)
from school_safety.audit.tables import AuditEntry
from school_safety.cli import main
from school_safety.schools.service import school_by_code, search_schools
from school_safety.schools.tables import Region, School
from school_safety.staff.passwords import verify_password
from school_safety.staff.tables import StaffAccount, StaffSchool

SCHOOLS_HEADER = "code,region_code,name_kk,name_ru,name_en,town_kk,town_ru,town_en"
STAFF_HEADER = "username,display_name,role,region_code,school_codes,password"


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


async def snapshot() -> tuple:
    """Everything an import may change, to compare before and after."""
    return (
        await School.select().order_by(School.id),
        await StaffAccount.select(
            StaffAccount.id,
            StaffAccount.username,
            StaffAccount.display_name,
            StaffAccount.role,
            StaffAccount.region,
            StaffAccount.password_hash,
            StaffAccount.must_change_password,
        ).order_by(StaffAccount.id),
        await StaffSchool.select(StaffSchool.account, StaffSchool.school).order_by(StaffSchool.id),
    )


async def test_good_schools_file_is_applied(schools):
    result = await import_schools(
        csv_file(
            SCHOOLS_HEADER,
            "ast-010,ast,№ 10 мектеп,Школа № 10,School No. 10,Есіл ауданы,район Есиль,Yesil",
            'AKT-002,AKT,"№ 2 мектеп, гимназия",Гимназия № 2,,Ақтөбе,Актобе,Aktobe',
        )
    )
    assert result.ok, [problem.text() for problem in result.problems]
    assert (result.inserted, result.updated) == (2, 0)
    row = await School.select().where(School.code == "AKT-002").first()
    assert row["name_kk"] == "№ 2 мектеп, гимназия" and row["name_en"] == "" and row["active"]
    assert await School.count() == 5
    assert [card.code for card in await search_schools("Есиль 10")] == ["AST-010"]


async def test_update_by_code(schools):
    assert await school_by_code("AST-001") is not None  # now cached
    result = await import_schools(
        csv_file(
            SCHOOLS_HEADER + ",active",
            "AST-001,AKT,Жаңа атауы,Новое название,New name,Ақтөбе,Актобе,Aktobe,0",
            "AST-002,AST,№ 2 мектеп-лицей,Школа-лицей № 2,,Алматы ауданы,район Алматы,,",
            "AST-003,AST,№ 3 мектеп,Школа № 3,School No. 3,Есіл,Есиль,Yesil,да",
        )
    )
    assert result.ok and (result.inserted, result.updated) == (1, 2)
    assert await School.count() == 4
    first = await School.select().where(School.code == "AST-001").first()
    akt = await Region.select(Region.id).where(Region.code == "AKT").first()
    assert first["name_ru"] == "Новое название" and first["region"] == akt["id"]
    assert not first["active"] and "новое" in first["search_text"]
    # The cache was forgotten: the deactivated school is gone for pupils at once.
    assert await school_by_code("AST-001") is None
    # An empty `active` leaves an existing school as it was.
    second = await School.select().where(School.code == "AST-002").first()
    assert second["active"] and second["name_en"] == ""


async def test_two_bad_rows_are_both_reported_and_nothing_changes(schools):
    before = await snapshot()
    result = await import_schools(
        csv_file(
            SCHOOLS_HEADER,
            "AST-001,AST,Жаңа,Новая,New,Есіл,Есиль,Yesil",
            "AST-050,XXX,Мектеп,Школа,School,Есіл,Есиль,Yesil",
            "AST-051,AST,Мектеп,Школа,School,Есіл,Есиль,Yesil",
            "AST-051,AST,,Школа,School,Есіл,Есиль,Yesil",
        )
    )
    assert not result.ok and result.inserted == result.updated == 0
    found = {(problem.line, problem.column) for problem in result.problems}
    assert found == {(3, "region_code"), (5, "code"), (5, "name_kk")}
    unknown = next(problem for problem in result.problems if problem.line == 3)
    assert unknown.problem.message == UNKNOWN_REGION and unknown.problem.params == {"code": "XXX"}
    duplicate = next(p for p in result.problems if p.column == "code")
    assert duplicate.problem.params == {"value": "AST-051", "line": 4}
    assert await snapshot() == before


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"", 1),
        (b"code,region\nAST-1,AST\n", 1),
        (b"name_kk,code\n", 1),
        (csv_file(SCHOOLS_HEADER), 2),
        (csv_file(SCHOOLS_HEADER, "AST-9,AST,a,b"), 2),
        (csv_file(SCHOOLS_HEADER, "", "AST-9,AST,a,b,c,d,e,f,g,h"), 3),
        (csv_file(SCHOOLS_HEADER, 'AST-9,AST,"open quote,b,c,d,e,f'), 2),
        (csv_file(SCHOOLS_HEADER, "AST-9,AST,Мектеп,Школа,,Есіл,Есиль,"), None),
        ((SCHOOLS_HEADER + "\nAST-9,AST,Мектеп,").encode() + "Школа".encode("cp1251"), 2),
    ],
)
def test_file_problems_have_line_numbers(data, line):
    rows, problems = read_rows(data, imports.SCHOOL_COLUMNS, imports.SCHOOL_OPTIONAL_COLUMNS)
    if line is None:
        assert rows and not problems
    else:
        assert [problem.line for problem in problems] == [line], problems


def test_excel_files_with_a_byte_order_mark_and_semicolons_are_read():
    data = ("\ufeff" + SCHOOLS_HEADER.replace(",", ";") + "\nAST-9;AST;a;b;;c;d;\r\n").encode()
    rows, problems = read_rows(data, imports.SCHOOL_COLUMNS)
    assert not problems
    values = ["AST-9", "AST", "a", "b", "", "c", "d", ""]
    assert rows == [(2, dict(zip(imports.SCHOOL_COLUMNS, values, strict=True)))]


async def test_good_staff_file_is_applied_and_updates_by_username(schools):
    await import_staff(csv_file(STAFF_HEADER, "Serik,Serik B,officer,,AST-001,"))
    serik = await StaffAccount.select().where(StaffAccount.username == "serik").first()
    result = await import_staff(
        csv_file(
            STAFF_HEADER,
            "aigerim,Айгерим,psychologist,,AST-001;AST-002,",
            "dana,Dana,officer,,ast-001,",
            "ast-region,Astana department,region,AST,,a long chosen password",
            "boss,The boss,admin,,,",
            "serik,Serik Bolatov,officer,,AST-002; AKT-001,",
        )
    )
    assert result.ok, [problem.text() for problem in result.problems]
    assert (result.inserted, result.updated) == (4, 1)
    # Generated passwords are reported once, for new accounts without one.
    generated = dict(result.passwords)
    assert set(generated) == {"aigerim", "dana", "boss"}
    accounts = {row["username"]: row for row in await StaffAccount.select()}
    assert verify_password(accounts["aigerim"]["password_hash"], generated["aigerim"])
    assert verify_password(accounts["ast-region"]["password_hash"], "a long chosen password")
    assert all(accounts[name]["must_change_password"] for name in generated)
    region = await Region.select(Region.id).where(Region.code == "AST").first()
    assert accounts["ast-region"]["region"] == region["id"]
    # An existing account keeps its password; its schools are replaced.
    assert accounts["serik"]["password_hash"] == serik["password_hash"]
    assert accounts["serik"]["display_name"] == "Serik Bolatov"
    links = await StaffSchool.select(StaffSchool.account.username, StaffSchool.school.code)
    pairs = {(row["account.username"], row["school.code"]) for row in links}
    assert pairs == {
        ("aigerim", "AST-001"),
        ("aigerim", "AST-002"),
        ("dana", "AST-001"),
        ("serik", "AST-002"),
        ("serik", "AKT-001"),
    }

    # A password given for an existing account replaces it, to be changed at sign-in.
    again = await import_staff(
        csv_file(STAFF_HEADER, "serik,Serik Bolatov,officer,,AST-002,another long password")
    )
    assert again.ok and (again.inserted, again.updated, again.passwords) == (0, 1, [])
    row = await StaffAccount.select().where(StaffAccount.username == "serik").first()
    assert verify_password(row["password_hash"], "another long password")
    assert row["must_change_password"]


async def test_an_import_cannot_lock_the_importing_administrator_out(schools):
    await import_staff(csv_file(STAFF_HEADER, "root,Root,admin,,,"))
    root = await StaffAccount.select().where(StaffAccount.username == "root").first()
    before = await snapshot()
    refused = await import_staff(
        csv_file(
            STAFF_HEADER,
            "root,Root,officer,,AST-001,",
            "dana,Dana,officer,,AST-001,",
        ),
        acting_user_id=root["id"],
    )
    assert [(p.line, p.column) for p in refused.problems] == [(2, "role")]
    refused = await import_staff(
        csv_file(STAFF_HEADER, "root,Root,admin,,,a new long password for root"),
        acting_user_id=root["id"],
    )
    assert [(p.line, p.column) for p in refused.problems] == [(2, "password")]
    assert await snapshot() == before
    # Their own row may stay as it is, and the rest of the file applies.
    applied = await import_staff(
        csv_file(STAFF_HEADER, "root,Root Admin,admin,,,", "dana,Dana,officer,,AST-001,"),
        acting_user_id=root["id"],
    )
    assert applied.ok and (applied.inserted, applied.updated) == (1, 1)
    # Someone else's account, or the command line (no acting account), is not held back.
    other = await import_staff(csv_file(STAFF_HEADER, "root,Root,officer,,AST-001,"))
    assert other.ok


async def test_bad_staff_rows_are_all_reported_and_nothing_changes(schools):
    await import_staff(csv_file(STAFF_HEADER, "serik,Serik,officer,,AST-001,"))
    before = await snapshot()
    result = await import_staff(
        csv_file(
            STAFF_HEADER,
            "aigerim,Aigerim,psychologist,,AST-001,",  # 2: fine
            "dana,Dana,officer,,AST-001;NOPE-1,",  # 3: unknown school
            "reg,Region,region,,,",  # 4: region missing
            "reg2,Region,region,ZZZ,,",  # 5: unknown region
            "boss,Boss,admin,,AST-001,",  # 6: schools for an admin
            "who,Who,janitor,,,",  # 7: bad role
            "aigerim,Again,officer,,,",  # 8: duplicate username
            ",No name,officer,,,",  # 9: missing username
            "weak,Weak,officer,,,short",  # 10: too short a password
            "psy,Psy,psychologist,AST,,",  # 11: region for a psychologist
            "serik,Serik,officer,,AST-002,",  # 12: fine (an update)
        )
    )
    assert not result.ok
    by_line = {problem.line: problem for problem in result.problems}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert by_line[3].column == "school_codes" and by_line[3].problem.message == UNKNOWN_SCHOOLS
    assert by_line[3].problem.params == {"codes": "NOPE-1"}
    assert by_line[4].problem.message == REGION_REQUIRED
    assert by_line[5].problem.message == UNKNOWN_REGION
    assert by_line[6].problem.message == SCHOOLS_NOT_ALLOWED
    assert by_line[7].column == "role"
    assert by_line[8].column == "username" and by_line[8].problem.params["line"] == 2
    assert by_line[9].column == "username"
    assert by_line[10].column == "password"
    assert by_line[11].column == "region_code"
    assert await snapshot() == before


@pytest.fixture
def english(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def count_schools() -> int:
    return asyncio.run(School.count().run())


def test_cli_applies_a_good_file(schools, tmp_path, capsys, english):
    path = tmp_path / "schools.csv"
    path.write_bytes(csv_file(SCHOOLS_HEADER, "AST-300,AST,Мектеп,Школа,School,Есіл,Есиль,Yesil"))
    assert main(["import", "schools", str(path)]) == 0
    assert "Schools: 1 added, 0 updated." in capsys.readouterr().out
    assert count_schools() == 4
    staff = tmp_path / "staff.csv"
    staff.write_bytes(csv_file(STAFF_HEADER, "dana,Dana,officer,,AST-300,"))
    assert main(["import", "staff", str(staff)]) == 0
    out = capsys.readouterr().out
    assert "Staff accounts: 1 added, 0 updated." in out
    password = out.split("dana", 1)[1].split()[0]
    row = asyncio.run(StaffAccount.select().where(StaffAccount.username == "dana").first().run())
    assert verify_password(row["password_hash"], password)
    recorded = asyncio.run(
        AuditEntry.select(AuditEntry.actor_role, AuditEntry.detail)
        .where(AuditEntry.action == "admin.import")
        .order_by(AuditEntry.id)
        .run()
    )
    assert recorded == [
        {"actor_role": "system", "detail": "schools from the command line: 1 added, 0 changed"},
        {"actor_role": "system", "detail": "staff from the command line: 1 added, 0 changed"},
    ]


def test_cli_refuses_a_bad_file_with_exit_2(schools, tmp_path, capsys, english):
    path = tmp_path / "schools.csv"
    path.write_bytes(
        csv_file(
            SCHOOLS_HEADER,
            "AST-300,AST,Мектеп,Школа,School,Есіл,Есиль,Yesil",
            "AST-301,NOPE,Мектеп,Школа,School,Есіл,Есиль,Yesil",
            "AST-302,AST,Мектеп,,School,Есіл,Есиль,Yesil",
        )
    )
    assert main(["import", "schools", str(path)]) == 2
    captured = capsys.readouterr()
    assert "Line 3, region_code: There is no region with the code NOPE." in captured.err
    assert "Line 4, name_ru: This field is required." in captured.err
    assert "Nothing was changed" in captured.err and captured.out == ""
    assert count_schools() == 3
    assert asyncio.run(AuditEntry.count().run()) == 0


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ((SCHOOLS_HEADER + "\nAST-9,AST,Мектеп,Школа,,Есіл,Есиль,\n").encode("cp1251"), 2),
        ((SCHOOLS_HEADER + "\nAST-9,AST,Мектеп,Школа,,Есіл,Есиль,\n").encode("utf-16"), 1),
        (b"\xff\xfe\x00garbage", 1),
    ],
)
def test_cli_reports_bad_encoding_without_a_traceback(
    schools, tmp_path, capsys, english, data, line
):
    path = tmp_path / "schools.csv"
    path.write_bytes(data)
    assert main(["import", "schools", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"Line {line}: The file is not UTF-8 text." in err and "Traceback" not in err
    assert count_schools() == 3


def test_cli_wrong_header_and_missing_file(schools, tmp_path, capsys, english):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_file("user,name,role", "x,y,admin"))
    assert main(["import", "staff", str(path)]) == 2
    assert f"Line 1: The first line must be the header: {STAFF_HEADER}" in capsys.readouterr().err
    assert main(["import", "staff", str(tmp_path / "missing.csv")]) == 2
    assert "The file cannot be read." in capsys.readouterr().err


def test_cli_language_follows_the_locale():
    assert imports.cli_language({"LANG": "ru_RU.UTF-8"}) == "ru"
    assert imports.cli_language({"LC_ALL": "kk_KZ.UTF-8", "LANG": "ru_RU.UTF-8"}) == "kk"
    assert imports.cli_language({"LANG": "de_DE.UTF-8"}) == "en"
    assert imports.cli_language({}) == "en"
