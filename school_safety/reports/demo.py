"""A few demo reports, so the psychologist's queue is not empty on a fresh install."""

from __future__ import annotations

from school_safety.reports.intake import ReportDraft, SubmittedReport, submit_report
from school_safety.reports.tables import Report

DEMO_CHANNEL = "demo"
DEMO_REPORTS = (
    (
        "AST-001",
        "ru",
        "Меня каждый день толкают в раздевалке и забирают телефон, я боюсь идти в школу",
    ),
    ("AST-001", "kk", "9 сыныптағылар менің суретімді чатқа салып, бәрі мазақ қылып жатыр"),
    ("AST-001", "ru", "все смеются надо мной уже полгода, я больше не хочу жить"),
    ("AST-001", "ru", "в столовой опять холодный суп"),
    ("AST-002", "en", "They made a fake account with my photos and write bad things about me"),
)


async def load_demo_reports() -> list[SubmittedReport]:
    """Files the demo reports once; returns those filed now (empty when they exist already)."""
    if await Report.exists().where(Report.channel == DEMO_CHANNEL):
        return []
    filed = []
    for school, language, text in DEMO_REPORTS:
        filed.append(
            await submit_report(
                ReportDraft(school_code=school, text=text, language=language, channel=DEMO_CHANNEL)
            )
        )
    return filed
