"""The trained model: safe files, an exact fast path, determinism, the commands."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import skops.io
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import FunctionTransformer

from school_safety.classifier import model, store
from school_safety.classifier.corpus import corpus_files, load_examples
from school_safety.classifier.labels import LABELS, SUICIDE_RISK
from school_safety.classifier.normalise import normalise
from school_safety.classifier.pipeline import SEED, build_pipeline
from school_safety.classifier.training import (
    SUICIDE_RISK_MIN_RECALL,
    THRESHOLD_FOLDS,
    out_of_fold_probabilities,
    split,
    strata,
    train,
    train_keeping_scores,
    with_thresholds,
)
from school_safety.cli import main


def test_model_files_round_trip_through_skops(tmp_path):
    classifier = store.get_classifier()
    model.save(classifier, tmp_path)
    loaded = model.load(tmp_path)
    texts = [e.text for e in load_examples(corpus_files())[:200]]
    before = classifier.probabilities([normalise(t) for t in texts])
    after = loaded.probabilities([normalise(t) for t in texts])
    assert np.array_equal(before, after)
    assert loaded.card.thresholds == classifier.card.thresholds
    card = json.loads((tmp_path / model.CARD_FILE).read_text())
    for key in ("version", "trained_at", "corpus_hash", "thresholds", "validation", "model_sha256"):
        assert card[key], key


def test_model_files_are_small_and_load_back_the_same_vocabularies(tmp_path):
    classifier = store.get_classifier()
    model.save(classifier, tmp_path)
    # Written entry by entry, the vocabularies alone took over 100 MB.
    assert (tmp_path / model.MODEL_FILE).stat().st_size < 10_000_000
    loaded = model.load(tmp_path)
    pairs = zip(
        classifier.pipeline.named_steps["features"].transformer_list,
        loaded.pipeline.named_steps["features"].transformer_list,
        strict=True,
    )
    for (_, before), (_, after) in pairs:
        assert after.vocabulary_ == before.vocabulary_
    # Saving wrote a packed copy: the classifier in use keeps its dicts.
    for _, vectorizer in classifier.pipeline.named_steps["features"].transformer_list:
        assert isinstance(vectorizer.vocabulary_, dict)
    texts = ["мен өлгім келеді", "ақша әкел әйтпесе ұрамын", "kill yourself lol"]
    assert np.array_equal(
        np.column_stack([p[:, 1] for p in loaded.pipeline.predict_proba(texts)]),
        np.column_stack([p[:, 1] for p in classifier.pipeline.predict_proba(texts)]),
    )


def test_model_files_written_before_vocabularies_were_packed_still_load(tmp_path):
    classifier = store.get_classifier()
    model.save(classifier, tmp_path)
    # The older form: the fitted pipeline as it is, vocabularies as dicts.
    skops.io.dump(classifier.pipeline, tmp_path / model.MODEL_FILE)
    card = json.loads((tmp_path / model.CARD_FILE).read_text())
    card["model_sha256"] = model._sha256(tmp_path / model.MODEL_FILE)
    (tmp_path / model.CARD_FILE).write_text(json.dumps(card))
    texts = [normalise(e.text) for e in load_examples(corpus_files())[:100]]
    assert np.array_equal(
        model.load(tmp_path).probabilities(texts), classifier.probabilities(texts)
    )


def test_no_pickle_and_unknown_types_are_refused(tmp_path):
    assert not list(store.model_dir().glob("*.pkl")) and not list(
        store.model_dir().glob("*.pickle")
    )
    shutil.copytree(store.model_dir(), tmp_path / "edited")
    with (tmp_path / "edited" / model.MODEL_FILE).open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(model.ModelFileError, match="does not match"):
        model.load(tmp_path / "edited")

    # A file that would call an arbitrary function on load must not load, even with a fitting card.
    shutil.copytree(store.model_dir(), tmp_path / "hostile")
    hostile = FunctionTransformer(func=shutil.rmtree)
    skops.io.dump(hostile, tmp_path / "hostile" / model.MODEL_FILE)
    card = json.loads((tmp_path / "hostile" / model.CARD_FILE).read_text())
    card["model_sha256"] = model._sha256(tmp_path / "hostile" / model.MODEL_FILE)
    (tmp_path / "hostile" / model.CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(model.ModelFileError, match="unexpected types"):
        model.load(tmp_path / "hostile")


def test_fast_path_equals_the_pipeline():
    classifier = store.get_classifier()
    texts = [e.text for e in load_examples(corpus_files())[::7]]
    texts = ["", *texts, "", "   ", "😭", "x" * 5000, "д у р а к", "ақша әкел әйтпесе ұрамын", ""]
    fast = classifier.probabilities([normalise(t) for t in texts])
    slow = np.column_stack([p[:, 1] for p in classifier.pipeline.predict_proba(texts)])
    assert np.abs(fast - slow).max() < 1e-9
    # One text at a time takes another road; it must arrive at the same place.
    one_by_one = np.vstack([classifier.probabilities([normalise(t)]) for t in texts[:300]])
    assert np.abs(one_by_one - slow[:300]).max() < 1e-9


def test_operating_thresholds_meet_their_rule_out_of_fold():
    card = store.get_classifier().card
    out_of_fold = card.validation["out_of_fold"]
    assert out_of_fold["suicide_risk"]["recall"] >= SUICIDE_RISK_MIN_RECALL
    assert out_of_fold["n"] == card.sizes["fit_and_thresholds"] > card.sizes["test"] * 5
    assert set(card.thresholds) == set(LABELS)
    assert all(0.0 < value < 1.0 for value in card.thresholds.values())


def test_held_out_figures_are_real():
    test = store.get_classifier().card.validation["test"]
    assert test["n"] >= 400
    for label in LABELS:
        assert test[label]["support"] >= 50, label
    assert test["suicide_risk"]["recall"] >= 0.9
    assert test["bullying"]["f1"] >= 0.75
    assert test["cyberbullying"]["f1"] >= 0.75


def test_training_twice_gives_the_same_thresholds():
    examples = load_examples(corpus_files())
    # A deterministic fifth of the corpus keeps this test quick.
    subset = examples[::5]
    first = train(subset, corpus_files())
    second = train(subset, corpus_files())
    assert first.card.thresholds == second.card.thresholds
    assert first.card.validation == second.card.validation
    assert first.version == second.version


def test_other_recalls_are_chosen_by_the_same_rule_and_cost_no_more_false_alarms():
    classifier, scores = train_keeping_scores(load_examples(corpus_files())[::5], corpus_files())
    assert scores.thresholds() == (classifier.card.thresholds, classifier.card.cue_thresholds)
    column = LABELS.index(SUICIDE_RISK)
    truth = scores.targets[:, column] == 1
    false_alarms = []
    for recall in (0.95, 0.9, 0.8):
        at_recall = with_thresholds(classifier, *scores.thresholds(recall))
        # The product's flagging rule, phrases and cues included, on the out-of-fold scores.
        flagged = at_recall.flagged(scores.probabilities, scores.normalised, scores.phrase_hits)
        flagged = flagged[:, column]
        assert (flagged & truth).sum() >= recall * truth.sum()
        false_alarms.append(int((flagged & ~truth).sum()))
        # Only suicide_risk moves; the other labels keep their F1 thresholds.
        for label in LABELS:
            if label != SUICIDE_RISK:
                assert at_recall.card.thresholds[label] == classifier.card.thresholds[label]
    assert false_alarms == sorted(false_alarms, reverse=True)
    assert false_alarms[-1] < false_alarms[0]
    # with_thresholds made new cards: the trained one keeps its own thresholds.
    assert scores.thresholds() == (classifier.card.thresholds, classifier.card.cue_thresholds)


def test_thresholds_are_chosen_on_scores_from_models_that_never_saw_the_text():
    examples = load_examples(corpus_files())[::10]
    targets = np.array([e.targets() for e in examples])
    out_of_fold = out_of_fold_probabilities(examples)
    seen = build_pipeline().fit([e.text for e in examples], targets)
    in_sample = np.column_stack([p[:, 1] for p in seen.predict_proba([e.text for e in examples])])
    # A model scoring texts it was fitted on is far surer of them than one
    # that never saw them: were the folds leaking, the two would be alike.
    assert np.abs(out_of_fold - targets).mean() > 2 * np.abs(in_sample - targets).mean()
    assert np.all((out_of_fold > 0) & (out_of_fold < 1))


def test_folds_fitted_side_by_side_score_each_text_as_one_at_a_time_would():
    examples = load_examples(corpus_files())[::10]
    texts, targets = [e.text for e in examples], np.array([e.targets() for e in examples])
    side_by_side = out_of_fold_probabilities(examples)
    one_at_a_time = np.zeros(targets.shape)
    folds = StratifiedKFold(THRESHOLD_FOLDS, shuffle=True, random_state=SEED)
    for fitted, scored in folds.split(texts, strata(examples)):
        pipeline = build_pipeline(SEED).fit([texts[i] for i in fitted], targets[fitted])
        one_at_a_time[scored] = np.column_stack(
            [p[:, 1] for p in pipeline.predict_proba([texts[i] for i in scored])]
        )
    # Each score back at its own text; only the order of floating-point sums
    # may differ between a worker process and this one.
    np.testing.assert_allclose(side_by_side, one_at_a_time, rtol=0, atol=1e-7)


def _child_processes() -> list[str]:
    """Command lines of this process's children (Linux /proc)."""
    me, children = str(os.getpid()), []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            if stat.rsplit(")", 1)[1].split()[1] == me:
                children.append(Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " "))
        except (OSError, IndexError):
            continue  # gone meanwhile
    return children


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_fold_workers_exit_when_the_folds_are_scored():
    out_of_fold_probabilities(load_examples(corpus_files())[::20])
    # Only the resource trackers, which any use of multiprocessing starts once, may stay.
    workers = [c for c in _child_processes() if "resource_tracker" not in c]
    assert workers == []


