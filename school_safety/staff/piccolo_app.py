from pathlib import Path

from piccolo.conf.apps import AppConfig

from school_safety.staff.tables import (
    LoginFailure,
    RolePolicy,
    StaffAccount,
    StaffSchool,
    StaffSession,
)

APP_CONFIG = AppConfig(
    app_name="staff",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[StaffAccount, StaffSchool, StaffSession, LoginFailure, RolePolicy],
    migration_dependencies=["school_safety.schools.piccolo_app"],
    commands=[],
)
