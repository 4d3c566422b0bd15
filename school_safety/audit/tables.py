"""One row per thing a staff member saw or changed, chained by hashes.

The hash of an entry covers what the entry says (when, who, what, which case,
the short detail) and the hash of the entry before it. The links to the
account, report, school and region are not covered: deleting an account or a
report (retention) clears them by design, and the copied username, role and
case code keep the record readable afterwards.
"""

from piccolo.columns import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from school_safety.reports.tables import Report
from school_safety.schools.tables import Region, School
from school_safety.staff.tables import StaffAccount


class AuditEntry(Table):
    id: Serial  # the implicit primary key, declared for type checkers
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = ForeignKey(references=StaffAccount, on_delete=OnDelete.set_null, null=True)
    # Copied: the record outlives the account. Empty with role "system" for the jobs.
    actor_username = Varchar(length=64, default="")
    actor_role = Varchar(length=16, default="")
    # case.view | case.status | case.message | case.labels | case.note | case.link
    # | case.evidence | admin.* (see audit.log.ACTION_NAMES)
    action = Varchar(length=32, index=True)
    report = ForeignKey(references=Report, on_delete=OnDelete.set_null, null=True)
    # Copied: the record outlives the report's deletion at the end of retention.
    case_code = Varchar(length=16, default="", index=True)
    # Who may read the entry: a region account sees its region's entries.
    school = ForeignKey(references=School, on_delete=OnDelete.set_null, null=True)
    region = ForeignKey(references=Region, on_delete=OnDelete.set_null, null=True, index=True)
    # Short and never the report's text or anything that identifies a pupil.
    detail = Text(default="")
    # Unique: two entries after the same one would be a fork in the chain.
    prev_hash = Varchar(length=64, unique=True)
    entry_hash = Varchar(length=64)
