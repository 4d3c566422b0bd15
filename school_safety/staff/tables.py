"""Staff accounts and the schools each one covers."""

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
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
    # The TOTP time step of the last code accepted: a code is accepted once, and
    # only if its step is later, so a code seen over a shoulder cannot be reused.
    totp_last_step = Integer(default=0)
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
    # True only once a TOTP code was verified in this session. Whether a code is
    # needed is decided on every request (the account or its role may change).
    totp_passed = Boolean(default=False)


class LoginFailure(Table):
    """A failed sign-in, for throttling across processes; the address is never kept.

    An attempt is recorded before it is checked and its row removed if it
    succeeds, so that attempts made at the same moment count one another.
    """

    id: Serial  # the implicit primary key, declared for type checkers
    username = Varchar(length=64, index=True)
    # password | totp: wrong codes are counted apart, so that signing in again
    # with the password does not give back the tries at the second step.
    kind = Varchar(length=16, default="password")
    at = Timestamptz(default=TimestamptzNow(), index=True)


class RolePolicy(Table):
    """What an administrator requires of every account with a role."""

    id: Serial  # the implicit primary key, declared for type checkers
    role = Varchar(length=16, unique=True)
    require_totp = Boolean(default=False)
