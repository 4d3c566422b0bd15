"""Staff accounts and the schools each one covers."""

from piccolo.columns import Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from school_safety.schools.tables import Region, School


class StaffAccount(Table):
    id: Serial  # the implicit primary key, declared for type checkers
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=200)
    # psychologist | officer | region | admin (see staff.roles)
    role = Varchar(length=16)
    password_hash = Varchar(length=200)
    must_change_password = Boolean(default=True)
    # The scope of a `region` account; schools are the scope of the others.
    region = ForeignKey(references=Region, on_delete=OnDelete.restrict, null=True)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class StaffSchool(Table):
    """A psychologist's or officer's school; one school may have several of each."""

    id: Serial  # the implicit primary key, declared for type checkers
    account = ForeignKey(
        references=StaffAccount, on_delete=OnDelete.cascade, null=False, index=True
    )
    school = ForeignKey(references=School, on_delete=OnDelete.cascade, null=False, index=True)
