from pathlib import Path

from piccolo.conf.apps import AppConfig

from school_safety.schools.tables import Region, School

APP_CONFIG = AppConfig(
    app_name="schools",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Region, School],
    migration_dependencies=[],
    commands=[],
)
