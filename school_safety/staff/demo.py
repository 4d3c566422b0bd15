"""Demo staff accounts, one of each role, for trying the platform out.

Demo passwords are fixed and printed, so a tester can always log in; every
demo account must still change its password at first login. Existing
accounts are left alone, so running the demo again never resets a password.
"""

from __future__ import annotations

from dataclasses import dataclass

from school_safety.db.engine import write_transaction
from school_safety.schools.tables import Region, School
from school_safety.staff.passwords import hash_password
from school_safety.staff.tables import StaffAccount, StaffSchool

DEMO_SCHOOLS = ("AST-001", "AST-002")
DEMO_REGION = "AST"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    schools: tuple[str, ...] = ()
    region: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Administrator", "admin"),
    DemoAccount("psychologist", "Aigerim Nurlanovna (psychologist)", "psychologist", DEMO_SCHOOLS),
    DemoAccount("officer", "Inspector Serik Bolatov", "officer", DEMO_SCHOOLS),
    DemoAccount("region", "Astana child-rights department", "region", region=DEMO_REGION),
)


def demo_password(account: DemoAccount) -> str:
    return f"demo-{account.username}-pass"


async def load_demo_staff() -> list[tuple[DemoAccount, bool]]:
    """Each demo account, and whether it was created now."""
    created: list[tuple[DemoAccount, bool]] = []
    async with write_transaction():
        existing = {row["username"] for row in await StaffAccount.select(StaffAccount.username)}
        for account in DEMO_ACCOUNTS:
            if account.username in existing:
                created.append((account, False))
                continue
            region_id = None
            if account.region:
                region = await Region.select(Region.id).where(Region.code == account.region).first()
                region_id = region["id"] if region else None
            row = StaffAccount(
                username=account.username,
                display_name=account.display_name,
                role=account.role,
                password_hash=hash_password(demo_password(account)),
                must_change_password=True,
                region=region_id,
            )
            await row.save()
            for code in account.schools:
                school = await School.select(School.id).where(School.code == code).first()
                if school:
                    await StaffSchool(account=row.id, school=school["id"]).save()
            created.append((account, True))
    return created
