"""Scores shown as evidence, and psychologists' labels kept as training data."""

from __future__ import annotations

import csv

import pytest

from school_safety.classifier.corpus import read_examples
from school_safety.classifier.review import evidence_for, export_reviews, record_review
from school_safety.classifier.tables import LabelReview
from school_safety.cli import main
from tests import support


async def filed(client, text):
    response = await client.post(
        "/api/v1/reports", json={"school": "AST-001", "text": text, "language": "ru"}
    )
    return await support.report_id_for(response.json()["case"])


async def test_evidence_shows_scores_flags_and_weighty_words(client, schools):
    report_id = await filed(client, "меня бьют в туалете каждый день и отбирают деньги")
    evidence = {item.label: item for item in await evidence_for(report_id)}
    assert set(evidence) == {"bullying", "cyberbullying", "suicide_risk"}
    bullying = evidence["bullying"]
    assert bullying.flagged and bullying.probability is not None and bullying.probability > 0.5
    assert bullying.words and bullying.words[0][1] > 0
    assert {word for word, _ in bullying.words} <= set(
        "меня бьют в туалете каждый день и отбирают деньги".split()
    )


async def test_reviews_are_stored_with_reviewer_and_exported_for_training(
    client, schools, tmp_path
):
    first = await filed(client, "в чате скинули мои фото и подписали гадости")
    second = await filed(client, "в столовой холодный суп")
    await record_review(first, ["cyberbullying"], reviewer_id=None)
    await record_review(second, ["bullying"], reviewer_id=None)
    # A later correction wins.
    await record_review(second, [], reviewer_id=None)
    rows = await LabelReview.select().order_by(LabelReview.id)
    assert [row["labels"] for row in rows] == ["cyberbullying", "bullying", ""]
    assert rows[0]["model_version"] and rows[0]["created_at"] is not None
    assert "cyberbullying" in rows[0]["model_flags"]

    path = tmp_path / "confirmed.csv"
    assert await export_reviews(path) == 2
    examples = {e.text: e.labels for e in read_examples(path)}
    assert examples == {
        "в чате скинули мои фото и подписали гадости": ("cyberbullying",),
        "в столовой холодный суп": (),
    }
    with pytest.raises(ValueError):
        await record_review(first, ["harassment"], reviewer_id=None)


def test_export_command_writes_the_training_format(tmp_path):
    path = tmp_path / "out.csv"
    assert main(["classifier", "export-reviews", str(path)]) == 0
    with path.open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == ["text", "labels"]
