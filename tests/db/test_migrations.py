"""Every table change has its migration: an auto migration made now would be empty."""

from __future__ import annotations

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder

APPS = ["schools", "staff", "reports", "classifier", "cases", "audit"]


def test_every_app_is_checked():
    assert sorted(APPS) == sorted(config.app_name for config in Finder().get_app_configs())


@pytest.mark.parametrize("app_name", APPS)
async def test_migrations_match_the_tables(app_name):
    manager = AutoMigrationManager(auto_input="y")
    statements = await manager.get_alter_statements(Finder().get_app_config(app_name))
    pending = [line for group in statements for line in group.statements]
    assert pending == [], f"{app_name} needs a migration: {pending}"
