"""Classification after a report is stored: results kept, failures never lose or delay a report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from school_safety.classifier import service, store
from school_safety.classifier.service import reclassify_pending
from school_safety.db.engine import write_transaction
from school_safety.reports.tables import Report
from tests import support

SUICIDAL_RU = "меня травят в классе каждый день, я больше не хочу жить"
PLAIN = "в столовой опять холодный суп"


async def file(client, text, language="ru", **fields):
    body = {"school": "AST-001", "text": text, "language": language, **fields}
    return await client.post("/api/v1/reports", json=body)


async def test_classification_is_stored_with_the_report(client, schools):
    response = await file(client, SUICIDAL_RU)
    assert response.status_code == 201
    report = await Report.select().where(Report.case_code == response.json()["case"]).first()
    assert report["classification"] == "classified"
    assert report["priority"] == "critical"
    assert "suicide_risk" in report["flags"].split(";")
    assert report["p_suicide_risk"] is not None and 0.0 <= report["p_suicide_risk"] <= 1.0
    assert report["model_version"] == store.get_classifier().version
    assert report["classified_at"] is not None


async def test_crisis_answer_in_the_api_carries_the_help_lines(client, schools):
    crisis = (await file(client, SUICIDAL_RU)).json()
    assert crisis["crisis"] is True
    assert [line["number"] for line in crisis["help"]] == ["111", "150", "112"]
    assert crisis["help"][0]["text"] == "sms:111" and crisis["help"][0]["call"] == "tel:111"
    # In the reporter's language.
    assert crisis["help"][0]["name"] == support.in_language(
        "ru", "Contact centre for children's rights"
    )
    calm = (await file(client, PLAIN)).json()
    assert calm["crisis"] is False and calm["help"] == []


async def test_ticking_self_harm_is_critical_and_shows_help(client, schools):
    response = (await file(client, PLAIN, quick_choices=["self_harm"])).json()
    assert response["crisis"] is True
    report = (
        await Report.select(Report.priority).where(Report.case_code == response["case"]).first()
    )
    assert report["priority"] == "critical"


async def test_crisis_card_comes_before_the_receipt_on_the_page(client, schools):
    client.cookies.set("lang", "ru")
    page = await support.submit_form(client, "AST-001", {"text": SUICIDAL_RU})
    assert page.status_code == 201
    card = page.text.index('data-testid="crisis-card"')
    assert card < page.text.index('data-testid="receipt"')
    assert support.in_language("ru", "You are not alone.") in page.text
    assert 'href="sms:111"' in page.text[card:]
    calm = await support.submit_form(client, "AST-001", {"text": PLAIN})
    assert 'data-testid="crisis-card"' not in calm.text


async def test_failed_classification_leaves_an_unclassified_high_report(
    client, schools, monkeypatch
):
    def broken():
        raise RuntimeError("model file unreadable")

    monkeypatch.setattr(service, "get_classifier", broken)
    response = await file(client, "меня бьют на перемене, забирают телефон")
    assert response.status_code == 201
    report = await Report.select().where(Report.case_code == response.json()["case"]).first()
    assert report["classification"] == "unclassified"
    assert report["priority"] == "high"
    assert report["classification_attempts"] == 1
    assert report["text"] == "меня бьют на перемене, забирают телефон"

    # Without a model, a crisis phrase alone still shows the pupil where to get help.
    crisis = await file(client, "не хочу жить")
    assert crisis.status_code == 201 and crisis.json()["crisis"] is True

    # Later, with the model back, the job classifies what was left.
    monkeypatch.undo()
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert await reclassify_pending(now=later) == 2
    report = await Report.select().where(Report.case_code == response.json()["case"]).first()
    assert report["classification"] == "classified"
    assert report["priority"] in {"high", "normal", "critical"}
    assert report["model_version"]
    # Running it again changes nothing.
    assert await reclassify_pending(now=later) == 0


async def test_reports_that_always_fail_do_not_hold_back_newer_ones(client, schools, monkeypatch):
    stuck = (await file(client, PLAIN)).json()["case"]
    fresh = (await file(client, "меня бьют на перемене")).json()["case"]
    # Failing every time so far: the older report, many times over.
    async with write_transaction():
        await Report.update({Report.classification: "unclassified"}).where(
            Report.case_code.is_in([stuck, fresh])
        )
        await Report.update({Report.classification_attempts: 30}).where(Report.case_code == stuck)
        await Report.update({Report.classification_attempts: 1}).where(Report.case_code == fresh)
    monkeypatch.setattr(service, "RETRY_BATCH", 1)
    assert await reclassify_pending(now=datetime.now(UTC) + timedelta(minutes=5)) == 1
    rows = await Report.select(Report.case_code, Report.classification)
    states = {row["case_code"]: row["classification"] for row in rows}
    assert states == {stuck: "unclassified", fresh: "classified"}


async def test_the_job_leaves_fresh_reports_to_their_request(client, schools, monkeypatch):
    monkeypatch.setattr(service, "get_classifier", lambda: (_ for _ in ()).throw(OSError("gone")))
    await file(client, PLAIN)
    monkeypatch.undo()
    assert await reclassify_pending() == 0
    assert await reclassify_pending(now=datetime.now(UTC) + timedelta(minutes=1)) == 1


async def test_a_report_already_classified_is_not_overwritten(client, schools):
    response = (await file(client, PLAIN)).json()
    report_id = await support.report_id_for(response["case"])
    before = await Report.select().where(Report.id == report_id).first()
    outcome = await service.classify_report(response["case"], SUICIDAL_RU, [])
    assert outcome.prediction is not None
    after = await Report.select().where(Report.id == report_id).first()
    assert after["flags"] == before["flags"] and after["priority"] == before["priority"]
