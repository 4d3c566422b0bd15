from pathlib import Path

from piccolo.conf.apps import AppConfig

from school_safety.audit.tables import AuditEntry

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[AuditEntry],
    migration_dependencies=[
        "school_safety.schools.piccolo_app",
        "school_safety.staff.piccolo_app",
        "school_safety.reports.piccolo_app",
    ],
    commands=[],
)
