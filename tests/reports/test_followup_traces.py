"""What a pupil's coming back leaves in the database: no more than staff need."""

from __future__ import annotations

from school_safety.reports.tables import Message
from tests import support


async def test_reading_an_answer_keeps_only_the_day_it_was_read(client, schools):
    filed = await client.post(
        "/api/v1/reports",
        json={"school": "AST-001", "text": "в раздевалке отбирают телефон", "language": "ru"},
    )
    case, receipt = filed.json()["case"], filed.json()["receipt"]
    await support.staff_message(await support.report_id_for(case), "Приходи в кабинет 12.")

    read = await client.get(f"/api/v1/reports/{case}", headers={"X-Receipt": receipt})
    assert read.status_code == 200

    answer = await Message.select(Message.read_at).where(Message.author == "staff").first()
    assert answer is not None and answer["read_at"] is not None
    # The day only: the moment, matched with a school network's log, could name the pupil.
    assert (answer["read_at"].hour, answer["read_at"].minute) == (0, 0)
    assert (answer["read_at"].second, answer["read_at"].microsecond) == (0, 0)
