"""Labels confirmed or corrected by a psychologist: the training data of later models."""

from piccolo.columns import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from school_safety.reports.tables import Report
from school_safety.staff.tables import StaffAccount


class LabelReview(Table):
    id: Serial  # the implicit primary key, declared for type checkers
    # Goes with the report when retention deletes it: training data is no excuse to keep text.
    report = ForeignKey(references=Report, on_delete=OnDelete.cascade, null=False, index=True)
    # `;`-separated label names as the psychologist set them (empty: none of the three).
    labels = Varchar(length=64, default="")
    # What the model had flagged at the time, to measure where it went wrong.
    model_flags = Varchar(length=64, default="")
    model_version = Varchar(length=32, default="")
    reviewer = ForeignKey(references=StaffAccount, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
