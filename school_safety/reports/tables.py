"""A pupil's report, its evidence and the conversation about it."""

from piccolo.columns import (
    Boolean,
    Bytea,
    ForeignKey,
    Integer,
    Real,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from school_safety.schools.tables import School
from school_safety.staff.tables import StaffAccount


class Report(Table):
    id: Serial  # the implicit primary key, declared for type checkers
    # Shown to staff and used by other channels with the receipt; says nothing by itself.
    case_code = Varchar(length=16, unique=True)
    # Keyed hash of the pupil's receipt (see reports.receipts); never the receipt itself.
    receipt_hash = Varchar(length=64, unique=True)
    # Reports outlive any change to the school list: a school with reports cannot be deleted.
    school = ForeignKey(references=School, on_delete=OnDelete.restrict, null=False, index=True)
    language = Varchar(length=2)
    text = Text()
    # Comma-separated codes from reports.choices.QUICK_CHOICES.
    quick_choices = Varchar(length=200, default="")
    location = Varchar(length=32, default="")
    location_detail = Varchar(length=300, default="")
    happened = Varchar(length=32, default="")
    people_involved = Text(default="")
    reporter_role = Varchar(length=16, default="")
    # A teacher may sign a report; empty for every anonymous one.
    signed_name = Varchar(length=200, default="")
    signed_contact = Varchar(length=200, default="")
    # Channel the report came through: web | api
    channel = Varchar(length=16, default="web")
    status = Varchar(length=16, default="new", index=True)
    # What the classifier made of it (see classifier.labels for the priority rule).
    # pending: not yet tried; classified; unclassified: tried and failed, retried later.
    classification = Varchar(length=16, default="pending", index=True)
    # Until classified, a report is treated as high priority: nothing waits on the model.
    priority = Varchar(length=16, default="high", index=True)
    p_bullying = Real(null=True, default=None)
    p_cyberbullying = Real(null=True, default=None)
    p_suicide_risk = Real(null=True, default=None)
    # The flagged labels, `;`-separated; crisis-phrase hits are listed separately.
    flags = Varchar(length=64, default="")
    crisis_phrases = Text(default="")
    model_version = Varchar(length=32, default="")
    classified_at = Timestamptz(null=True, default=None)
    classification_attempts = Integer(default=0)
    # Handling by staff (see cases.lifecycle): how it was closed, and what the pupil was told.
    outcome = Varchar(length=32, default="")
    closing_message = Text(default="")
    duplicate_of: ForeignKey = ForeignKey(references="self", on_delete=OnDelete.set_null, null=True)
    first_response_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class Evidence(Table):
    """A screenshot or photo, re-encoded without metadata before it got here."""

    id: Serial  # the implicit primary key, declared for type checkers
    report = ForeignKey(references=Report, on_delete=OnDelete.cascade, null=False, index=True)
    content_type = Varchar(length=32)
    data = Bytea()
    width = Integer()
    height = Integer()
    # report | follow_up
    added_with = Varchar(length=16, default="report")
    # Indexed for the daily picture budget (intake.py).
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class Message(Table):
    """One message between staff and the anonymous reporter."""

    id: Serial  # the implicit primary key, declared for type checkers
    report = ForeignKey(references=Report, on_delete=OnDelete.cascade, null=False, index=True)
    # reporter | staff
    author = Varchar(length=16)
    # Which staff member wrote it; the pupil sees only "school psychologist".
    staff_account = ForeignKey(references=StaffAccount, on_delete=OnDelete.set_null, null=True)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    # When the other side first saw it: drives the unread markers.
    read_at = Timestamptz(null=True, default=None)
    # A pupil's message that signals danger (a crisis phrase, or suicide risk flagged by the
    # classifier), found after it was stored; it raised the case to critical.
    crisis = Boolean(default=False)
    # A pupil's message not yet checked by the classifier (it was away when the message came);
    # `followup.recheck_pending_replies` checks it later.
    check_pending = Boolean(default=False, index=True)
