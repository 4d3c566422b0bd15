"""What the admin tests share: a signed-in administrator, form posts, a school's form."""

from __future__ import annotations

from school_safety.web.locale import LANGUAGE_COOKIE
from tests import support

ADMIN = "root"


async def signed_in_admin(client) -> int:
    account_id = await support.make_staff(ADMIN, "admin")
    assert (await support.sign_in(client, ADMIN)).status_code == 303
    # Messages are checked in English, the source language.
    client.cookies.set(LANGUAGE_COOKIE, "en")
    return account_id


async def post(client, path: str, data: dict | None = None, **kwargs):
    token = await support.csrf_for(client)
    return await client.post(
        path, data={"_csrf_token": token, **(data or {})}, follow_redirects=False, **kwargs
    )


SCHOOL_FORM = {
    "code": "ast-100",
    "name_kk": "№ 100 мектеп",
    "name_ru": "Школа № 100",
    "name_en": "School No. 100",
    "town_kk": "Сарыарқа ауданы",
    "town_ru": "район Сарыарка",
    "town_en": "Saryarka District",
}
