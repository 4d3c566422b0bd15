"""The help lines a child must see (see the project's domain notes).

Numbers live here, in one place, so a deployment can correct them without
touching a template. Children write rather than call, so 111 is offered as a
text message first.
"""

from __future__ import annotations

from dataclasses import dataclass

from school_safety.i18n import N_


@dataclass(frozen=True)
class Helpline:
    number: str
    name: str
    description: str
    can_text: bool


HELPLINES: tuple[Helpline, ...] = (
    Helpline(
        number="111",
        name=N_("Contact centre for children's rights"),
        description=N_(
            "Free, anonymous, day and night. You can write to it or scan the 111 QR code in "
            "your school."
        ),
        can_text=True,
    ),
    Helpline(
        number="150",
        name=N_("Helpline for children and young people"),
        description=N_("Free and confidential, in Kazakh and Russian."),
        can_text=False,
    ),
    Helpline(
        number="112",
        name=N_("Emergency"),
        description=N_("If someone is in danger right now."),
        can_text=False,
    ),
)
