"""The `school-safety` command: migrate, demo, and serve's refusal of SQLite workers."""

from __future__ import annotations

import asyncio

import pytest

from school_safety.cli import main
from school_safety.db.engine import is_sqlite
from school_safety.reports.tables import Report
from school_safety.schools.tables import Region, School
from school_safety.staff.passwords import verify_password
from school_safety.staff.tables import StaffAccount, StaffSchool


def test_migrate_twice_is_harmless(capsys):
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_demo_loads_regions_schools_and_staff_once(capsys):
    assert main(["demo"]) == 0
    first = capsys.readouterr().out
    assert main(["demo"]) == 0
    second = capsys.readouterr().out

    assert asyncio.run(Region.count().run()) == 20
    assert asyncio.run(School.count().run()) == 300
    accounts = asyncio.run(StaffAccount.select().order_by(StaffAccount.username).run())
    assert {row["role"] for row in accounts} == {"admin", "psychologist", "officer", "region"}
    assert all(row["must_change_password"] for row in accounts)
    assert asyncio.run(StaffSchool.count().run()) == 4
    psychologist = next(row for row in accounts if row["role"] == "psychologist")
    assert "demo-psychologist-pass" in first
    assert verify_password(psychologist["password_hash"], "demo-psychologist-pass")
    assert "20 regions and 300 schools added" in first
    assert "5 demo reports filed" in first and "demo reports" not in second
    reports = asyncio.run(Report.select(Report.priority, Report.classification).run())
    assert len(reports) == 5
    assert all(r["classification"] == "classified" for r in reports)
    assert "critical" in {r["priority"] for r in reports}
    assert "0 regions and 0 schools added" in second
    assert "demo-psychologist-pass" not in second

    names = asyncio.run(Region.select(Region.name_kk, Region.name_ru, Region.name_en).run())
    assert all(row["name_kk"] and row["name_ru"] and row["name_en"] for row in names)


def test_serve_refuses_several_workers_on_sqlite(capsys):
    if not is_sqlite():
        pytest.skip("the rule is SQLite's")
    assert main(["serve", "--workers", "2"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err


def test_serve_keeps_the_servers_own_client_logging_off(monkeypatch):
    import uvicorn

    from school_safety.classifier import store

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options))
    monkeypatch.setattr(store, "ensure_model", lambda **_: None)
    assert main(["serve"]) == 0
    # Its access log and its WebSocket handshake log both name the client's address.
    assert started["access_log"] is False
    assert started["ws"] == "none"
    assert started["server_header"] is False


@pytest.fixture
def serve_options(monkeypatch):
    """What `serve` would hand uvicorn, without starting it."""
    import uvicorn

    from school_safety.classifier import store

    started: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options))
    monkeypatch.setattr(store, "ensure_model", lambda **_: None)
    return started


def test_serve_believes_forwarded_addresses_only_from_named_proxies(serve_options):
    assert main(["serve"]) == 0
    assert serve_options["proxy_headers"] is False

    assert main(["serve", "--behind-proxy"]) == 0
    assert serve_options["proxy_headers"] is True
    # Never "*": then uvicorn takes the leftmost address, which the client writes itself.
    assert serve_options["forwarded_allow_ips"] == ["127.0.0.1", "::1"]

    assert main(["serve", "--behind-proxy", "--proxy-ips", " 10.0.0.5, 10.1.0.0/16,fd00::1"]) == 0
    assert serve_options["forwarded_allow_ips"] == ["10.0.0.5", "10.1.0.0/16", "fd00::1"]


@pytest.mark.parametrize("value", ["*", "", "10.0.0.5,*", "proxy.local", "10.1.0.1/16"])
def test_serve_refuses_proxy_addresses_that_are_not_addresses(serve_options, capsys, value):
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--behind-proxy", "--proxy-ips", value])
    assert exited.value.code == 2
    assert "--proxy-ips" in capsys.readouterr().err
    assert serve_options == {}
