from pathlib import Path

from piccolo.conf.apps import AppConfig

from school_safety.staff.tables import StaffAccount, StaffSchool

APP_CONFIG = AppConfig(
    app_name="staff",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[StaffAccount, StaffSchool],
    migration_dependencies=["school_safety.schools.piccolo_app"],
    commands=[],
)
