"""Suggesting cases that may be about the same aggressor or target.

Bullying is "two or more times": one report is rarely enough. Candidates are
other reports from the same school in the past year; a candidate is
suggested when it names the same people or its text is close. Staff decide;
a suggestion is never a link until someone makes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from school_safety.cases.tables import CaseLink
from school_safety.classifier.normalise import normalise
from school_safety.reports.tables import Report

LOOK_BACK = timedelta(days=365)
CANDIDATES = 300
SUGGESTIONS = 5
TEXT_SIMILARITY_MIN = 0.35
# Words that look like names (a capital letter, then letters) or class names ("7Б", "9 A").
_NAME = re.compile(r"\b[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі]{2,}\b")
_CLASS = re.compile(r"\b\d{1,2}\s?[A-ZА-ЯӘҒҚҢӨҰҮІa-zа-яәғқңөұүі]\b")
# Capitalised words that are not names: sentence starts and common openers.
_NOT_NAMES = {
    "мен",
    "менің",
    "мені",
    "маған",
    "ол",
    "олар",
    "біз",
    "бүгін",
    "кеше",
    "мектеп",
    "сабақ",
    "меня",
    "мне",
    "мой",
    "моя",
    "они",
    "она",
    "он",
    "вчера",
    "сегодня",
    "школа",
    "привет",
    "the",
    "they",
    "she",
    "today",
    "yesterday",
    "school",
    "my",
    "there",
    "this",
    "when",
}


@dataclass(frozen=True)
class Suggestion:
    case_code: str
    status: str
    created_at: datetime
    shared_names: list[str]
    similarity: float


def people_in(*texts: str) -> set[str]:
    found = set()
    for text in texts:
        for match in _NAME.findall(text):
            if match.casefold() not in _NOT_NAMES:
                found.add(normalise(match))
        found.update(normalise(m).replace(" ", "") for m in _CLASS.findall(text))
    return found


async def suggestions(report_id: int) -> list[Suggestion]:
    this = (
        await Report.select(Report.school, Report.text, Report.people_involved, Report.created_at)
        .where(Report.id == report_id)
        .first()
    )
    if this is None:
        return []
    linked = await CaseLink.select(CaseLink.first, CaseLink.second).where(
        (CaseLink.first == report_id) | (CaseLink.second == report_id)
    )
    exclude = {report_id} | {r["first"] for r in linked} | {r["second"] for r in linked}
    since = datetime.now(UTC) - LOOK_BACK
    candidates = [
        row
        for row in await Report.select(
            Report.id,
            Report.case_code,
            Report.status,
            Report.text,
            Report.people_involved,
            Report.created_at,
        )
        .where((Report.school == this["school"]) & (Report.created_at >= since))
        .order_by(Report.created_at, ascending=False)
        .limit(CANDIDATES + len(exclude))
        if row["id"] not in exclude
    ][:CANDIDATES]
    if not candidates:
        return []
    texts = [normalise(this["text"] + " " + this["people_involved"])]
    texts += [normalise(c["text"] + " " + c["people_involved"]) for c in candidates]
    vectors = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True
    ).fit_transform(texts)
    similarity = cosine_similarity(vectors[0], vectors[1:]).ravel()
    people = people_in(this["people_involved"], this["text"])
    found = []
    for candidate, score in zip(candidates, similarity, strict=True):
        shared = sorted(people & people_in(candidate["people_involved"], candidate["text"]))
        if shared or score >= TEXT_SIMILARITY_MIN:
            found.append(
                Suggestion(
                    case_code=candidate["case_code"],
                    status=candidate["status"],
                    created_at=candidate["created_at"],
                    shared_names=shared,
                    similarity=round(float(score), 2),
                )
            )
    found.sort(key=lambda s: (len(s.shared_names), s.similarity), reverse=True)
    return found[:SUGGESTIONS]
