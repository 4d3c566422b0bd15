from pathlib import Path

from piccolo.conf.apps import AppConfig

from school_safety.reports.tables import Evidence, Message, Report

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Report, Evidence, Message],
    migration_dependencies=[
        "school_safety.schools.piccolo_app",
        "school_safety.staff.piccolo_app",
    ],
    commands=[],
)
