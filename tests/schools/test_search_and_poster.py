"""Finding a school from the start page and the API; the school's poster."""

from __future__ import annotations

import re

from school_safety.schools.service import search_schools


async def test_search_by_name_town_code_in_any_alphabet(schools):
    async def codes(query: str) -> list[str]:
        return [school.code for school in await search_schools(query)]

    assert await codes("гимназия") == ["AST-001"]
    assert await codes("мектеп-лицей") == ["AST-002"]
    assert await codes("ast-00") == ["AST-001", "AST-002"]
    assert await codes("Lyceum") == ["AST-002"]
    # Kazakh letters typed on a Russian keyboard still find the school.
    assert await codes("Актобе") == ["AKT-001"]
    assert await codes("ақтөбе") == ["AKT-001"]
    assert await codes("ЕСІЛ") == ["AST-001"]
    assert await codes("школа 7 актобе") == ["AKT-001"]
    assert await codes("%") == []
    assert await codes("_") == []
    assert await codes("") == []


async def test_home_page_search_full_and_htmx(client, schools):
    page = await client.get("/", params={"q": "лицей"})
    assert page.status_code == 200
    assert 'href="/s/AST-002"' in page.text
    assert "<html" in page.text
    fragment = await client.get("/", params={"q": "лицей"}, headers={"hx-request": "true"})
    assert 'href="/s/AST-002"' in fragment.text
    assert "<html" not in fragment.text
    nothing = await client.get("/", params={"q": "zzzz"})
    assert 'href="/s/' not in nothing.text


async def test_schools_api(client, schools):
    found = (await client.get("/api/v1/schools", params={"q": "актобе"})).json()["schools"]
    assert [school["code"] for school in found] == ["AKT-001"]
    assert found[0]["name"]["ru"] == "Общеобразовательная школа № 7"
    assert found[0]["region"] == "AKT"


async def test_poster_has_the_schools_link_as_qr_and_both_languages(client, schools):
    poster = await client.get("/s/AST-001/poster")
    assert poster.status_code == 200
    assert "<svg" in poster.text
    assert "http://127.0.0.1:8000/s/AST-001" in poster.text
    assert "№ 1 мектеп-гимназия" in poster.text and "Школа-гимназия № 1" in poster.text
    for number in ("111", "150", "112"):
        assert re.search(rf"<strong>{number}</strong>", poster.text)
    assert 'lang="kk"' in poster.text and 'lang="ru"' in poster.text
    assert (await client.get("/s/NOPE-1/poster")).status_code == 404


async def test_poster_qr_code_encodes_exactly_the_schools_link(client, schools):
    from school_safety.schools.pages import qr_svg

    poster = (await client.get("/s/AST-001/poster")).text
    svg = re.search(r"<svg.*?</svg>", poster, re.S)
    assert svg
    assert svg.group(0) == str(qr_svg("http://127.0.0.1:8000/s/AST-001"))
    assert svg.group(0) != str(qr_svg("http://127.0.0.1:8000/s/AST-002"))
    assert "<script" not in svg.group(0)
