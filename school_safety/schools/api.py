"""Schools for other channels: find a school and its code."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, get
from litestar.params import FromQuery

from school_safety.schools.pages import QUERY_MAX_CHARS
from school_safety.schools.service import search_schools


@dataclass
class SchoolEntry:
    code: str
    name: dict[str, str]
    town: dict[str, str]
    region: str


@dataclass
class SchoolList:
    schools: list[SchoolEntry]


class SchoolsApi(Controller):
    path = "/api/v1/schools"
    tags = ("schools",)

    @get("/", summary="Schools whose name, town or code match every word of q")
    async def find(self, q: FromQuery[str] = "") -> SchoolList:
        found = await search_schools(q.strip()[:QUERY_MAX_CHARS])
        return SchoolList(
            schools=[
                SchoolEntry(code=s.code, name=s.names, town=s.towns, region=s.region_code)
                for s in found
            ]
        )
