"""The pupil's path through the HTML forms, with and without htmx."""

from __future__ import annotations

import html
import re

from school_safety.reports.tables import Evidence, Message, Report
from tests import support

TEXT = "Меня толкают в коридоре и отбирают деньги"


async def test_report_by_form_then_follow_up_reply_and_evidence(client, schools):
    form = await client.get("/s/AST-001")
    assert form.status_code == 200
    assert "Школа-гимназия № 1" in form.text or "№ 1 мектеп-гимназия" in form.text

    sent = await support.submit_form(
        client,
        "AST-001",
        {
            "text": TEXT,
            "quick_choices": ["physical", "extortion"],
            "location": "corridor",
            "happened": "ongoing",
            "reporter_role": "affected",
        },
        files={"evidence": ("photo.jpg", support.jpeg_with_gps(), "image/jpeg")},
    )
    assert sent.status_code == 201, sent.text
    assert sent.headers["cache-control"] == "no-store"
    case, receipt = support.receipt_from(sent.text)
    report = await Report.select().where(Report.case_code == case).first()
    assert report["text"] == TEXT
    assert report["quick_choices"] == "physical,extortion"
    assert report["channel"] == "web"
    stored = await Evidence.select(Evidence.data).where(Evidence.report == report["id"])
    assert len(stored) == 1
    support.assert_no_metadata(stored[0]["data"])

    page = await client.get("/follow-up")
    token = support.csrf_token_from(page.text)
    wrong = await client.post(
        "/follow-up", data={"_csrf_token": token, "receipt": "1234 5678 1234 5678"}
    )
    assert wrong.status_code == 422
    assert 'aria-invalid="true"' in wrong.text

    await support.staff_message(report["id"], "Спасибо, что написал. Ты сегодня в школе?")
    opened = await client.post("/follow-up", data={"_csrf_token": token, "receipt": receipt})
    assert opened.status_code == 200
    assert "Ты сегодня в школе?" in opened.text
    assert TEXT in opened.text
    assert opened.headers["cache-control"] == "no-store"
    # Opening the case marks the staff message as read by the reporter.
    assert (await Message.select(Message.read_at).first())["read_at"] is not None

    replied = await client.post(
        "/follow-up/reply", data={"_csrf_token": token, "receipt": receipt, "reply": "Да, я в 7Б"}
    )
    assert replied.status_code == 200
    assert "Да, я в 7Б" in replied.text
    authors = [row["author"] for row in await Message.select(Message.author).order_by(Message.id)]
    assert authors == ["staff", "reporter"]

    added = await client.post(
        "/follow-up/evidence",
        data={"_csrf_token": token, "receipt": receipt},
        files={"evidence": ("more.jpg", support.jpeg_with_gps((32, 32)), "image/jpeg")},
    )
    assert added.status_code == 200
    assert await Evidence.count().where(Evidence.report == report["id"]) == 2


async def test_htmx_requests_get_fragments(client, schools):
    sent = await support.submit_form(client, "AST-001", {"text": TEXT}, htmx=True)
    assert sent.status_code == 201
    assert "<html" not in sent.text
    assert 'id="report"' in sent.text
    # A top-level title: htmx puts it on the tab, which said "Report" until now.
    assert sent.text.lstrip().startswith(
        f"<title>{support.in_language('kk', 'Report sent')}</title>"
    )
    _case, receipt = support.receipt_from(sent.text)

    refused = await support.submit_form(client, "AST-001", {"text": ""}, htmx=True)
    assert refused.status_code == 422
    assert "<html" not in refused.text and 'id="report"' in refused.text

    page = await client.get("/follow-up")
    token = support.csrf_token_from(page.text)
    opened = await client.post(
        "/follow-up",
        data={"_csrf_token": token, "receipt": receipt},
        headers={"hx-request": "true"},
    )
    assert opened.status_code == 200
    assert "<html" not in opened.text and 'id="follow-up"' in opened.text


async def test_refused_form_keeps_what_the_pupil_typed(client, schools):
    long_people = "п" * 1001
    refused = await support.submit_form(
        client,
        "AST-001",
        {
            "text": TEXT,
            "people_involved": long_people,
            "quick_choices": ["threats"],
            "location": "canteen",
        },
    )
    assert refused.status_code == 422
    assert TEXT in refused.text
    assert 'value="threats" checked' in refused.text
    assert 'value="canteen" selected' in refused.text
    assert await Report.count() == 0


