"""Who a staff member is, what role they have, and which schools they may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from school_safety.i18n import N_

PSYCHOLOGIST: Final = "psychologist"
OFFICER: Final = "officer"
REGION: Final = "region"
ADMIN: Final = "admin"
ROLES: Final[tuple[str, ...]] = (PSYCHOLOGIST, OFFICER, REGION, ADMIN)
# Roles that work for particular schools (the others see a region, or everything).
SCHOOL_ROLES: Final[tuple[str, ...]] = (PSYCHOLOGIST, OFFICER)
ROLE_NAMES: Final[dict[str, str]] = {
    PSYCHOLOGIST: N_("School psychologist"),
    OFFICER: N_("Juvenile police inspector"),
    REGION: N_("Regional child-rights department"),
    ADMIN: N_("Administrator"),
}


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    display_name: str
    role: str
    # Schools of a psychologist or officer; empty for region and admin accounts.
    school_ids: frozenset[int]
    # The region of a `region` account.
    region_id: int | None
    must_change_password: bool
    # The account has TOTP on, or its role requires it and this session has verified no code.
    totp_required: bool