def test_split_is_stable_and_disjoint():
    examples = load_examples(corpus_files())
    fit, thresholds, test = split(examples)
    again = split(examples)
    assert [e.text for e in test] == [e.text for e in again[2]]
    assert len(fit) + len(thresholds) + len(test) == len(examples)
    assert not {e.text for e in test} & {e.text for e in fit}


def test_weighty_words_come_from_the_text():
    classifier = store.get_classifier()
    words = classifier.weighty_words("меня бьют в туалете каждый день")["bullying"]
    assert words
    assert {word for word, _ in words} <= set(normalise("меня бьют в туалете каждый день").split())
    assert any(word == "бьют" and weight > 0 for word, weight in words)


def _weighed_by_the_pipeline(classifier, text: str) -> dict[str, dict[str, float]]:
    """Per label and word: the word's features' share of the score, from scikit-learn's own row."""
    features = classifier.pipeline.named_steps["features"]
    names = features.get_feature_names_out()
    normalised = normalise(text)
    row = features.transform([normalised]).tocsr()
    weights = np.column_stack(
        [
            calibrated.calibrated_classifiers_[0].estimator.coef_.ravel()
            for calibrated in classifier.pipeline.named_steps["labels"].estimators_
        ]
    )
    result: dict[str, dict[str, float]] = {label: {} for label in LABELS}
    for word in set(normalised.split()):
        padded = f" {word} "
        mine = [
            (index, value)
            for index, value in zip(row.indices, row.data, strict=True)
            if names[index] == f"words__{word}"
            or (names[index].startswith("chars__") and names[index][7:] in padded)
        ]
        for column, label in enumerate(LABELS):
            result[label][word] = sum(value * weights[index, column] for index, value in mine)
    return result


