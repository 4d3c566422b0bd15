"""Helpers shared by the tests: database reset, seed data, forms with CSRF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from piccolo.table import Table
from PIL import Image

from school_safety.audit.tables import AuditEntry
from school_safety.cases.tables import CaseLink, CaseNote, StatusChange
from school_safety.classifier.tables import LabelReview
from school_safety.db.engine import get_engine, is_sqlite, write_transaction
from school_safety.db.migrate import migrate
from school_safety.reports.tables import Evidence, Message, Report
from school_safety.schools.service import search_text_for
from school_safety.schools.tables import Region, School
from school_safety.staff.tables import (
    LoginFailure,
    RolePolicy,
    StaffAccount,
    StaffSchool,
    StaffSession,
)

# Children before parents, for deleting.
TABLES: tuple[type[Table], ...] = (
    AuditEntry,
    CaseNote,
    CaseLink,
    StatusChange,
    LabelReview,
    Message,
    Evidence,
    Report,
    StaffSession,
    LoginFailure,
    RolePolicy,
    StaffSchool,
    StaffAccount,
    School,
    Region,
)


async def reset_schema() -> None:
    engine = get_engine()
    if is_sqlite():
        for table in (*TABLES,):
            await engine.run_ddl(f'DROP TABLE IF EXISTS "{table._meta.tablename}"')
        await engine.run_ddl('DROP TABLE IF EXISTS "migration"')
    else:
        await engine.run_ddl("DROP SCHEMA public CASCADE")
        await engine.run_ddl("CREATE SCHEMA public")
    await migrate()


async def empty_tables() -> None:
    async with write_transaction():
        for table in TABLES:
            await table.delete(force=True)


@dataclass(frozen=True)
class SeededSchool:
    id: int
    code: str
    region_code: str


async def seed_schools() -> dict[str, SeededSchool]:
    """Two regions, three schools: enough to test scope and search."""
    seeded: dict[str, SeededSchool] = {}
    async with write_transaction():
        regions = {}
        for code, kk, ru, en in (
            ("AST", "Астана қаласы", "город Астана", "Astana"),
            ("AKT", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region"),
        ):
            region = Region(code=code, name_kk=kk, name_ru=ru, name_en=en)
            await region.save()
            regions[code] = region.id
        for code, region_code, names, towns in (
            (
                "AST-001",
                "AST",
                ("№ 1 мектеп-гимназия", "Школа-гимназия № 1", "School-Gymnasium No. 1"),
                ("Есіл ауданы", "район Есиль", "Yesil District"),
            ),
            (
                "AST-002",
                "AST",
                ("№ 2 мектеп-лицей", "Школа-лицей № 2", "School-Lyceum No. 2"),
                ("Алматы ауданы", "район Алматы", "Almaty District"),
            ),
            (
                "AKT-001",
                "AKT",
                ("№ 7 жалпы білім беретін мектеп", "Общеобразовательная школа № 7", ""),
                ("Ақтөбе", "Актобе", "Aktobe"),
            ),
        ):
            school = School(
                code=code,
                region=regions[region_code],
                name_kk=names[0],
                name_ru=names[1],
                name_en=names[2],
                town_kk=towns[0],
                town_ru=towns[1],
                town_en=towns[2],
                search_text=search_text_for(code, *names, *towns),
            )
            await school.save()
            seeded[code] = SeededSchool(id=school.id, code=code, region_code=region_code)
    return seeded


_CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = _CSRF_INPUT.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


_RECEIPT = re.compile(r'data-testid="receipt">([0-9 ]+)<')
_CASE = re.compile(r'data-testid="case">([A-Z0-9-]+)<')


def receipt_from(html: str) -> tuple[str, str]:
    receipt, case = _RECEIPT.search(html), _CASE.search(html)
    assert receipt and case, "the page shows no receipt"
    return case.group(1), receipt.group(1).replace(" ", "")


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG carrying GPS coordinates, a camera name and a comment."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"
    exif[0x0110] = "SecretPhoneModel"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 10.0, 30.0)
    gps[3] = "E"
    gps[4] = (71.0, 26.0, 45.0)
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"SecretComment")
    return buffer.getvalue()


async def staff_message(report_id: int, body: str) -> None:
    async with write_transaction():
        await Message(report=report_id, author="staff", body=body).save()


async def report_id_for(case_code: str) -> int:
    row = await Report.select(Report.id).where(Report.case_code == case_code).first()
    assert row, case_code
    return int(row["id"])


async def submit_form(
    client: Any, school_code: str, fields: dict[str, Any], files: Any = None, htmx: bool = False
) -> Any:
    page = await client.get(f"/s/{school_code}")
    token = csrf_token_from(page.text)
    headers = {"hx-request": "true"} if htmx else {}
    return await client.post(
        f"/s/{school_code}/report",
        data={"_csrf_token": token, **fields},
        files=files or {"evidence": ("", b"", "application/octet-stream")},
        headers=headers,
    )


def assert_no_metadata(data: bytes) -> None:
    """The stored picture carries no EXIF, GPS, camera name or comment."""
    image = Image.open(BytesIO(data))
    assert not image.getexif(), "EXIF survived"
    assert "exif" not in image.info and "comment" not in image.info
    assert "icc_profile" not in image.info
    for secret in (b"Exif", b"SecretCameraMaker", b"SecretPhoneModel", b"SecretComment"):
        assert secret not in data, secret


def in_language(language: str, message: str) -> str:
    """The catalogue's translation, which must exist: English is only the source."""
    from school_safety.i18n import translations

    translated = translations(language).gettext(message)
    if language != "en":
        assert translated != message, f"no {language} translation for {message!r}"
    return translated


async def make_staff(
    username: str,
    role: str,
    school_codes: tuple[str, ...] = (),
    region_code: str | None = None,
    password: str = "correct horse battery staple",
    must_change_password: bool = False,
) -> int:
    """A staff account ready to sign in (password already changed unless asked otherwise)."""
    from school_safety.staff.passwords import hash_password

    async with write_transaction():
        region_id = None
        if region_code:
            region = await Region.select(Region.id).where(Region.code == region_code).first()
            region_id = region["id"]
        account = StaffAccount(
            username=username,
            display_name=username.title(),
            role=role,
            password_hash=hash_password(password),
            must_change_password=must_change_password,
            region=region_id,
        )
        await account.save()
        for code in school_codes:
            school = await School.select(School.id).where(School.code == code).first()
            await StaffSchool(account=account.id, school=school["id"]).save()
    return int(account.id)


async def sign_in(
    client: Any, username: str, password: str = "correct horse battery staple"
) -> Any:
    page = await client.get("/staff/login")
    token = csrf_token_from(page.text)
    return await client.post(
        "/staff/login",
        data={"_csrf_token": token, "username": username, "password": password, "next": "/staff/"},
        follow_redirects=False,
    )


async def csrf_for(client: Any, path: str = "/staff/login") -> str:
    return csrf_token_from((await client.get(path)).text)
