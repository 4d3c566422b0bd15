"""The pupil's path through the JSON API, as other channels use it."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from school_safety.config import get_settings
from school_safety.reports.tables import Evidence, Report
from tests import support


async def file(client, **fields):
    body = {"school": "AST-001", "text": "Мені сыныптастарым күнде мазақтайды", "language": "kk"}
    body.update(fields)
    return await client.post("/api/v1/reports", json=body)


async def test_report_receipt_status_messages_and_reply(client, schools):
    response = await file(
        client,
        quick_choices=["insults", "online"],
        location="online",
        happened="ongoing",
        reporter_role="affected",
        people_involved="7Б сыныбы",
    )
    assert response.status_code == 201, response.text
    filed = response.json()
    case, receipt = filed["case"], filed["receipt"]
    assert len(receipt) >= 16 and receipt.isdigit()
    assert filed["status"] == "new"
    assert response.headers["cache-control"] == "no-store"

    stored = await Report.select().where(Report.case_code == case).first()
    assert stored["text"] == "Мені сыныптастарым күнде мазақтайды"
    assert stored["quick_choices"] == "insults,online"
    assert stored["channel"] == "api"
    assert stored["school"] == schools["AST-001"].id
    # Only a keyed hash of the receipt is kept.
    assert receipt not in str(stored)

    read = await client.get(f"/api/v1/reports/{case}", headers={"X-Receipt": receipt})
    assert read.status_code == 200
    # The conversation depends on a header a cache keyed by URL would not see.
    assert read.headers["cache-control"] == "no-store"
    assert read.json()["status"] == "new"
    assert read.json()["messages"] == []

    await support.staff_message(stored["id"], "Сәлем! Біз сенімен сөйлескіміз келеді.")
    read = await client.get(f"/api/v1/reports/{case}", headers={"X-Receipt": receipt})
    assert [m["sender"] for m in read.json()["messages"]] == ["staff"]
    assert read.json()["messages"][0]["text"] == "Сәлем! Біз сенімен сөйлескіміз келеді."

    replied = await client.post(
        f"/api/v1/reports/{case}/messages",
        headers={"X-Receipt": receipt},
        json={"text": "Рахмет, ертең келемін"},
    )
    assert replied.status_code == 201
    assert replied.headers["cache-control"] == "no-store"
    assert [m["sender"] for m in replied.json()["messages"]] == ["staff", "reporter"]


async def test_receipt_is_accepted_with_spaces_and_dashes(client, schools):
    filed = (await file(client)).json()
    spaced = " ".join(filed["receipt"][i : i + 4] for i in range(0, 16, 4))
    for typed in (spaced, spaced.replace(" ", "-")):
        read = await client.get(f"/api/v1/reports/{filed['case']}", headers={"X-Receipt": typed})
        assert read.status_code == 200


async def test_wrong_receipt_or_case_is_404_and_says_nothing(client, schools):
    first = (await file(client)).json()
    second = (await file(client, text="another")).json()
    for case, receipt in (
        (first["case"], "0000000000000000"),
        (first["case"], second["receipt"]),  # a real receipt, but for another case
        ("ZZZZ-ZZZZ", first["receipt"]),
        (first["case"], ""),
    ):
        read = await client.get(f"/api/v1/reports/{case}", headers={"X-Receipt": receipt})
        assert read.status_code == 404
        assert "messages" not in read.json()


async def test_wrong_receipts_are_throttled(client, schools):
    filed = (await file(client)).json()
    statuses = [
        (
            await client.get(f"/api/v1/reports/{filed['case']}", headers={"X-Receipt": f"{n:016d}"})
        ).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]
    # Even the right receipt waits now: otherwise throttling would confirm a guess.
    right = await client.get(
        f"/api/v1/reports/{filed['case']}", headers={"X-Receipt": filed["receipt"]}
    )
    assert right.status_code == 429


async def test_submissions_are_rate_limited_per_client(client, schools, monkeypatch):
    from school_safety.reports import limits

    monkeypatch.setattr(limits.submissions(), "limit", 3)
    statuses = [(await file(client, text=f"report {n}")).status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert await Report.count() == 3


async def test_bad_input_gets_4xx_in_the_reporters_language(client, schools):
    too_long = "This is too long. Please shorten it."
    not_a_picture = "A file could not be read as a picture."
    cases = [
        ({"text": "   "}, "text", "Please write what happened."),
        ({"text": "x" * 5001}, "text", too_long),
        ({"school": "NOPE-1"}, "school", "We could not find this school. Please choose it again."),
        ({"quick_choices": ["dancing"]}, "quick_choices", "Please choose one of the options."),
        ({"location": "moon"}, "location", "Please choose one of the options."),
        ({"people_involved": "y" * 1001}, "people_involved", too_long),
        ({"evidence": ["not base64!!"]}, "evidence", not_a_picture),
        (
            {"evidence": [base64.b64encode(b"GIF89a fake").decode()]},
            "evidence",
            "Only photos and screenshots (JPEG, PNG or WebP) can be attached.",
        ),
    ]
    for fields, field, message in cases:
        response = await file(client, language="ru", **fields)
        assert response.status_code == 422, (fields, response.text)
        body = response.json()
        assert body["fields"].get(field) == support.in_language("ru", message), (fields, body)
    assert await Report.count() == 0


async def test_unknown_language_and_malformed_json_are_4xx(client, schools):
    response = await file(client, language="de")
    assert response.status_code == 422
    assert "language" in response.json()["fields"]
    broken = await client.post(
        "/api/v1/reports",
        content=b'{"school": "AST-001", "text": ',
        headers={"content-type": "application/json"},
    )
    assert broken.status_code == 400
    missing = await client.post("/api/v1/reports", json={"school": "AST-001"})
    assert missing.status_code == 400
    assert "Traceback" not in missing.text


async def test_api_evidence_is_stored_without_metadata(client, schools):
    photo = support.jpeg_with_gps()
    response = await file(client, evidence=[base64.b64encode(photo).decode()])
    assert response.status_code == 201
    stored = await Evidence.select(Evidence.data, Evidence.content_type).first()
    assert stored["content_type"] == "image/jpeg"
    support.assert_no_metadata(stored["data"])


async def test_openapi_schema_describes_the_api(client):
    schema = (await client.get("/api/schema/openapi.json")).json()
    paths = schema["paths"]
    assert "/api/v1/schools" in paths
    assert "post" in paths["/api/v1/reports"]
    assert "get" in paths["/api/v1/reports/{case}"]
    assert "post" in paths["/api/v1/reports/{case}/messages"]
    # Staff and pupil pages are not part of the API.
    assert not any(path.startswith("/s/") for path in paths)


def _body(schema: dict, answer: dict) -> dict:
    body = answer["content"]["application/json"]["schema"]
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return body


@pytest.mark.parametrize(
    ("method", "path", "status", "fields", "errors"),
    [
        ("post", "/api/v1/reports", "201", {"case", "receipt", "crisis", "help"}, {"422", "429"}),
        ("get", "/api/v1/reports/{case}", "200", {"status", "messages"}, {"404", "429"}),
        (
            "post",
            "/api/v1/reports/{case}/messages",
            "201",
            {"status", "messages", "crisis", "help"},
            {"404", "422", "429"},
        ),
    ],
)
async def test_openapi_schema_gives_each_answers_body(client, method, path, status, fields, errors):
    """An integrator reads what comes back, on success and on each error, from the schema."""
    schema = (await client.get("/api/schema/openapi.json")).json()
    answers = schema["paths"][path][method]["responses"]
    assert fields <= set(_body(schema, answers[status])["properties"])
    for error in errors:
        assert {"error", "status", "fields"} <= set(_body(schema, answers[error])["properties"])


async def test_openapi_schema_gives_the_body_of_a_malformed_request(client, schools):
    schema = (await client.get("/api/schema/openapi.json")).json()
    documented = _body(schema, schema["paths"]["/api/v1/reports"]["post"]["responses"]["400"])
    missing = await client.post("/api/v1/reports", json={"school": "AST-001"})
    assert missing.status_code == 400
    body = missing.json()
    assert set(body) <= set(documented["properties"])
    assert set(documented["required"]) <= set(body)
    # The missing field is named, not the whole body; so is one of the wrong type.
    assert body["detail"] == [{"field": "text"}]
    wrong = await client.post("/api/v1/reports", json={"school": "AST-001", "text": 5})
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == [{"field": "text"}]


async def test_a_case_code_clash_is_retried_not_lost(client, schools, monkeypatch):
    from school_safety.reports import intake

    first = (await file(client)).json()
    codes = iter([first["case"], first["case"], "QQQQ-RRRR"])
    monkeypatch.setattr(intake, "new_case_code", lambda: next(codes))
    second = await file(client, text="second report")
    assert second.status_code == 201
    assert second.json()["case"] == "QQQQ-RRRR"
    assert await Report.count() == 2


async def test_pictures_past_the_daily_budget_are_refused_but_the_report_is_not(
    client, schools, monkeypatch
):
    from school_safety.reports import intake

    picture = base64.b64encode(support.jpeg_with_gps()).decode()
    assert (await file(client, evidence=[picture])).status_code == 201
    stored = len((await Evidence.select(Evidence.data).first())["data"])
    # Room for the day's one picture and half another.
    budget = replace(get_settings(), evidence_bytes_per_day=stored + stored // 2)
    monkeypatch.setattr(intake, "get_settings", lambda: budget)

    refused = await file(client, language="ru", text="second", evidence=[picture])
    assert refused.status_code == 422
    assert refused.json()["fields"]["evidence"] == support.in_language("ru", intake.PICTURES_PAUSED)
    assert await Report.count() == 1
    # The words still reach someone.
    assert (await file(client, text="second, without the picture")).status_code == 201

    # A day later the first picture no longer counts.
    a_day_ago = datetime.now(UTC) - timedelta(hours=25)
    await Evidence.update({Evidence.created_at: a_day_ago}, force=True)
    assert (await file(client, text="third", evidence=[picture])).status_code == 201
    assert await Evidence.count() == 2


async def test_a_flood_of_pictures_at_one_school_leaves_the_others_room(
    client, schools, monkeypatch
):
    from school_safety.reports import intake

    picture = base64.b64encode(support.jpeg_with_gps()).decode()
    assert (await file(client, evidence=[picture])).status_code == 201
    stored = len((await Evidence.select(Evidence.data).first())["data"])
    # One picture's room per school a day; plenty for all schools together.
    budgets = replace(
        get_settings(),
        evidence_bytes_per_school_per_day=stored + stored // 2,
        evidence_bytes_per_day=100 * stored,
    )
    monkeypatch.setattr(intake, "get_settings", lambda: budgets)

    refused = await file(client, language="ru", text="second", evidence=[picture])
    assert refused.status_code == 422
    assert refused.json()["fields"]["evidence"] == support.in_language("ru", intake.PICTURES_PAUSED)
    elsewhere = await file(client, school="AST-002", text="another school", evidence=[picture])
    assert elsewhere.status_code == 201
    assert await Evidence.count() == 2

    # A pupil's later pictures count towards their school's budget too.
    page = await client.get("/follow-up")
    later = await client.post(
        "/follow-up/evidence",
        data={
            "_csrf_token": support.csrf_token_from(page.text),
            "receipt": elsewhere.json()["receipt"],
        },
        files={"evidence": ("photo.jpg", support.jpeg_with_gps(), "image/jpeg")},
    )
    assert later.status_code == 422
    assert await Evidence.count() == 2
