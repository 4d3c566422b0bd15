"""Finding one's school, and the printable poster with the school's QR link."""

from __future__ import annotations

import segno
from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from markupsafe import Markup

from school_safety.schools.service import school_by_code, search_schools

QUERY_MAX_CHARS = 100


def school_link(request: Request, code: str) -> str:
    return str(request.base_url).rstrip("/") + f"/s/{code}"


def qr_svg(url: str) -> Markup:
    """An inline SVG (no data: URL, no script), scannable from a printed A4 sheet."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=8, border=2, dark="#000", light="#fff", omitsize=True)
    return Markup(svg)  # noqa: S704 - segno's own SVG of a URL we built


class SchoolPages(Controller):
    include_in_schema = False

    @get("/", name="home")
    async def home(self, request: HTMXRequest, q: FromQuery[str] = "") -> Template:
        query = q.strip()[:QUERY_MAX_CHARS]
        schools = await search_schools(query) if query else []
        return Template(
            template_name="schools/_results.html" if request.htmx else "schools/home.html",
            context={"query": query, "schools": schools},
        )

    @get("/s/{code:str}/poster", name="school-poster")
    async def poster(self, request: Request, code: FromPath[str]) -> Template:
        school = await school_by_code(code)
        if school is None:
            raise NotFoundException()
        link = school_link(request, school.code)
        return Template(
            template_name="schools/poster.html",
            context={"school": school, "link": link, "qr": qr_svg(link)},
        )
