"""A pupil's reply that signals danger gets the same help as a report that does.

The reply is stored first; then it is checked by the report's rule. If it
signals danger, the pupil sees the crisis card (or, through the API, the help
lines), the message is marked for staff and the case becomes critical, and
nothing later lowers it.
"""

from __future__ import annotations

import asyncio
import html
import logging
from datetime import UTC, datetime, timedelta

import pytest

from school_safety.cases.tables import StatusChange
from school_safety.classifier import service
from school_safety.classifier.service import reclassify_pending
from school_safety.db.engine import write_transaction
from school_safety.reports import followup
from school_safety.reports.tables import Message, Report
from school_safety.web.locale import LANGUAGE_COOKIE
from tests import support

MILD = "в столовой опять толкались в очереди"
ORDINARY = "Спасибо, я завтра приду в кабинет после уроков."
DANGEROUS = {
    "ru": "я больше не хочу жить",
    "kk": "өлгім келеді",
    "en": "I want to die. I will kill myself tonight.",
}
CARD = 'data-testid="crisis-card"'
SENT_REPLY = "Your message has been sent. A school psychologist will read it."
SENT_REPORT = "Your report has been sent. A school psychologist will read it."


def broken_classifier():
    raise RuntimeError("model file unreadable")


def translated(language: str, message: str) -> str:
    return support.in_language(language, message)


async def filed(client, text: str = MILD, language: str = "ru") -> tuple[str, str]:
    response = await client.post(
        "/api/v1/reports", json={"school": "AST-001", "text": text, "language": language}
    )
    assert response.status_code == 201, response.text
    assert response.json()["crisis"] is False
    return response.json()["case"], response.json()["receipt"]


async def reply_on_page(client, receipt: str, text: str, htmx: bool = False):
    token = support.csrf_token_from((await client.get("/follow-up")).text)
    return await client.post(
        "/follow-up/reply",
        data={"_csrf_token": token, "receipt": receipt, "reply": text},
        headers={"hx-request": "true"} if htmx else {},
    )


async def reply_by_api(client, case: str, receipt: str, text: str, language: str = "ru"):
    return await client.post(
        f"/api/v1/reports/{case}/messages",
        headers={"X-Receipt": receipt, "Accept-Language": language},
        json={"text": text},
    )


async def case_row(case: str) -> dict:
    row = await Report.select().where(Report.case_code == case).first()
    assert row is not None
    return row


async def replies(case: str) -> list[dict]:
    report_id = await support.report_id_for(case)
    return await (
        Message.select(Message.body, Message.crisis)
        .where((Message.report == report_id) & (Message.author == "reporter"))
        .order_by(Message.id)
    )


@pytest.mark.parametrize("htmx", [False, True], ids=["full-page", "htmx"])
@pytest.mark.parametrize("language", ["ru", "kk", "en"])
async def test_a_dangerous_reply_shows_the_crisis_card_in_the_pupils_language(
    client, schools, language, htmx
):
    client.cookies.set(LANGUAGE_COOKIE, language)
    case, receipt = await filed(client)

    page = await reply_on_page(client, receipt, DANGEROUS[language], htmx=htmx)
    assert page.status_code == 200
    shown = html.unescape(page.text)
    assert (("<html" in shown) is not htmx) and 'id="follow-up"' in shown
    # Help first: the card comes before the case and the conversation.
    card = shown.index(CARD)
    assert card < shown.index(case) < shown.index(DANGEROUS[language])
    assert translated(language, "You are not alone.") in shown
    for href in ("sms:111", "tel:111", "tel:150", "tel:112"):
        assert f'href="{href}"' in shown[card:]
    # It speaks of the message just sent, not of a report.
    assert translated(language, SENT_REPLY) in shown
    if language == "en":
        assert SENT_REPORT not in shown
    assert [row["body"] for row in await replies(case)] == [DANGEROUS[language]]

    calm = await reply_on_page(client, receipt, ORDINARY, htmx=htmx)
    assert calm.status_code == 200
    assert CARD not in calm.text
    assert translated(language, "Your message was sent.") in html.unescape(calm.text)


async def test_an_ordinary_reply_shows_no_card_and_changes_no_priority(client, schools):
    case, receipt = await filed(client)
    before = await case_row(case)
    assert before["priority"] != "critical"
    page = await reply_on_page(client, receipt, ORDINARY)
    assert page.status_code == 200 and CARD not in page.text
    replied = await reply_by_api(client, case, receipt, "Хорошо, приду.")
    assert replied.status_code == 201
    assert replied.json()["crisis"] is False and replied.json()["help"] == []
    after = await case_row(case)
    assert after["priority"] == before["priority"] and after["status"] == "new"
    assert [row["crisis"] for row in await replies(case)] == [False, False]


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
async def test_the_api_answers_a_dangerous_reply_with_the_help_lines(client, schools, language):
    case, receipt = await filed(client)
    replied = await reply_by_api(client, case, receipt, DANGEROUS[language], language=language)
    assert replied.status_code == 201
    body = replied.json()
    assert body["crisis"] is True
    # The report API's shape: every help line, with ways to call and to write.
    assert [line["number"] for line in body["help"]] == ["111", "150", "112"]
    assert body["help"][0]["call"] == "tel:111" and body["help"][0]["text"] == "sms:111"
    assert body["help"][1]["text"] is None
    assert body["help"][0]["name"] == translated(language, "Contact centre for children's rights")
    # And still the case, with the reply in it.
    assert body["case"] == case
    assert [m["sender"] for m in body["messages"]] == ["reporter"]
    assert body["messages"][0]["text"] == DANGEROUS[language]


