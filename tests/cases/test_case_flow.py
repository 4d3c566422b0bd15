"""The psychologist's queue and case page: order, scope, lifecycle, dialogue, labels, links."""

from __future__ import annotations

import html

from school_safety.cases.tables import CaseLink, StatusChange
from school_safety.classifier.tables import LabelReview
from school_safety.reports.tables import Message, Report
from school_safety.web.locale import LANGUAGE_COOKIE
from tests import support

SUICIDAL = "меня травят каждый день, я больше не хочу жить"
BULLYING = "Данияр из 7Б бьёт меня на перемене и отбирает деньги"
MILD = "в столовой опять толкались в очереди"


async def filed(client, text, school="AST-001", **extra):
    response = await client.post(
        "/api/v1/reports", json={"school": school, "text": text, "language": "ru", **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def signed_in_psychologist(client, schools=("AST-001",)):
    await support.make_staff("aigerim", "psychologist", schools)
    await support.sign_in(client, "aigerim")


async def test_queue_puts_critical_first_and_shows_only_own_schools(client, schools):
    mild = await filed(client, MILD)
    critical = await filed(client, SUICIDAL)
    other_school = await filed(client, SUICIDAL, school="AST-002")
    await signed_in_psychologist(client)
    page = await client.get("/staff/")
    assert page.status_code == 200
    assert page.text.index(critical["case"]) < page.text.index(mild["case"])
    assert other_school["case"] not in page.text
    # The refreshing fragment: only the rows.
    rows = await client.get("/staff/", headers={"hx-request": "true", "hx-target": "queue"})
    assert "<html" not in rows.text and critical["case"] in rows.text
    assert 'hx-trigger="every 30s"' in rows.text
    # Filters.
    only_suicide = await client.get("/staff/", params={"label": "suicide_risk"})
    assert critical["case"] in only_suicide.text and mild["case"] not in only_suicide.text
    searched = await client.get("/staff/", params={"q": "столовой"})
    assert mild["case"] in searched.text and critical["case"] not in searched.text


async def test_a_malformed_school_filter_shows_every_school_not_an_error(client, schools):
    critical = await filed(client, SUICIDAL)
    await signed_in_psychologist(client)
    # "²" is a digit to str.isdigit() but not to int(); 20 digits overflow PostgreSQL's integer.
    for school in ("²", "9" * 20, "abc", ""):
        page = await client.get("/staff/", params={"school": school})
        assert page.status_code == 200, school
        assert critical["case"] in page.text, school


async def test_out_of_scope_case_is_404(client, schools):
    other = await filed(client, BULLYING, school="AKT-001")
    await signed_in_psychologist(client)
    assert (await client.get(f"/staff/cases/{other['case']}")).status_code == 404
    assert (await client.get("/staff/cases/ZZZZ-ZZZZ")).status_code == 404
    token = await support.csrf_for(client, "/staff/")
    refused = await client.post(
        f"/staff/cases/{other['case']}/messages", data={"_csrf_token": token, "message": "hi"}
    )
    assert refused.status_code == 404
    assert await Message.count() == 0


async def test_case_page_dialogue_labels_and_lifecycle(client, schools):
    report = await filed(client, BULLYING, quick_choices=["physical", "extortion"])
    await signed_in_psychologist(client)
    code = report["case"]
    page = await client.get(f"/staff/cases/{code}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "Данияр из 7Б" in page.text and 'data-testid="scores"' in page.text
    token = support.csrf_token_from(page.text)

    # Labels confirmed or corrected: stored as training data, with who.
    confirmed = await client.post(
        f"/staff/cases/{code}/labels",
        data={"_csrf_token": token, "labels": ["bullying"]},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    review = await LabelReview.select().first()
    assert review["labels"] == "bullying" and review["reviewer"] is not None

    # A message to the pupil moves a new case into review and reaches the follow-up.
    sent = await client.post(
        f"/staff/cases/{code}/messages",
        data={"_csrf_token": token, "message": "Привет! Давай поговорим завтра."},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    stored = await Report.select(Report.status, Report.first_response_at).first()
    assert stored["status"] == "in_review" and stored["first_response_at"] is not None
    pupil = await client.get(f"/api/v1/reports/{code}", headers={"X-Receipt": report["receipt"]})
    assert pupil.json()["messages"][0]["text"] == "Привет! Давай поговорим завтра."

    # The pupil answers: staff see it as new until they open the case.
    await client.post(
        f"/api/v1/reports/{code}/messages",
        headers={"X-Receipt": report["receipt"]},
        json={"text": "ок"},
    )
    queue = await client.get("/staff/")
    row = queue.text.split(f'href="/staff/cases/{code}"')[1].split("</tr>")[0]
    assert 'class="badge"' in row
    await client.get(f"/staff/cases/{code}")
    unread = await Message.count().where((Message.author == "reporter") & Message.read_at.is_null())
    assert unread == 0

    # No closing without an outcome and a message for the pupil.
    no_outcome = await client.post(
        f"/staff/cases/{code}/status",
        data={
            "_csrf_token": token,
            "status": "closed",
            "outcome": "",
            "closing_message": "Спасибо",
        },
    )
    assert no_outcome.status_code == 422
    no_message = await client.post(
        f"/staff/cases/{code}/status",
        data={
            "_csrf_token": token,
            "status": "closed",
            "outcome": "bullying_confirmed",
            "closing_message": "",
        },
    )
    assert no_message.status_code == 422
    assert (await Report.select(Report.status).first())["status"] == "in_review"

    closed = await client.post(
        f"/staff/cases/{code}/status",
        data={
            "_csrf_token": token,
            "status": "closed",
            "outcome": "bullying_confirmed",
            "closing_message": "Мы поговорили с классом. Если повторится — напиши.",
        },
        follow_redirects=False,
    )
    assert closed.status_code == 303
    stored = await Report.select(Report.status, Report.outcome, Report.closing_message).first()
    assert stored == {
        "status": "closed",
        "outcome": "bullying_confirmed",
        "closing_message": "Мы поговорили с классом. Если повторится — напиши.",
    }
    pupil = await client.get(f"/api/v1/reports/{code}", headers={"X-Receipt": report["receipt"]})
    assert pupil.json()["status"] == "closed"
    assert pupil.json()["messages"][-1]["text"].startswith("Мы поговорили с классом")
    history = await StatusChange.select(StatusChange.from_status, StatusChange.to_status).order_by(
        StatusChange.id
    )
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        ("new", "in_review"),
        ("in_review", "closed"),
    ]


async def test_duplicate_must_point_at_a_case_in_scope(client, schools):
    first = await filed(client, BULLYING)
    second = await filed(client, BULLYING + " снова")
    elsewhere = await filed(client, BULLYING, school="AKT-001")
    await signed_in_psychologist(client)
    token = await support.csrf_for(client, "/staff/")
    base = {
        "_csrf_token": token,
        "status": "closed",
        "outcome": "duplicate",
        "closing_message": "Это уже известно.",
    }
    for bad in ("", "ZZZZ-ZZZZ", elsewhere["case"], second["case"]):
        response = await client.post(
            f"/staff/cases/{second['case']}/status", data={**base, "duplicate_of": bad}
        )
        assert response.status_code == 422, bad
    ok = await client.post(
        f"/staff/cases/{second['case']}/status",
        data={**base, "duplicate_of": first["case"]},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    row = (
        await Report.select(Report.duplicate_of.case_code)
        .where(Report.case_code == second["case"])
        .first()
    )
    assert row["duplicate_of.case_code"] == first["case"]
    # The closed case says what it duplicates.
    page = await client.get(f"/staff/cases/{second['case']}")
    assert f'<a href="/staff/cases/{first["case"]}">' in page.text


async def test_a_duplicate_names_its_original_only_to_those_who_may_see_it(client, schools):
    original = await filed(client, BULLYING, school="AST-002")
    repeated = await filed(client, BULLYING + " снова")
    # A psychologist of both schools closes the repetition as a duplicate.
    await support.make_staff("both", "psychologist", ("AST-001", "AST-002"))
    await support.sign_in(client, "both")
    closed = await client.post(
        f"/staff/cases/{repeated['case']}/status",
        data={
            "_csrf_token": await support.csrf_for(client, "/staff/"),
            "status": "closed",
            "outcome": "duplicate",
            "duplicate_of": original["case"],
            "closing_message": "Это уже известно.",
        },
        follow_redirects=False,
    )
    assert closed.status_code == 303
    # A colleague of the first school alone sees the outcome, not the other school's case.
    client.cookies.clear()
    await signed_in_psychologist(client)
    page = await client.get(f"/staff/cases/{repeated['case']}")
    assert page.status_code == 200
    assert 'data-testid="case-outcome"' in page.text
    assert original["case"] not in page.text


async def test_invalid_transitions_are_refused(client, schools):
    report = await filed(client, MILD)
    await signed_in_psychologist(client)
    token = await support.csrf_for(client, "/staff/")
    for status in ("new", "archived", ""):
        response = await client.post(
            f"/staff/cases/{report['case']}/status", data={"_csrf_token": token, "status": status}
        )
        assert response.status_code == 422, status
        # The language links come back to the case page, not to the POST-only address.
        assert f'next=%2Fstaff%2Fcases%2F{report["case"]}"' in response.text
        assert "%2Fstatus" not in response.text


async def test_links_and_suggestions_make_repetition_visible(client, schools):
    first = await filed(client, BULLYING, people_involved="Данияр, 7Б")
    second = await filed(client, "Данияр опять толкнул меня у раздевалки", people_involved="Данияр")
    unrelated = await filed(client, MILD)
    await signed_in_psychologist(client)
    page = await client.get(f"/staff/cases/{second['case']}")
    related = page.text.split('id="related"')[1]
    # Same name, same school: suggested; a report about something else is not.
    assert first["case"] in related
    assert unrelated["case"] not in related
    token = support.csrf_token_from(page.text)
    linked = await client.post(
        f"/staff/cases/{second['case']}/links",
        data={"_csrf_token": token, "link": first["case"]},
        follow_redirects=False,
    )
    assert linked.status_code == 303
    # Linking twice, or from the other side, stores one link.
    await client.post(
        f"/staff/cases/{first['case']}/links", data={"_csrf_token": token, "link": second["case"]}
    )
    assert await CaseLink.count() == 1
    page = await client.get(f"/staff/cases/{first['case']}")
    assert second["case"] in page.text.split('id="related"')[1]
    bad = await client.post(
        f"/staff/cases/{first['case']}/links", data={"_csrf_token": token, "link": "nope"}
    )
    assert bad.status_code == 422


async def test_region_reads_officer_sees_referred_only(client, schools):
    report = await filed(client, BULLYING)
    await support.make_staff("region1", "region", region_code="AST")
    await support.make_staff("officer1", "officer", ("AST-001",))
    await support.sign_in(client, "region1")
    page = await client.get(f"/staff/cases/{report['case']}")
    assert page.status_code == 200
    token = support.csrf_token_from(page.text)
    refused = await client.post(
        f"/staff/cases/{report['case']}/messages", data={"_csrf_token": token, "message": "hi"}
    )
    assert refused.status_code == 403

    client.cookies.clear()
    await support.sign_in(client, "officer1")
    assert (await client.get(f"/staff/cases/{report['case']}")).status_code == 404
    async with support.write_transaction():
        await Report.update({Report.status: "referred"}).where(Report.case_code == report["case"])
    assert (await client.get(f"/staff/cases/{report['case']}")).status_code == 200


async def test_evidence_only_to_staff_in_scope_and_never_cached(client, schools):
    import base64

    report = await filed(
        client, BULLYING, evidence=[base64.b64encode(support.jpeg_with_gps()).decode()]
    )
    await signed_in_psychologist(client)
    page = await client.get(f"/staff/cases/{report['case']}")
    src = page.text.split('<img src="')[1].split('"')[0]
    picture = await client.get(src)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    assert "no-store" in picture.headers["cache-control"]
    support.assert_no_metadata(picture.content)
    client.cookies.clear()
    assert (await client.get(src, follow_redirects=False)).status_code == 303
    await support.make_staff("other", "psychologist", ("AKT-001",))
    await support.sign_in(client, "other")
    assert (await client.get(src)).status_code == 404


async def test_every_view_and_change_is_audited_without_the_text(client, schools):
    from school_safety.audit.log import verify
    from school_safety.audit.tables import AuditEntry

    report = await filed(client, BULLYING)
    await signed_in_psychologist(client)
    code = report["case"]
    page = await client.get(f"/staff/cases/{code}")
    token = support.csrf_token_from(page.text)
    await client.post(
        f"/staff/cases/{code}/messages", data={"_csrf_token": token, "message": "Секретное слово"}
    )
    await client.post(
        f"/staff/cases/{code}/notes", data={"_csrf_token": token, "note": "Заметка про Данияра"}
    )
    await client.post(
        f"/staff/cases/{code}/labels", data={"_csrf_token": token, "labels": ["bullying"]}
    )
    await client.post(
        f"/staff/cases/{code}/status", data={"_csrf_token": token, "status": "referred"}
    )
    entries = await AuditEntry.select().order_by(AuditEntry.id)
    actions = [e["action"] for e in entries]
    for action in ("case.view", "case.message", "case.note", "case.labels", "case.status"):
        assert action in actions, action
    assert all(e["case_code"] == code and e["actor_username"] == "aigerim" for e in entries)
    dumped = repr(entries)
    assert "Секретное слово" not in dumped and "Данияр" not in dumped
    assert (await verify()).ok


async def test_teachers_may_sign_pupils_may_not(client, schools):
    signed = await client.post(
        "/api/v1/reports",
        json={
            "school": "AST-001",
            "text": "В 6А мальчика систематически травят, видела сама",
            "language": "ru",
            "reporter_role": "teacher",
            "signed_name": "Гульнара Сериковна, биология",
            "signed_contact": "кабинет 214",
        },
    )
    assert signed.status_code == 201
    pupil = await client.post(
        "/api/v1/reports",
        json={"school": "AST-001", "text": "меня бьют", "language": "ru", "signed_name": "Алия"},
    )
    assert pupil.status_code == 422 and "signed_name" in pupil.json()["fields"]
    await signed_in_psychologist(client)
    page = await client.get(f"/staff/cases/{signed.json()['case']}")
    assert "Гульнара Сериковна, биология · кабинет 214" in page.text
    # Anonymous reports carry no signature at all.
    anonymous = await filed(client, MILD)
    page = await client.get(f"/staff/cases/{anonymous['case']}")
    assert 'data-testid="signed"' not in page.text


async def test_school_names_follow_the_staff_members_language(client, schools):
    case = await filed(client, MILD)
    await signed_in_psychologist(client)
    names = {
        "kk": "№ 1 мектеп-гимназия",
        "ru": "Школа-гимназия № 1",
        "en": "School-Gymnasium No. 1",
    }
    for language, name in names.items():
        client.cookies.set(LANGUAGE_COOKIE, language)
        queue = await client.get("/staff/")
        page = await client.get(f"/staff/cases/{case['case']}")
        for response in (queue, page):
            assert response.status_code == 200
            shown = html.unescape(response.text)
            assert name in shown, language
            assert not [other for other in names.values() if other != name and other in shown]


async def test_the_queue_shows_only_the_start_of_a_long_report(client, schools):
    start = ("меня толкают в очереди " * 10)[:139] + "Ю"
    assert len(start) == 140
    case = await filed(client, start + " и это ещё не всё" * 100)
    await signed_in_psychologist(client)
    queue = html.unescape((await client.get("/staff/")).text)
    assert case["case"] in queue and start in queue
    assert "Ю и это" not in queue and "ещё не всё" not in queue


async def test_only_those_who_answer_the_pupil_clear_the_new_message_badge(client, schools):
    report = await filed(client, BULLYING)
    code = report["case"]
    await support.make_staff("region1", "region", region_code="AST")
    await support.make_staff("officer1", "officer", ("AST-001",))
    await client.post(
        f"/api/v1/reports/{code}/messages",
        headers={"X-Receipt": report["receipt"]},
        json={"text": "ещё"},
    )
    async with support.write_transaction():
        await Report.update({Report.status: "referred"}).where(Report.case_code == code)

    def unread():
        return Message.count().where((Message.author == "reporter") & Message.read_at.is_null())

    for reader in ("region1", "officer1"):
        client.cookies.clear()
        await support.sign_in(client, reader)
        assert (await client.get(f"/staff/cases/{code}")).status_code == 200
        assert await unread() == 1, reader
    client.cookies.clear()
    await signed_in_psychologist(client)
    row = (await client.get("/staff/")).text.split(f'href="/staff/cases/{code}"')[1]
    assert 'class="badge"' in row.split("</tr>")[0]
    await client.get(f"/staff/cases/{code}")
    assert await unread() == 0


async def test_a_link_shows_only_the_cases_the_viewer_may_see(client, schools):
    here = await filed(client, BULLYING)
    elsewhere = await filed(client, BULLYING, school="AKT-001")
    also_here = await filed(client, MILD)
    ids = {row["case_code"]: row["id"] for row in await Report.select(Report.id, Report.case_code)}
    here_id, elsewhere_id, also_here_id = (
        ids[here["case"]],
        ids[elsewhere["case"]],
        ids[also_here["case"]],
    )
    # An administrator sees every school and may link across them.
    async with support.write_transaction():
        await CaseLink.insert(
            CaseLink(first=here_id, second=elsewhere_id),
            CaseLink(first=also_here_id, second=here_id),
        )
    await signed_in_psychologist(client)
    related = (await client.get(f"/staff/cases/{here['case']}")).text.split('id="related"')[1]
    assert also_here["case"] in related
    assert elsewhere["case"] not in related

    # An officer sees linked cases only once they are referred to police, like any other.
    async with support.write_transaction():
        await Report.update({Report.status: "referred"}).where(Report.id == here_id)
    await support.make_staff("officer1", "officer", ("AST-001", "AKT-001"))
    client.cookies.clear()
    await support.sign_in(client, "officer1")
    related = (await client.get(f"/staff/cases/{here['case']}")).text.split('id="related"')[1]
    assert also_here["case"] not in related and elsewhere["case"] not in related


async def test_an_overlong_picture_id_is_a_400_not_a_500(client, schools):
    report = await filed(client, BULLYING)
    await signed_in_psychologist(client)
    for picture in ("2147483648", "9223372036854775808", "9" * 20, "0"):
        response = await client.get(f"/staff/cases/{report['case']}/evidence/{picture}")
        assert response.status_code == 400, picture
        assert "Traceback" not in response.text


async def test_a_reply_that_signals_danger_puts_the_case_first_and_says_why(client, schools):
    mild = await filed(client, MILD)
    bullying = await filed(client, BULLYING)
    # Not critical by itself: the dangerous reply must put the mild case ahead of it.
    priority = await Report.select(Report.priority).where(Report.case_code == bullying["case"])
    assert priority[0]["priority"] != "critical"
    replied = await client.post(
        f"/api/v1/reports/{mild['case']}/messages",
        headers={"X-Receipt": mild["receipt"]},
        json={"text": "мне уже всё равно, я больше не хочу жить"},
    )
    assert replied.status_code == 201 and replied.json()["crisis"] is True
    await client.post(
        f"/api/v1/reports/{mild['case']}/messages",
        headers={"X-Receipt": mild["receipt"]},
        json={"text": "ладно"},
    )

    await signed_in_psychologist(client)
    client.cookies.set(LANGUAGE_COOKIE, "ru")
    queue = await client.get("/staff/")
    assert queue.text.index(mild["case"]) < queue.text.index(bullying["case"])
    row = queue.text.split(mild["case"])[0].rsplit("<tr", 1)[1]
    assert 'data-priority="critical"' in row

    page = html.unescape((await client.get(f"/staff/cases/{mild['case']}")).text)
    assert 'data-testid="reply-crisis"' in page
    assert support.in_language("ru", "signals danger") in page
    # The mark is on the reply that signalled danger, not on the one after it.
    thread = page.split('id="dialogue"')[1]
    dangerous, calm = thread.split("<li")[1:3]
    assert "я больше не хочу жить" in dangerous and 'data-testid="message-crisis"' in dangerous
    assert "ладно" in calm and 'data-testid="message-crisis"' not in calm

    other = html.unescape((await client.get(f"/staff/cases/{bullying['case']}")).text)
    assert 'data-testid="reply-crisis"' not in other

    # In the queue too, and it stays once the reply has been read.
    queue = html.unescape((await client.get("/staff/")).text)

    def row_of(code):
        return queue.split(f'href="/staff/cases/{code}"')[1].split("</tr>")[0]

    assert 'data-testid="queue-reply-crisis"' in row_of(mild["case"])
    assert support.in_language("ru", "a reply signals danger") in row_of(mild["case"])
    assert 'data-testid="queue-reply-crisis"' not in row_of(bullying["case"])
