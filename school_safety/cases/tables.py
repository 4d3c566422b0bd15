"""What staff add to a report: notes, links between cases, and the history of its status."""

from piccolo.columns import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from school_safety.reports.tables import Report
from school_safety.staff.tables import StaffAccount


class CaseNote(Table):
    """An internal note: staff only, never shown to the pupil."""

    id: Serial  # the implicit primary key, declared for type checkers
    report = ForeignKey(references=Report, on_delete=OnDelete.cascade, null=False, index=True)
    author = ForeignKey(references=StaffAccount, on_delete=OnDelete.set_null, null=True)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class CaseLink(Table):
    """Two reports about the same aggressor or target: "two or more times" made visible."""

    id: Serial  # the implicit primary key, declared for type checkers
    # Stored with the smaller report id first, so a pair is stored once.
    first = ForeignKey(references=Report, on_delete=OnDelete.cascade, null=False, index=True)
    second = ForeignKey(references=Report, on_delete=OnDelete.cascade, null=False, index=True)
    created_by = ForeignKey(references=StaffAccount, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class StatusChange(Table):
    """Each move along the lifecycle, with who made it, or why nobody did."""

    id: Serial  # the implicit primary key, declared for type checkers
    report = ForeignKey(references=Report, on_delete=OnDelete.cascade, null=False, index=True)
    from_status = Varchar(length=16)
    to_status = Varchar(length=16)
    outcome = Varchar(length=32, default="")
    changed_by = ForeignKey(references=StaffAccount, on_delete=OnDelete.set_null, null=True)
    # Set when the platform made the change itself (AUTOMATIC_REASONS): without it a
    # change with no author reads like one by an account deleted since.
    reason = Varchar(length=32, default="")
    changed_at = Timestamptz(default=TimestamptzNow())