async def test_a_teacher_signs_on_the_form_and_a_pupil_cannot(client, schools):
    signature = {"signed_name": "Айгүл Серікқызы, математика", "signed_contact": "кабинет 214"}
    signed = await support.submit_form(
        client, "AST-001", {"text": TEXT, "reporter_role": "teacher", **signature}
    )
    assert signed.status_code == 201, signed.text
    stored = await Report.select(Report.signed_name, Report.signed_contact).first()
    assert stored == signature

    refused = await support.submit_form(
        client, "AST-001", {"text": TEXT, "reporter_role": "affected", **signature}
    )
    assert refused.status_code == 422
    # Shown back in the open signature box, beside the reason, for the pupil to clear.
    assert "Айгүл Серікқызы, математика" in refused.text
    assert await Report.count() == 1


async def test_form_errors_are_in_the_pupils_language(client, schools):
    client.cookies.set("lang", "ru")
    refused = await support.submit_form(client, "AST-001", {"text": " \n "})
    assert refused.status_code == 422
    assert support.in_language("ru", "Please write what happened.") in refused.text
    assert '<html lang="ru">' in refused.text


async def test_wrong_file_type_is_refused_with_a_message(client, schools):
    refused = await support.submit_form(
        client,
        "AST-001",
        {"text": TEXT},
        files={"evidence": ("notes.pdf", b"%PDF-1.7 hello", "application/pdf")},
    )
    assert refused.status_code == 422
    assert (
        support.in_language(
            "kk", "Only photos and screenshots (JPEG, PNG or WebP) can be attached."
        )
        in refused.text
    )
    broken = await support.submit_form(
        client,
        "AST-001",
        {"text": TEXT},
        files={"evidence": ("photo.jpg", support.jpeg_with_gps()[:200], "image/jpeg")},
    )
    assert broken.status_code == 422
    assert await Report.count() == 0


async def test_too_many_files_are_refused(client, schools):
    page = await client.get("/s/AST-001")
    token = support.csrf_token_from(page.text)
    photo = support.jpeg_with_gps((16, 16))
    files = [("evidence", (f"p{n}.jpg", photo, "image/jpeg")) for n in range(6)]
    refused = await client.post(
        "/s/AST-001/report", data={"_csrf_token": token, "text": TEXT}, files=files
    )
    assert refused.status_code == 422
    assert await Report.count() == 0


async def test_unknown_school_is_404_in_the_pupils_language(client, schools):
    client.cookies.set("lang", "en")
    missing = await client.get("/s/NOPE-404")
    assert missing.status_code == 404
    assert "This page does not exist." in missing.text
    client.cookies.set("lang", "kk")
    missing = await client.get("/s/NOPE-404")
    assert support.in_language("kk", "This page does not exist.") in missing.text


async def test_post_without_csrf_token_is_refused(client, schools):
    refused = await client.post("/s/AST-001/report", data={"text": TEXT})
    assert refused.status_code == 403
    assert "Traceback" not in refused.text
    assert await Report.count() == 0


async def test_invalid_utf8_is_a_4xx_not_a_500(client, schools):
    page = await client.get("/s/AST-001")
    token = support.csrf_token_from(page.text)
    body = b"_csrf_token=" + token.encode() + b"&text=%FF%FE%FA+bad"
    urlencoded = await client.post(
        "/s/AST-001/report",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert urlencoded.status_code in {201, 400, 422}
    boundary = "XyZ"
    multipart = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="_csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n'
        ).encode()
        + b"\xff\xfe\xc3\x28 broken\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    response = await client.post(
        "/s/AST-001/report",
        content=multipart,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert 400 <= response.status_code < 500 or response.status_code == 201, response.status_code
    assert response.status_code != 500
    api = await client.post(
        "/api/v1/reports",
        content=b'{"school": "AST-001", "text": "\xff\xfe", "language": "ru"}',
        headers={"content-type": "application/json"},
    )
    assert api.status_code == 400


async def test_oversized_request_is_413(client, schools):
    from school_safety.config import get_settings

    page = await client.get("/s/AST-001")
    token = support.csrf_token_from(page.text)
    huge = b"0" * (get_settings().request_max_bytes + 1024)
    response = await client.post(
        "/s/AST-001/report",
        data={"_csrf_token": token, "text": TEXT},
        files={"evidence": ("big.jpg", huge, "image/jpeg")},
    )
    assert response.status_code == 413
    assert await Report.count() == 0


def language_links(page: str) -> list[str]:
    return re.findall(r'href="(/language/[a-z]{2}\?next=[^"]*)"', page)


