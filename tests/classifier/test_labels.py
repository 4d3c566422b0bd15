"""The priority rule and label parsing."""

from __future__ import annotations

import pytest

from school_safety.classifier.labels import parse_labels, priority_for, priority_rank


@pytest.mark.parametrize(
    ("flags", "probabilities", "choices", "priority"),
    [
        (["suicide_risk"], {"suicide_risk": 0.2}, [], "critical"),
        (["bullying", "suicide_risk"], {}, [], "critical"),
        ([], {}, ["self_harm"], "critical"),
        (["bullying", "cyberbullying"], {"bullying": 0.5, "cyberbullying": 0.5}, [], "high"),
        (["bullying"], {"bullying": 0.85}, [], "high"),
        (["cyberbullying"], {"cyberbullying": 0.6}, [], "normal"),
        ([], {"bullying": 0.79}, [], "low"),
        ([], {}, ["insults"], "low"),
    ],
)
def test_priority_rule(flags, probabilities, choices, priority):
    assert priority_for(flags, probabilities, choices) == priority


def test_priority_order():
    ranks = [priority_rank(p) for p in ("critical", "high", "normal", "low")]
    assert ranks == sorted(ranks) and len(set(ranks)) == 4


def test_parse_labels():
    assert parse_labels("") == ()
    assert parse_labels("bullying; suicide_risk") == ("bullying", "suicide_risk")
    with pytest.raises(ValueError, match="harassment"):
        parse_labels("bullying;harassment")
