"""The three labels and the one rule that turns them into a priority."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from school_safety.i18n import N_

BULLYING: Final = "bullying"
CYBERBULLYING: Final = "cyberbullying"
SUICIDE_RISK: Final = "suicide_risk"
LABELS: Final[tuple[str, ...]] = (BULLYING, CYBERBULLYING, SUICIDE_RISK)

CRITICAL: Final = "critical"
PRIORITIES: Final[tuple[str, ...]] = (CRITICAL, "high", "normal", "low")
PRIORITY_NAMES: Final[dict[str, str]] = {
    "critical": N_("Critical"),
    "high": N_("High"),
    "normal": N_("Normal"),
    "low": N_("Low"),
}
# What a report that could not be classified is treated as until it is.
UNCLASSIFIED_PRIORITY: Final = "high"
# A flagged label this sure of itself moves a report up from "normal".
CONFIDENT: Final = 0.8


# The quick choice a pupil ticks for "someone may hurt themselves".
SELF_HARM_CHOICE: Final = "self_harm"


def priority_for(
    flags: Sequence[str], probabilities: Mapping[str, float], quick_choices: Sequence[str] = ()
) -> str:
    """The priority rule, in one place.

    - critical: suicide risk is flagged (by the model or a crisis phrase), or
      the pupil ticked "someone may hurt themselves";
    - high: bullying and cyberbullying both flagged, or either flagged with
      probability of at least CONFIDENT;
    - normal: bullying or cyberbullying flagged;
    - low: nothing flagged. Low still means a person reads it.
    """
    if SUICIDE_RISK in flags or SELF_HARM_CHOICE in quick_choices:
        return "critical"
    flagged = [label for label in (BULLYING, CYBERBULLYING) if label in flags]
    if len(flagged) == 2 or any(probabilities.get(label, 0.0) >= CONFIDENT for label in flagged):
        return "high"
    if flagged:
        return "normal"
    return "low"


def priority_rank(priority: str) -> int:
    """0 for critical … 3 for low: the order a queue sorts by."""
    return PRIORITIES.index(priority) if priority in PRIORITIES else 1


def parse_labels(field: str) -> tuple[str, ...]:
    """`bullying;suicide_risk` → ("bullying", "suicide_risk"); unknown names are an error."""
    names = tuple(name.strip() for name in field.split(";") if name.strip())
    unknown = [name for name in names if name not in LABELS]
    if unknown:
        raise ValueError(f"unknown label(s): {', '.join(unknown)}")
    return names
