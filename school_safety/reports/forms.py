"""Reading the pupil's HTML forms into drafts, keeping what they typed for a re-render."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile

from school_safety.i18n import current_language
from school_safety.reports.intake import ReportDraft

TEXT_FIELDS = (
    "text",
    "location",
    "location_detail",
    "happened",
    "people_involved",
    "reporter_role",
    "signed_name",
    "signed_contact",
)


async def uploaded_files(form: Any, name: str) -> list[bytes]:
    files = []
    for item in form.getall(name) if name in form else []:
        if isinstance(item, UploadFile):
            data = await item.read()
            if data:
                files.append(data)
    return files


def text_value(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


async def report_draft_from_form(
    request: Request, school_code: str
) -> tuple[ReportDraft, dict[str, Any]]:
    """The draft to submit, and the values to put back in the form if it is refused."""
    form = await request.form()
    values: dict[str, Any] = {name: text_value(form, name) for name in TEXT_FIELDS}
    values["quick_choices"] = [
        value
        for value in (form.getall("quick_choices") if "quick_choices" in form else [])
        if isinstance(value, str)
    ]
    draft = ReportDraft(
        school_code=school_code,
        language=current_language(),
        quick_choices=values["quick_choices"],
        evidence=await uploaded_files(form, "evidence"),
        **{name: values[name] for name in TEXT_FIELDS},
    )
    return draft, values
