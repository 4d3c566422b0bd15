"""Piccolo's configuration module (named by PICCOLO_CONF, set in `school_safety.db`).

The engine follows DATABASE_URL; every domain that owns tables registers its
Piccolo app here.
"""

from piccolo.conf.apps import AppRegistry

from school_safety.db.engine import build_engine

DB = build_engine()

APP_REGISTRY = AppRegistry(
    apps=[
        "school_safety.schools.piccolo_app",
        "school_safety.staff.piccolo_app",
        "school_safety.audit.piccolo_app",
        "school_safety.reports.piccolo_app",
        "school_safety.classifier.piccolo_app",
        "school_safety.cases.piccolo_app",
    ]
)
