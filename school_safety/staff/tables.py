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
    # TOTP two-factor (RFC 6238). The secret is set when the user enrols and
    # only then is `totp_enabled` switched on.
    totp_secret = Varchar(length=64, default="")
    totp_enabled = Boolean(default=False)
    last_login_at = Timestamptz(null=True, default=None)


class StaffSchool(Table):
    """A psychologist's or officer's school; one school may have several of each."""

    id: Serial  # the implicit primary key, declared for type checkers
    account = ForeignKey(
        references=StaffAccount, on_delete=OnDelete.cascade, null=False, index=True
    )
    school = ForeignKey(references=School, on_delete=OnDelete.cascade, null=False, index=True)


class StaffSession(Table):
    """A signed-in browser. Kept in the database so every worker process sees it."""

    id: Serial  # the implicit primary key, declared for type checkers
    # SHA-256 of the cookie's token: a leaked table does not sign anybody in.
    token_hash = Varchar(length=64, unique=True)
    account = ForeignKey(
        references=StaffAccount, on_delete=OnDelete.cascade, null=False, index=True
    )
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    # False between the password and the second factor, when one is required.
    totp_passed = Boolean(default=False)


class LoginFailure(Table):
    """A failed sign-in, for throttling across processes; the address is never kept."""

    id: Serial  # the implicit primary key, declared for type checkers
    username = Varchar(length=64, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)


class RolePolicy(Table):
    """What an administrator requires of every account with a role."""

    id: Serial  # the implicit primary key, declared for type checkers
    role = Varchar(length=16, unique=True)
    require_totp = Boolean(default=False)