async def test_a_dangerous_reply_makes_the_case_critical_and_nothing_lowers_it(client, schools):
    case, receipt = await filed(client)
    assert (await case_row(case))["priority"] != "critical"

    await reply_on_page(client, receipt, DANGEROUS["ru"])
    assert (await case_row(case))["priority"] == "critical"

    # A later ordinary reply, on either channel, leaves it critical.
    await reply_on_page(client, receipt, ORDINARY)
    await reply_by_api(client, case, receipt, "Всё нормально, не переживайте.")
    row = await case_row(case)
    assert row["priority"] == "critical"
    # Only the reply that signalled danger is marked, for staff to see why.
    assert [r["crisis"] for r in await replies(case)] == [True, False, False]
    # The report's own classification is kept as it was.
    assert "suicide_risk" not in row["flags"]


async def test_replies_at_the_same_moment_raise_the_case_once(client, schools):
    case, _receipt = await filed(client)
    report_id = await support.report_id_for(case)
    sent = await asyncio.gather(
        followup.add_reply(report_id, DANGEROUS["ru"]),
        followup.add_reply(report_id, DANGEROUS["kk"]),
        followup.add_reply(report_id, ORDINARY),
    )
    assert [reply.crisis for reply in sent] == [True, True, False]
    assert (await case_row(case))["priority"] == "critical"
    assert sorted(r["crisis"] for r in await replies(case)) == [False, True, True]


async def test_a_dangerous_reply_reopens_a_closed_case_once(client, schools):
    case, receipt = await filed(client)
    report_id = await support.report_id_for(case)
    async with write_transaction():
        await Report.update({Report.status: "closed", Report.outcome: "not_bullying"}).where(
            Report.id == report_id
        )
    # An ordinary reply does not reopen it.
    await followup.add_reply(report_id, ORDINARY)
    assert (await case_row(case))["status"] == "closed"

    await asyncio.gather(
        followup.add_reply(report_id, DANGEROUS["ru"]),
        followup.add_reply(report_id, DANGEROUS["en"]),
    )
    row = await case_row(case)
    assert row["status"] == "in_review" and row["priority"] == "critical"
    assert row["outcome"] == "" and row["closed_at"] is None
    history = await StatusChange.select(
        StatusChange.from_status,
        StatusChange.to_status,
        StatusChange.changed_by,
        StatusChange.reason,
    ).where(StatusChange.report == report_id)
    assert history == [
        {
            "from_status": "closed",
            "to_status": "in_review",
            "changed_by": None,
            "reason": "dangerous_reply",
        }
    ]
    # The pupil sees that the case is being looked at again.
    read = await client.get(f"/api/v1/reports/{case}", headers={"X-Receipt": receipt})
    assert read.json()["status"] == "in_review"


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
async def test_the_case_history_says_a_dangerous_reply_reopened_the_case(client, schools, language):
    """Not "—", which is how a change by an account deleted since reads."""
    case, _receipt = await filed(client)
    report_id = await support.report_id_for(case)
    async with write_transaction():
        await Report.update({Report.status: "closed", Report.outcome: "not_bullying"}).where(
            Report.id == report_id
        )
    await followup.add_reply(report_id, DANGEROUS["ru"])
    await support.make_staff("psy", "psychologist", ("AST-001",))
    assert (await support.sign_in(client, "psy")).status_code == 303
    client.cookies.set(LANGUAGE_COOKIE, language)
    page = await client.get(f"/staff/cases/{case}")
    assert page.status_code == 200
    history = page.text.split('class="history"', 1)[1].split("</ol>", 1)[0]
    reason = translated(language, "Automatically, because a reply signals danger")
    assert html.escape(reason) in history
    assert "—" not in history


async def test_without_the_model_a_reply_is_kept_and_crisis_phrases_still_help(
    client, schools, monkeypatch, caplog
):
    case, receipt = await filed(client)
    monkeypatch.setattr(service, "get_classifier", broken_classifier)
    caplog.set_level(logging.INFO)

    calm = await reply_on_page(client, receipt, ORDINARY)
    assert calm.status_code == 200 and CARD not in calm.text
    assert translated("kk", "Your message was sent.") in html.unescape(calm.text)

    client.cookies.set("lang", "ru")
    page = await reply_on_page(client, receipt, DANGEROUS["ru"], htmx=True)
    assert page.status_code == 200
    assert CARD in page.text
    replied = await reply_by_api(client, case, receipt, DANGEROUS["en"], language="en")
    assert replied.status_code == 201 and replied.json()["crisis"] is True

    assert [r["body"] for r in await replies(case)] == [ORDINARY, DANGEROUS["ru"], DANGEROUS["en"]]
    assert (await case_row(case))["priority"] == "critical"
    # The failure was logged, without what the pupil wrote.
    assert "Classifying a reply failed" in caplog.text
    for text in (ORDINARY, DANGEROUS["ru"], DANGEROUS["en"]):
        assert text not in caplog.text


