from pathlib import Path

from piccolo.conf.apps import AppConfig

from school_safety.classifier.tables import LabelReview

APP_CONFIG = AppConfig(
    app_name="classifier",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[LabelReview],
    migration_dependencies=["school_safety.reports.piccolo_app"],
    commands=[],
)
