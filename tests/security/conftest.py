"""Shared helpers for the security suite (issue 11): tiny synthetic units and plans built in the test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import geopandas as gpd
import pytest
from shapely.geometry import box

from zones.plan import Plan
from zones.rates import RateCard
from zones.service.auth import hash_password

BANDS = ("urban", "fringe", "rural", "isolated")
CARD = RateCard(year="2025/26", rates={b: Decimal(r) for b, r in zip(BANDS, ["25.27", "26.36", "29.39", "32.71"])})
VALID = {f"U{i}" for i in range(6)}


def units(n=6) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"unit_code": [f"U{i}" for i in range(n)], "unit_name": [f"Unit {i}" for i in range(n)]},
        geometry=[box(450000 + 1000 * i, 300000, 451000 + 1000 * i, 301000) for i in range(n)],
        crs="EPSG:27700",
    )


def plan(n=6, zones=None) -> Plan:
    zones = zones or ["Z1"] * (n // 2) + ["Z2"] * (n - n // 2)
    return Plan.build(
        "t",
        [f"U{i}" for i in range(n)],
        [f"Unit {i}" for i in range(n)],
        [10.0 * (i + 1) for i in range(n)],
        zones,
        [BANDS[i % 4] for i in range(n)],
        CARD,
        band_names=BANDS,
        computed_bands=[BANDS[i % 4] for i in range(n)],
    )


def write_users(path, roles) -> object:
    """A users file (TOML) at ``path``: each (name, role) of ``roles`` with the bcrypt hash of ``pw-<name>``."""
    path.write_text(
        "".join(f'[users.{n}]\nrole = "{r}"\npassword_bcrypt = "{hash_password("pw-" + n)}"\n\n' for n, r in roles)
    )
    return path


@pytest.fixture(scope="module")
def users_file(tmp_path_factory):
    """vic (viewer), ed (editor) and ada (admin), passwords ``pw-<name>``."""
    return write_users(
        tmp_path_factory.mktemp("users") / "users.toml", (("vic", "viewer"), ("ed", "editor"), ("ada", "admin"))
    )


@pytest.fixture
def secret_csv(tmp_path):
    """A CSV 'on the server' that an attacker wants to read; its rows must never appear in any message."""
    p = tmp_path / "server_secret.csv"
    p.write_text("unit_code,zone,band\nTOPSECRET_ROW_1,SECRET_ZONE,urban\n")
    return p


class FakeClock:
    """A UTC clock the test moves (``advance``): back-off and expiry rules read it instead of wall time."""

    def __init__(self, start: dt.datetime = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def fake_clock(monkeypatch) -> FakeClock:
    """Replace the service's time source (``zones.service.clock.utc_now``) for this test."""
    from zones.service import clock

    c = FakeClock()
    monkeypatch.setattr(clock, "utc_now", c)
    return c


@pytest.fixture(params=["sqlite", "postgis"])
def any_store_url(request, tmp_path) -> str:
    """A store database made for this test: a SQLite file, or a PostGIS database (tests/postgis_plugin.py)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 's.sqlite'}"
    return request.getfixturevalue("postgis_db")
