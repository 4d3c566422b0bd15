"""Tests for the pure demo reference data (no database involved)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict

import pytest

from school_safety.schools.demo_data import (
    REGIONS,
    REGIONS_BY_CODE,
    DemoRegion,
    DemoSchool,
    demo_schools,
)

KAZAKH_LETTERS = set("әғқңөұүһі")
CODE_RE = re.compile(r"^[A-Z]{3}-\d{3}$")


def test_exactly_twenty_regions() -> None:
    assert len(REGIONS) == 20
    assert all(isinstance(region, DemoRegion) for region in REGIONS)


def test_region_codes_unique_and_well_formed() -> None:
    codes = [region.code for region in REGIONS]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in codes)
    assert set(REGIONS_BY_CODE) == set(codes)


@pytest.mark.parametrize("field", ["name_kk", "name_ru", "name_en"])
def test_region_names_unique_per_language(field: str) -> None:
    names = [getattr(region, field) for region in REGIONS]
    assert all(name.strip() for name in names)
    assert len(set(names)) == len(names)


def test_kazakh_region_names_use_kazakh_forms() -> None:
    for region in REGIONS:
        assert region.name_kk.endswith(("облысы", "қаласы")), region.name_kk
        assert region.name_kk != region.name_ru


def test_seventeen_regions_and_three_cities() -> None:
    oblys = [r for r in REGIONS if r.name_kk.endswith("облысы")]
    cities = [r for r in REGIONS if r.name_kk.endswith("қаласы")]
    assert len(oblys) == 17
    assert {r.name_en for r in cities} == {"Astana", "Almaty", "Shymkent"}


def test_kazakh_names_use_kazakh_letters() -> None:
    all_kk = " ".join([r.name_kk for r in REGIONS] + [t.name_kk for r in REGIONS for t in r.towns])
    # "һ" is rare in place names, so every other Kazakh-specific letter must occur.
    assert KAZAKH_LETTERS - {"һ"} <= set(all_kk)
    # Spot checks of official spellings.
    assert REGIONS_BY_CODE["AKM"].name_kk == "Ақмола облысы"
    assert REGIONS_BY_CODE["EKZ"].name_kk == "Шығыс Қазақстан облысы"
    assert REGIONS_BY_CODE["ULY"].name_kk == "Ұлытау облысы"
    assert REGIONS_BY_CODE["AST"].name_ru == "город Астана"


def test_every_region_has_at_least_three_towns() -> None:
    for region in REGIONS:
        assert 3 <= len(region.towns) <= 6, region.code
        kk_names = [town.name_kk for town in region.towns]
        assert len(set(kk_names)) == len(kk_names), region.code
        for town in region.towns:
            assert town.name_kk.strip() and town.name_ru.strip() and town.name_en.strip()


def test_regions_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        REGIONS[0].code = "XXX"  # type: ignore[misc]


def test_demo_schools_default_count_and_codes() -> None:
    schools = demo_schools()
    assert len(schools) == 300
    assert all(isinstance(school, DemoSchool) for school in schools)
    codes = [school.code for school in schools]
    assert len(set(codes)) == len(codes)
    assert all(CODE_RE.fullmatch(code) for code in codes)
    for school in schools:
        assert school.code.startswith(school.region_code + "-")


def test_demo_schools_regions_exist_and_evenly_filled() -> None:
    schools = demo_schools()
    assert all(school.region_code in REGIONS_BY_CODE for school in schools)
    assert Counter(school.region_code for school in schools) == {r.code: 15 for r in REGIONS}


def test_demo_schools_deterministic() -> None:
    assert demo_schools() == demo_schools()
    assert demo_schools(4) == demo_schools(4)


def test_demo_schools_fields_non_empty() -> None:
    for school in demo_schools():
        for field in dataclasses.fields(school):
            value = getattr(school, field.name)
            assert isinstance(value, str) and value.strip(), (school.code, field.name)


def test_demo_schools_towns_belong_to_region() -> None:
    for school in demo_schools():
        towns = REGIONS_BY_CODE[school.region_code].towns
        assert any(
            (t.name_kk, t.name_ru, t.name_en) == (school.town_kk, school.town_ru, school.town_en)
            for t in towns
        ), school.code


def test_each_region_spreads_over_at_least_three_towns() -> None:
    towns_by_region: defaultdict[str, set[str]] = defaultdict(set)
    for school in demo_schools():
        towns_by_region[school.region_code].add(school.town_en)
    for region in REGIONS:
        assert len(towns_by_region[region.code]) >= 3, region.code


def test_school_numbers_unique_within_town() -> None:
    number_re = re.compile(r"№ (\d+)")
    seen: set[tuple[str, str, int]] = set()
    for school in demo_schools():
        match = number_re.search(school.name_kk)
        assert match is not None, school.name_kk
        key = (school.region_code, school.town_en, int(match.group(1)))
        assert key not in seen, school
        seen.add(key)
        # The same number appears in all three languages.
        assert f"№ {key[2]}" in school.name_ru
        assert f"No. {key[2]}" in school.name_en


def test_city_school_numbers_unique_citywide() -> None:
    number_re = re.compile(r"№ (\d+)")
    for code in ("AST", "ALA", "SHY"):
        numbers = []
        for school in demo_schools(40):
            if school.region_code == code:
                match = number_re.search(school.name_kk)
                assert match is not None
                numbers.append(int(match.group(1)))
        assert len(numbers) == 40
        assert len(set(numbers)) == len(numbers), code


def test_school_names_are_varied() -> None:
    schools = demo_schools()
    ru_names = " ".join(school.name_ru for school in schools)
    for kind in ("Общеобразовательная школа", "Школа-гимназия", "Школа-лицей"):
        assert kind in ru_names
    named = [school for school in schools if "атындағы" in school.name_kk]
    assert named
    assert all(" имени " in school.name_ru for school in named)


def test_demo_schools_other_sizes() -> None:
    assert demo_schools(0) == []
    assert len(demo_schools(40)) == 800
    with pytest.raises(ValueError):
        demo_schools(-1)
    with pytest.raises(ValueError):
        demo_schools(1000)
