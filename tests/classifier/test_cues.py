"""Risk cues: the evidence a low suicide_risk score needs, and the two thresholds built on them."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from school_safety.classifier import cues, model, store
from school_safety.classifier.corpus import corpus_files, load_examples
from school_safety.classifier.crisis import LANGUAGES, crisis_hits
from school_safety.classifier.cues import has_risk_cue, read_cues, read_exceptions, risk_cues
from school_safety.classifier.labels import LABELS, SUICIDE_RISK
from school_safety.classifier.normalise import normalise
from school_safety.classifier.training import SUICIDE_RISK_MIN_RECALL, cue_thresholds


def test_every_language_has_cues():
    for language in LANGUAGES:
        assert len(read_cues(language)) >= 50, language


def test_a_cue_beginning_with_one_letter_is_refused(tmp_path, monkeypatch):
    # "i m gone" may end in one-letter words, but a cue starting with one
    # would match most words of most texts.
    listed = tmp_path / "en-cues.txt"
    listed.write_text("# reviewed\nburden\ni m gone\n", encoding="utf-8")
    monkeypatch.setattr(cues, "cues_file", lambda _language: listed)
    with pytest.raises(ValueError, match="starts with one letter"):
        read_cues("en")
    listed.write_text("# reviewed\nburden\nwhen i m gone\n", encoding="utf-8")
    assert read_cues("en") == ["burden", "when i m gone"]


def test_exception_lines_are_read_apart_from_cues(tmp_path, monkeypatch):
    listed = tmp_path / "kk-cues.txt"
    listed.write_text("# reviewed\nдәрі\n!дәрігер\n", encoding="utf-8")
    monkeypatch.setattr(cues, "cues_file", lambda _language: listed)
    assert read_cues("kk") == ["дәрі"]
    assert read_exceptions("kk") == ["дәрігер"]
    listed.write_text("дәрі\n!д ә\n", encoding="utf-8")
    with pytest.raises(ValueError, match="starts with one letter"):
        read_exceptions("kk")


def test_an_exception_voids_the_cue_only_where_it_matches():
    # "дәрі" (medicine) is a cue; "дәрігер" (doctor) begins with it and is an exception.
    assert risk_cues(normalise("дәрігерге жазылдым, бәрі жақсы")) == []
    assert risk_cues(normalise("дәрігер айтты, бірақ мен дәрі жинап жүрмін")) == ["дари"]
    assert risk_cues(normalise("хаттар жоқ болып жатыр")) == []
    assert "жок бол" in risk_cues(normalise("мен жоқ болып кетсем ешкім байқамайды"))


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("мен жоқ болсам бәріне жеңіл болар еді", "жок бол"),
        ("мен жок болсам барине женил", "жок бол"),
        ("АСЫЛЫП ҚАЛҒЫМ КЕЛЕДІ", "асыл"),
        ("дәрілерін жинап жүр", "дари"),
        ("я просто обуза для мамы", "обуз"),
        ("i'm such a burden to everyone", "burden"),
        ("when i'm gone take care of mum", "when i m gone"),
        ("кешке көпірге барып қарап тұрамын", "копир"),
    ],
)
def test_cues_match_word_beginnings_after_normalisation(text, cue):
    assert cue in risk_cues(normalise(text))
    assert has_risk_cue(normalise(text))


@pytest.mark.parametrize(
    "text",
    [
        "қосымша ашылмайды, соңғы жаңартудан кейін жүктелмейді",
        "приложение не работает, способ оплаты не принимает",
        "крышка у чайника сломалась",
        "the app is great, i use it every day",
        "when i go home",
        # Cue stems begin these ordinary words; exceptions keep them off:
        # "дәрі" (medicine) in "дәрігер" (doctor), "жоқ бол" in "жоқ болып кетті" (vanished).
        "жақсы дәрігерлер екен, дәріханадан бәрі табылады",
        "хаттар жоқ болып жатыр, ақшам жоқ болып кетті",
        "",
    ],
)
def test_ordinary_complaints_hold_no_cue(text):
    assert risk_cues(normalise(text)) == []
    assert not has_risk_cue(normalise(text))


def test_cue_thresholds_reach_the_recall_with_the_fewest_false_alarms():
    rng = np.random.default_rng(7)
    truth = np.array([1] * 40 + [0] * 160)
    scores = np.concatenate([rng.uniform(0.05, 1.0, 40), rng.uniform(0.0, 0.6, 160)])
    cued = np.concatenate([rng.random(40) < 0.8, rng.random(160) < 0.2])
    caught = np.zeros(200, dtype=bool)
    upper, lower = cue_thresholds(truth, scores, SUICIDE_RISK_MIN_RECALL, caught, cued)
    assert lower <= upper
    flagged = (scores >= upper) | (cued & (scores >= lower))
    assert (flagged & (truth == 1)).sum() >= np.ceil(SUICIDE_RISK_MIN_RECALL * 40)
    false_alarms = int((flagged & (truth == 0)).sum())
    # No single threshold that reaches the same recall raises fewer false alarms.
    single = np.sort(scores[truth == 1])[::-1][int(np.ceil(SUICIDE_RISK_MIN_RECALL * 40)) - 1]
    assert false_alarms <= int(((scores >= single) & (truth == 0)).sum())
    # Phrases that reach the recall alone leave nothing for the cue threshold to do.
    assert cue_thresholds(truth, scores, 0.95, truth == 1, cued) is None


def test_the_card_holds_a_lower_threshold_for_cued_texts():
    card = store.get_classifier().card
    assert set(card.cue_thresholds) <= {SUICIDE_RISK}
    for label, value in card.cue_thresholds.items():
        assert 0.0 < value <= card.thresholds[label]
    assert card.cues_hash


def test_a_score_between_the_thresholds_flags_only_with_a_cue():
    classifier = store.get_classifier()
    card = classifier.card
    if SUICIDE_RISK not in card.cue_thresholds:
        pytest.skip("this model has one suicide_risk threshold")
    column = LABELS.index(SUICIDE_RISK)
    middle = (card.cue_thresholds[SUICIDE_RISK] + card.thresholds[SUICIDE_RISK]) / 2
    probabilities = np.zeros((2, len(LABELS)))
    probabilities[:, column] = middle
    texts = [normalise("мен жоқ болсам бәріне жеңіл"), normalise("қосымша ашылмайды")]
    flagged = classifier.flagged(probabilities, texts, [False, False])
    assert flagged[:, column].tolist() == [True, False]


def test_flags_from_the_pipeline_equal_the_fast_path():
    classifier = store.get_classifier()
    texts = [e.text for e in load_examples(corpus_files())[::5]]
    normalised = [normalise(t) for t in texts]
    slow = np.column_stack([p[:, 1] for p in classifier.pipeline.predict_proba(texts)])
    phrases = [bool(crisis_hits(text)) for text in normalised]
    from_pipeline = classifier.flagged(slow, normalised, phrases)
    predictions = classifier.predict_many(texts)
    from_predict = np.array([[label in p.flags for label in LABELS] for p in predictions])
    assert any(phrases)  # the phrases' part of the rule is exercised too
    assert np.array_equal(from_pipeline, from_predict)


def test_a_card_written_before_cue_thresholds_still_loads(tmp_path):
    shutil.copytree(store.model_dir(), tmp_path / "old")
    card_path = tmp_path / "old" / model.CARD_FILE
    card = json.loads(card_path.read_text())
    del card["cue_thresholds"], card["cues_hash"]
    card_path.write_text(json.dumps(card))
    loaded = model.load(tmp_path / "old")
    assert loaded.card.cue_thresholds == {}
    probabilities = np.full((1, len(LABELS)), 0.0)
    column = LABELS.index(SUICIDE_RISK)
    probabilities[0, column] = loaded.card.thresholds[SUICIDE_RISK] - 1e-6
    assert not loaded.flagged(probabilities, [normalise("мен жоқ болсам")], [False])[0, column]