async def test_switching_language_after_sending_never_loses_the_page(client, schools):
    refused = await support.submit_form(client, "AST-001", {"text": " "})
    assert refused.status_code == 422
    # Back on the form: the languages are its buttons again, never a link to the
    # address that only takes a POST (a 405).
    assert language_links(refused.text) == []
    assert 'formaction="/s/AST-001/language/ru"' in refused.text

    # The receipt is shown once: no language link may lead away from it, with or without htmx.
    sent = await support.submit_form(client, "AST-001", {"text": TEXT})
    assert sent.status_code == 201 and language_links(sent.text) == []
    assert 'id="languages"' in sent.text and "hx-swap-oob" not in sent.text
    sent = await support.submit_form(client, "AST-001", {"text": TEXT}, htmx=True)
    assert sent.status_code == 201 and language_links(sent.text) == []
    nav = sent.text.split('<nav id="languages"')[1].split("</nav>")[0]
    assert 'hx-swap-oob="true"' in nav

    case, receipt = support.receipt_from(sent.text)
    page = await client.get("/follow-up")
    replied = await client.post(
        "/follow-up/reply",
        data={
            "_csrf_token": support.csrf_token_from(page.text),
            "receipt": receipt,
            "reply": "спасибо",
        },
    )
    assert replied.status_code == 200 and case in replied.text
    links = language_links(replied.text)
    assert links and all(link.endswith("next=%2Ffollow-up") for link in links)


async def test_a_mistyped_code_says_what_is_wrong_and_is_not_counted_as_a_guess(client, schools):
    sent = await support.submit_form(client, "AST-001", {"text": TEXT})
    case, receipt = support.receipt_from(sent.text)
    client.cookies.set("lang", "ru")
    token = support.csrf_token_from((await client.get("/follow-up")).text)

    async def open_with(code):
        return await client.post("/follow-up", data={"_csrf_token": token, "receipt": code})

    # Far more slips than the guess limit allows: each says the code is 16 digits.
    for typed in ["1234", "", "abcd efgh", receipt[:-1], receipt + "7"] * 3:
        slipped = await open_with(typed)
        assert slipped.status_code == 422, typed
        assert support.in_language(
            "ru", "The secret code has 16 digits. Check that you typed all of them."
        ) in html.unescape(slipped.text)
    # None of them counted: the right code still opens the case.
    opened = await open_with(receipt)
    assert opened.status_code == 200 and case in opened.text
    # A well-formed wrong code is a guess, and says only that nothing was found.
    wrong = await open_with("0000 0000 0000 0000")
    assert wrong.status_code == 422
    assert support.in_language(
        "ru", "We could not find a report with this code. Check the digits and try again."
    ) in html.unescape(wrong.text)


async def test_changing_language_on_the_form_keeps_what_the_pupil_typed(client, schools):
    form = await client.get("/s/AST-001")
    # The other languages are buttons of the report form: they send what was typed along.
    nav = form.text.split('<nav id="languages"')[1].split("</nav>")[0]
    assert 'form="report-form"' in nav and 'formaction="/s/AST-001/language/ru"' in nav
    assert 'id="report-form"' in form.text
    token = support.csrf_token_from(form.text)
    typed = {
        "_csrf_token": token,
        "text": TEXT,
        "quick_choices": ["threats"],
        "location": "canteen",
        "people_involved": "двое из 9Б",
    }
    for headers in ({}, {"hx-request": "true"}):
        switched = await client.post(
            "/s/AST-001/language/ru",
            data=typed,
            files={"evidence": ("", b"", "application/octet-stream")},
            headers=headers,
        )
        assert switched.status_code == 200
        assert '<html lang="ru">' in switched.text and '<div id="page" lang="ru">' in switched.text
        assert TEXT in switched.text and "двое из 9Б" in switched.text
        assert 'value="threats" checked' in switched.text
        assert 'value="canteen" selected' in switched.text
        assert switched.cookies.get("lang") == "ru"
        assert switched.headers["cache-control"] == "no-store"
        # Nothing was sent as a report.
        assert await Report.count() == 0
    # With htmx the whole body is swapped, so the header and help lines change language too.
    assert switched.headers["hx-retarget"] == "body"
    assert switched.headers["hx-reswap"].startswith("innerHTML")

    # Pictures cannot be put back into a file field: the pupil is told to choose them again.
    with_picture = await client.post(
        "/s/AST-001/language/en",
        data=typed,
        files={"evidence": ("photo.jpg", support.jpeg_with_gps(), "image/jpeg")},
    )
    assert with_picture.status_code == 200
    assert "Please choose your pictures again" in with_picture.text
    assert await Report.count() == 0 and await Evidence.count() == 0

    assert (await client.post("/s/AST-001/language/de", data=typed)).status_code == 404
    refused = await client.post("/s/AST-001/language/ru", data={"text": TEXT})
    assert refused.status_code == 403  # no CSRF token
