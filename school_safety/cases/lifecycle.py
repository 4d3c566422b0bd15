"""The life of a case: new → in review → referred to police → closed, and how it may close.

A case closes only with an outcome and a short message for the pupil, which
appears on their follow-up page; a duplicate must point at the case it repeats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from school_safety.i18n import N_

NEW: Final = "new"
IN_REVIEW: Final = "in_review"
REFERRED: Final = "referred"
CLOSED: Final = "closed"

STATUS_NAMES: Final[dict[str, str]] = {
    NEW: N_("New"),
    IN_REVIEW: N_("In review"),
    REFERRED: N_("Referred to police"),
    CLOSED: N_("Closed"),
}

# Where each status may go next. A closed case can be reopened for review.
TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    NEW: frozenset({IN_REVIEW, REFERRED, CLOSED}),
    IN_REVIEW: frozenset({REFERRED, CLOSED}),
    REFERRED: frozenset({IN_REVIEW, CLOSED}),
    CLOSED: frozenset({IN_REVIEW}),
}

DUPLICATE: Final = "duplicate"
OUTCOMES: Final[dict[str, str]] = {
    "bullying_confirmed": N_("Bullying confirmed"),
    "cyberbullying_confirmed": N_("Cyberbullying confirmed"),
    "suicide_risk_handled": N_("Suicide risk handled"),
    "not_bullying": N_("Not bullying"),
    "false_report": N_("False or malicious report"),
    DUPLICATE: N_("Duplicate of another case"),
}

CLOSING_MESSAGE_MAX = 2000

# Why the platform itself changed a case's status (StatusChange.reason), as staff read it.
DANGEROUS_REPLY: Final = "dangerous_reply"
AUTOMATIC_REASONS: Final[dict[str, str]] = {
    DANGEROUS_REPLY: N_("Automatically, because a reply signals danger"),
}


@dataclass(frozen=True)
class StatusRequest:
    current: str
    target: str
    outcome: str = ""
    closing_message: str = ""
    # The case this one duplicates, already resolved within the user's scope.
    duplicate_of_id: int | None = None


def refusal(request: StatusRequest) -> dict[str, str]:
    """Why the change is refused, per form field, as untranslated messages; empty if allowed."""
    errors: dict[str, str] = {}
    if request.target not in STATUS_NAMES:
        errors["status"] = N_("Unknown status.")
        return errors
    if request.target not in TRANSITIONS[request.current]:
        errors["status"] = N_("A case cannot move from this status to that one.")
        return errors
    if request.target == CLOSED:
        if request.outcome not in OUTCOMES:
            errors["outcome"] = N_("Choose an outcome before closing the case.")
        if not request.closing_message.strip():
            errors["closing_message"] = N_("Write a short message for the pupil before closing.")
        elif len(request.closing_message) > CLOSING_MESSAGE_MAX:
            errors["closing_message"] = N_("The text is too long.")
        if request.outcome == DUPLICATE and request.duplicate_of_id is None:
            errors["duplicate_of"] = N_("Give the code of the case this one duplicates.")
    elif request.outcome:
        errors["outcome"] = N_("An outcome is given only when closing.")
    return errors
