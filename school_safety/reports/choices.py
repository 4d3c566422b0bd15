"""The fixed choices on the report form, and the words a pupil sees for each status.

Labels are marked with N_ and translated when shown, so a report stores only
the codes.
"""

from __future__ import annotations

from school_safety.i18n import N_

# Quick choices: what happened, in one tap each.
QUICK_CHOICES: dict[str, str] = {
    "physical": N_("Hitting or pushing"),
    "insults": N_("Insults, name-calling, mocking"),
    "excluded": N_("Being left out or ignored on purpose"),
    "extortion": N_("Money or things taken"),
    "online": N_("Online or in chats"),
    "threats": N_("Threats"),
    "self_harm": N_("Someone may hurt themselves"),
}

LOCATIONS: dict[str, str] = {
    "classroom": N_("In a classroom"),
    "corridor": N_("In a corridor or on the stairs"),
    "canteen": N_("In the canteen"),
    "toilets": N_("In the toilets or changing rooms"),
    "sports": N_("In the gym or on the sports ground"),
    "schoolyard": N_("In the schoolyard"),
    "way": N_("On the way to or from school"),
    "online": N_("Online"),
    "elsewhere": N_("Somewhere else"),
}

HAPPENED: dict[str, str] = {
    "today": N_("Today"),
    "yesterday": N_("Yesterday"),
    "this_week": N_("This week"),
    "earlier": N_("Earlier"),
    "ongoing": N_("It keeps happening"),
}

REPORTER_ROLES: dict[str, str] = {
    "affected": N_("It happens to me"),
    "witness": N_("I saw it happen to someone else"),
    "teacher": N_("I am a teacher or school staff"),
}

# The lifecycle itself is the staff workspace's; these are the words a child reads.
STATUS_FOR_PUPIL: dict[str, str] = {
    "new": N_("Received. A school psychologist will read it soon."),
    "in_review": N_("A school psychologist is looking into what you wrote."),
    "referred": N_(
        "Passed to the police inspector who works with your school, so that it stops. "
        "You are not in trouble for telling."
    ),
    "closed": N_("Closed. Read the last message below."),
}
