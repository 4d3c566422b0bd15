from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Integer, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class StaffSession(Table, tablename="staff_session", schema=None):
    totp_passed = Boolean(default=False)


async def ask_every_session_for_its_code_again() -> None:
    # Until now a session that needed no code was stored as having passed the
    # second step, and cannot be told from one that did: none counts as passed.
    await StaffSession.update({StaffSession.totp_passed: False}, force=True)


ID = "2026-12-06T13:37:16:674587"
VERSION = "1.38.0"
DESCRIPTION = (
    "TOTP codes are accepted once; wrong codes are counted; sessions verify their own code"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="staff", description=DESCRIPTION)

    manager.add_column(
        table_class_name="StaffAccount",
        tablename="staff_account",
        column_name="totp_last_step",
        db_column_name="totp_last_step",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LoginFailure",
        tablename="login_failure",
        column_name="kind",
        db_column_name="kind",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": "password",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_raw(ask_every_session_for_its_code_again)

    return manager
