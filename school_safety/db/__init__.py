"""Database access shared by every domain: the engine, write transactions, migrations."""

import os

# Piccolo finds its engine and apps through this module; set before any table is used.
os.environ.setdefault("PICCOLO_CONF", "school_safety.piccolo_conf")