async def test_when_raising_the_case_fails_the_pupil_still_gets_help(client, schools, monkeypatch):
    case, receipt = await filed(client)

    async def failing(report_id: int, message_id: int) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(followup, "_raise_for_crisis", failing)
    page = await reply_on_page(client, receipt, DANGEROUS["kk"])
    assert page.status_code == 200 and CARD in page.text
    assert [r["body"] for r in await replies(case)] == [DANGEROUS["kk"]]
    # The reply stays unsettled, and the job raises the case once it can.
    assert await Message.count().where(Message.check_pending.eq(True)) == 1
    monkeypatch.undo()
    assert await followup.recheck_pending_replies(now=datetime.now(UTC) + timedelta(minutes=5)) == 1
    assert (await case_row(case))["priority"] == "critical"


async def test_classifying_the_report_later_does_not_lower_what_a_reply_raised(
    client, schools, monkeypatch
):
    # The model is away when the report comes in and when the pupil replies.
    monkeypatch.setattr(service, "get_classifier", broken_classifier)
    response = await client.post(
        "/api/v1/reports", json={"school": "AST-001", "text": MILD, "language": "ru"}
    )
    case, receipt = response.json()["case"], response.json()["receipt"]
    assert (await case_row(case))["classification"] == "unclassified"
    await reply_on_page(client, receipt, DANGEROUS["ru"])
    assert (await case_row(case))["priority"] == "critical"

    # A retry that fails again leaves it critical...
    assert (await service.classify_report(case, MILD, [])).prediction is None
    assert (await case_row(case))["priority"] == "critical"

    # ...and so does the retry that classifies the mild report with the model back.
    monkeypatch.undo()
    assert await reclassify_pending(now=datetime.now(UTC) + timedelta(minutes=5)) == 1
    row = await case_row(case)
    assert row["classification"] == "classified"
    assert row["priority"] == "critical"


async def test_a_reply_the_model_missed_is_checked_when_it_is_back(client, schools, monkeypatch):
    # Danger the model sees but no crisis phrase names.
    quiet = "я раздала все свои вещи друзьям, завтра меня уже не будет"
    case, receipt = await filed(client)
    monkeypatch.setattr(service, "get_classifier", broken_classifier)
    page = await reply_on_page(client, receipt, quiet)
    assert page.status_code == 200 and CARD not in page.text
    await reply_on_page(client, receipt, ORDINARY)
    pending = (
        Message.select(Message.body).where(Message.check_pending.eq(True)).order_by(Message.id)
    )
    assert [r["body"] for r in await pending] == [quiet, ORDINARY]
    assert (await case_row(case))["priority"] != "critical"

    later = datetime.now(UTC) + timedelta(minutes=5)
    # Still away: nothing changes, nothing is lost.
    assert await followup.recheck_pending_replies(now=later) == 0
    assert len(await pending) == 2

    monkeypatch.undo()
    # Too fresh to be the job's: the request that stored it may still be checking.
    assert await followup.recheck_pending_replies() == 0
    assert await followup.recheck_pending_replies(now=later) == 2
    assert await pending == []
    assert (await case_row(case))["priority"] == "critical"
    marked = Message.select(Message.body).where(Message.crisis.eq(True))
    assert [r["body"] for r in await marked] == [quiet]
    # Run again, or by another process at once: nothing more to do, nothing done twice.
    assert await asyncio.gather(
        followup.recheck_pending_replies(now=later), followup.recheck_pending_replies(now=later)
    ) == [0, 0]


async def test_a_reply_checked_at_once_is_not_left_for_the_job(client, schools):
    _case, receipt = await filed(client)
    await reply_on_page(client, receipt, ORDINARY)
    await reply_on_page(client, receipt, DANGEROUS["ru"])
    assert await Message.count().where(Message.check_pending.eq(True)) == 0


async def test_a_reply_raises_its_case_once_even_when_checked_again(client, schools, monkeypatch):
    case, receipt = await filed(client)
    # The model is away: the crisis phrase alone raises and marks the reply, left pending.
    monkeypatch.setattr(service, "get_classifier", broken_classifier)
    await reply_on_page(client, receipt, DANGEROUS["ru"])
    assert (await case_row(case))["priority"] == "critical"
    # Staff handle it and close the case.
    async with write_transaction():
        await Report.update({Report.status: "closed"}).where(Report.case_code == case)
    monkeypatch.undo()
    assert await followup.recheck_pending_replies(now=datetime.now(UTC) + timedelta(minutes=5)) == 1
    assert (await case_row(case))["status"] == "closed"
    assert await Message.count().where(Message.check_pending.eq(True)) == 0
