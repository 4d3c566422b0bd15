"""Loads the demo regions and schools; safe to run any number of times."""

from __future__ import annotations

from school_safety.db.engine import write_transaction
from school_safety.schools.demo_data import REGIONS, demo_schools
from school_safety.schools.service import search_text_for
from school_safety.schools.tables import Region, School


async def load_demo_schools(per_region: int = 15) -> tuple[int, int]:
    """Inserts what is missing, by code; returns (regions, schools) added."""
    added_regions = added_schools = 0
    async with write_transaction():
        existing_regions = {
            row["code"]: row["id"] for row in await Region.select(Region.id, Region.code)
        }
        for region in REGIONS:
            if region.code not in existing_regions:
                row = Region(
                    code=region.code,
                    name_kk=region.name_kk,
                    name_ru=region.name_ru,
                    name_en=region.name_en,
                )
                await row.save()
                existing_regions[region.code] = row.id
                added_regions += 1
        existing_schools = {row["code"] for row in await School.select(School.code)}
        new_rows = []
        for school in demo_schools(per_region):
            if school.code in existing_schools:
                continue
            new_rows.append(
                School(
                    code=school.code,
                    region=existing_regions[school.region_code],
                    name_kk=school.name_kk,
                    name_ru=school.name_ru,
                    name_en=school.name_en,
                    town_kk=school.town_kk,
                    town_ru=school.town_ru,
                    town_en=school.town_en,
                    search_text=search_text_for(
                        school.code,
                        school.name_kk,
                        school.name_ru,
                        school.name_en,
                        school.town_kk,
                        school.town_ru,
                        school.town_en,
                    ),
                )
            )
        if new_rows:
            await School.insert(*new_rows)
            added_schools = len(new_rows)
    return added_regions, added_schools
