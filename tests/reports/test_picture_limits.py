"""Pictures cannot exhaust memory: few are decoded at once, and none too large."""

from __future__ import annotations

import asyncio
import base64
import html
import io
import threading
import time

import pytest
from PIL import Image

from school_safety.reports import intake
from school_safety.reports.evidence import CleanImage, EvidenceRejected, sanitize_image
from school_safety.reports.tables import Evidence, Report
from tests import support

TOO_LARGE = "A picture is too large."


def encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


@pytest.fixture(scope="module")
def single_colour_40_megapixels() -> bytes:
    """130 kB on the wire; checking it took a second and 390 MB under the old 40 MP cap."""
    return encoded(Image.new("RGB", (6300, 6300), (250, 250, 250)), "PNG")


@pytest.mark.parametrize("size", [(4032, 3024), (3024, 4032), (4608, 3456)])
def test_phone_photos_of_12_and_16_megapixels_are_accepted(size):
    clean = sanitize_image(encoded(Image.new("RGB", size, (90, 120, 30)), "JPEG"))
    assert max(clean.width, clean.height) == 2560


def test_a_single_colour_picture_of_40_megapixels_is_refused(single_colour_40_megapixels):
    assert len(single_colour_40_megapixels) < 200_000
    with pytest.raises(EvidenceRejected) as caught:
        sanitize_image(single_colour_40_megapixels)
    assert caught.value.reason == "too_many_pixels"


async def test_the_pupil_is_told_a_picture_is_too_large_in_their_language(
    client, schools, single_colour_40_megapixels
):
    client.cookies.set("lang", "ru")
    page = await support.submit_form(
        client,
        "AST-001",
        {"text": "Вот скриншот"},
        files={"evidence": ("big.png", single_colour_40_megapixels, "image/png")},
    )
    assert page.status_code == 422
    assert support.in_language("ru", TOO_LARGE) in html.unescape(page.text)

    api = await client.post(
        "/api/v1/reports",
        json={
            "school": "AST-001",
            "text": "Мына скриншот",
            "language": "kk",
            "evidence": [base64.b64encode(single_colour_40_megapixels).decode()],
        },
    )
    assert api.status_code == 422
    assert api.json()["fields"]["evidence"] == support.in_language("kk", TOO_LARGE)
    assert await Report.count() == 0 and await Evidence.count() == 0


async def test_no_more_than_two_pictures_are_checked_at_once(schools, monkeypatch):
    lock = threading.Lock()
    running = 0
    most = 0

    def slow_check(data: bytes, _limits: object) -> CleanImage:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return CleanImage(data, "image/png", 1, 1)

    monkeypatch.setattr(intake, "sanitize_image", slow_check)
    school_id = schools["AST-001"].id
    results = await asyncio.gather(
        *(intake.clean_evidence([b"picture %d" % n], {}, school_id) for n in range(8))
    )
    assert [len(cleaned) for cleaned in results] == [1] * 8
    assert most == 2
