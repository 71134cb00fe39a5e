"""Providers per zone (issue 15 §2): recorded on the plan's rate card, so saved and published versions keep them;
hours a provider would carry; the viability floor flag; bounds on stored figures."""

from __future__ import annotations

from decimal import Decimal

import geopandas as gpd
import pytest
from shapely.geometry import box

from geodata.datadir import DataError
from zones.plan import Plan
from zones.rates import MAX_PROVIDERS_PER_ZONE, RateCard
from zones.service.store import Store

BANDS = ("urban", "rural")
CARD = RateCard(
    year="t",
    rates={"urban": Decimal("20.00"), "rural": Decimal("30.00")},
    providers_per_zone=2,
    viability_floor_hours_per_week=Decimal("6"),
)


def tiny(card=CARD) -> Plan:
    # Z1: A 10 h + B 5.5 h = 15.5 h; Z2: C 2.25 h
    return Plan.build(
        "t",
        ["A", "B", "C"],
        ["Alpha", "Bravo", "Charlie"],
        [10, 5.5, 2.25],
        ["Z1", "Z1", "Z2"],
        ["urban", "urban", "rural"],
        card,
        band_names=BANDS,
    )


def test_hours_per_provider_and_viability_flag_by_hand():
    t = {r["zone"]: r for r in tiny().providers_table()}
    assert t["Z1"] == {
        "zone": "Z1",
        "providers": 2,
        "hours_per_week": 15.5,
        "hours_per_provider": 7.75,
        "below_viability_floor": False,
    }
    assert t["Z2"]["hours_per_provider"] == 1.12  # 2.25 / 2 = 1.125 -> 1.12 (to the hundredth, half-even)
    assert t["Z2"]["below_viability_floor"] is True  # 1.125 h < 6 h a week per provider


def test_providers_follow_moves_and_a_zone_of_its_own():
    p = tiny().move("C", zone="Z1")
    assert [r["zone"] for r in p.providers_table()] == ["Z1"]  # Z2 is empty now
    assert p.providers_table()[0]["hours_per_provider"] == 8.88  # 17.75 / 2 = 8.875
    p3 = p.with_rates(p.rates.with_providers("Z1", 3))
    assert p3.providers_table()[0]["providers"] == 3 and p3.providers_table()[0]["hours_per_provider"] == 5.92
    assert p3.providers_table()[0]["below_viability_floor"] is True


def test_no_providers_recorded_means_none_and_no_flag():
    card = RateCard(year="t", rates=dict(CARD.rates))
    t = tiny(card).providers_table()
    assert all(r["providers"] is None and r["hours_per_provider"] is None and not r["below_viability_floor"] for r in t)


def test_card_round_trip_keeps_providers_and_old_cards_still_load():
    card = CARD.with_providers("Z2", 1)
    back = RateCard.from_dict(card.to_dict())
    assert back == card and back.providers("Z2") == 1 and back.providers("Z9") == 2
    old = {k: v for k, v in CARD.to_dict().items() if "provider" not in k and "viability" not in k}
    assert RateCard.from_dict(old).providers("Z1") is None  # versions saved before providers were recorded


@pytest.mark.parametrize("bad", [-1, MAX_PROVIDERS_PER_ZONE + 1, "two", "1e9", 10**30])
def test_provider_counts_are_bounded(bad):
    with pytest.raises(DataError):
        CARD.with_providers("Z1", bad)
    d = CARD.to_dict() | {"providers_by_zone": {"Z1": bad}}
    with pytest.raises(DataError):
        RateCard.from_dict(d)


def _units():
    return gpd.GeoDataFrame(
        {"unit_code": ["A", "B", "C"]}, geometry=[box(i, 0, i + 1, 1) for i in range(3)], crs="EPSG:27700"
    )


def test_store_keeps_providers_with_the_version_and_refuses_hostile_ones(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    p = tiny()
    p = p.with_rates(p.rates.with_providers("Z2", 1))
    v = store.create("t", "two providers", p.assignments(), p.rates.to_dict(), valid_units={"A", "B", "C"})
    back = Plan.from_assignments(tiny(), store.load(v.scenario_id, 1).assignments).with_rates(
        RateCard.from_dict(store.load(v.scenario_id, 1).rate_model)
    )
    assert {r["zone"]: r["providers"] for r in back.providers_table()} == {"Z1": 2, "Z2": 1}
    for hostile in (
        {"providers_by_zone": {"Z1": 10**40}},
        {"providers_by_zone": {"<b>\x00": 1}},
        {"providers_by_zone": ["Z1"]},
        {"viability_floor_hours_per_week": "NaN"},
        {"viability_floor_hours_per_week": "1e400"},
        {"providers_per_zone": 51},
    ):
        with pytest.raises(DataError):
            store.create(
                "t",
                f"bad {len(str(hostile))}",
                p.assignments(),
                p.rates.to_dict() | hostile,
                valid_units={"A", "B", "C"},
            )
    assert len(store.list("t")) == 1