def test_weighty_words_weigh_each_word_as_the_pipelines_own_features_do():
    classifier = store.get_classifier()
    examples = load_examples(corpus_files())
    long_report = " ".join(e.text for e in examples[:40])
    for text in [long_report, *(e.text for e in examples[::400])]:
        expected = _weighed_by_the_pipeline(classifier, text)
        for label, words in classifier.weighty_words(text, limit=1000).items():
            assert dict(words) == pytest.approx(
                {word: round(weight, 3) for word, weight in expected[label].items() if weight},
                abs=1e-3,
            )
            ranked = sorted(expected[label].values(), key=abs, reverse=True)
            assert [abs(weight) for _word, weight in words] == pytest.approx(
                [abs(round(weight, 3)) for weight in ranked if weight], abs=1e-3
            )


def test_classify_command_prints_one_json_object(capsys):
    assert main(["classify", "мне пишут в инсте убей себя"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) >= {"labels", "flags", "priority", "model"}
    assert set(result["labels"]) == set(LABELS)
    assert "suicide_risk" in result["flags"] and result["priority"] == "critical"
    assert result["model"] == store.get_classifier().version


def test_evaluate_command(tmp_path, capsys):
    sample = tmp_path / "sample.csv"
    sample.write_text(
        "text,labels\n"
        '"меня бьют каждый день в раздевалке",bullying\n'
        '"в чате все пишут что я уродина и скидывают мои фотки",cyberbullying\n'
        '"я больше не хочу жить",suicide_risk\n'
        '"курьер опоздал на час",\n',
        encoding="utf-8",
    )
    assert main(["classifier", "evaluate", str(sample)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 4
    for label in LABELS:
        assert set(result[label]) == {"precision", "recall", "f1", "support"}
        assert result[label]["support"] == 1
    assert "micro_f1" in result and "macro_f1" in result

    bad = tmp_path / "bad.csv"
    bad.write_text("text,labels\nhello,harassment\n", encoding="utf-8")
    assert main(["classifier", "evaluate", str(bad)]) == 2
    assert "bad.csv:2" in capsys.readouterr().err


def test_corpus_has_no_repeated_text_and_enough_of_each_kind():
    examples = load_examples(corpus_files())
    texts = [e.text for e in examples]
    assert len(texts) == len(set(texts))
    assert (
        len([e for e in examples if e.labels]) + len([e for e in examples if not e.labels]) >= 3000
    )
    for label in LABELS:
        assert sum(label in e.labels for e in examples) >= 500, label


def test_warm_up_freezes_the_loaded_model_out_of_garbage_collection():
    import gc

    gc.unfreeze()
    try:
        store.warm_up()
        assert store.is_loaded()
        # Full collections no longer walk the model's vocabularies: no pauses under load.
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_model_built_with_other_cue_lists_or_older_training_is_rebuilt(monkeypatch):
    assert store.needs_building() is None
    monkeypatch.setattr(store, "cues_hash", lambda: "lists edited since")
    assert "risk-cue lists" in (store.needs_building() or "")
    monkeypatch.undo()
    monkeypatch.setattr(store, "TRAINING_REVISION", "999")
    assert "training has changed" in (store.needs_building() or "")


def test_a_model_trained_with_extra_files_is_kept_when_out_of_date_but_said_so(monkeypatch, caplog):
    card = store.model.read_card(store.model_dir())
    assert card is not None
    card.extra_files = ["confirmed.csv"]
    monkeypatch.setattr(store.model, "read_card", lambda _directory: card)
    assert store.needs_building() is None
    assert not caplog.records
    monkeypatch.setattr(store, "TRAINING_REVISION", "999")
    with caplog.at_level("WARNING", logger="school_safety.classifier"):
        assert store.needs_building() is None
    (record,) = caplog.records
    assert "confirmed.csv" in record.getMessage()
    assert "training has changed" in record.getMessage()


def test_a_model_trained_with_extra_files_still_notices_a_new_project_corpus(monkeypatch, caplog):
    card = store.model.read_card(store.model_dir())
    assert card is not None
    assert card.project_corpus_hash == card.corpus_hash  # built from the corpus alone
    # Trained with extra labels: the corpus hash covers them too.
    card.extra_files, card.corpus_hash = ["confirmed.csv"], "corpus and confirmed.csv"
    monkeypatch.setattr(store.model, "read_card", lambda _directory: card)
    assert store.needs_building() is None
    assert not caplog.records
    card.project_corpus_hash = "the corpus of an older release"
    with caplog.at_level("WARNING", logger="school_safety.classifier"):
        assert store.needs_building() is None
    (record,) = caplog.records
    assert "confirmed.csv" in record.getMessage()
    assert "project corpus has changed" in record.getMessage()
    # A card from before the project's own hash was kept cannot tell, and says nothing.
    caplog.clear()
    card.project_corpus_hash = ""
    with caplog.at_level("WARNING", logger="school_safety.classifier"):
        assert store.needs_building() is None
    assert not caplog.records
