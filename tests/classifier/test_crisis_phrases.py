"""Crisis phrases are always flagged, in every language, however they are typed."""

from __future__ import annotations

import pytest

from school_safety.classifier.crisis import LANGUAGES, read_phrases
from school_safety.classifier.labels import SUICIDE_RISK
from school_safety.classifier.store import get_classifier

ALL_PHRASES = [(language, phrase) for language in LANGUAGES for phrase in read_phrases(language)]


def test_every_language_has_phrases():
    for language in LANGUAGES:
        assert len(read_phrases(language)) >= 20, language


@pytest.mark.parametrize(("language", "phrase"), ALL_PHRASES)
def test_phrase_alone_and_in_a_sentence_is_flagged(language, phrase):
    classifier = get_classifier()
    for text in (
        phrase,
        phrase.upper(),
        f"в школе всё плохо, {phrase}, никто не поможет",
        f"мектепте бәрі жаман. {phrase}!!!",
        f"idk what to do anymore {phrase} fr",
    ):
        prediction = classifier.predict(text)
        assert SUICIDE_RISK in prediction.flags, text
        assert prediction.priority == "critical", text


@pytest.mark.parametrize(
    "text",
    [
        "ӨЛГІМ КЕЛЕДІІІ",
        "олгим келеди",
        "Я ХОЧУ УМЕРЕЕЕТЬ",
        "i want to dieeee",
        "k y s",
        "ne hochu zhit",
    ],
)
def test_variant_spellings_are_flagged(text):
    prediction = get_classifier().predict(text)
    assert prediction.crisis_phrases, text
    assert SUICIDE_RISK in prediction.flags


@pytest.mark.parametrize(
    "text",
    [
        "this test killed me",
        "убила контрольная по алгебре",
        "өліп қалдым күлгеннен",
        "we had a class hour about suicide prevention and the 150 helpline",
    ],
)
def test_hyperbole_and_lessons_hit_no_phrase(text):
    assert get_classifier().predict(text).crisis_phrases == []
