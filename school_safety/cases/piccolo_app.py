from pathlib import Path

from piccolo.conf.apps import AppConfig

from school_safety.cases.tables import CaseLink, CaseNote, StatusChange

APP_CONFIG = AppConfig(
    app_name="cases",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[CaseNote, CaseLink, StatusChange],
    migration_dependencies=["school_safety.reports.piccolo_app"],
    commands=[],
)
