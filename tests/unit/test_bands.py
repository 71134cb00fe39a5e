"""Bands: monotone rules (property test), town hubs from the towns file, validation measures and baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.datadir import DataError
from geodata.packs import load_pack
from geodata.zoning import hub_points, nearest_hub_edge_m
from tests.conftest import X0, Y0
from zones.classify import Thresholds, band_index
from zones.validate_bands import agreement, baseline_bands, baseline_cuts

pos = st.floats(min_value=0.0, max_value=60.0, allow_nan=False)
dens = st.floats(min_value=0.0, max_value=500.0, allow_nan=False)


@st.composite
def thresholds(draw):
    """Any ordered, live thresholds (fringe ≤ rural ≤ isolated), minutes and hours per km²."""
    t = sorted(draw(st.lists(st.floats(0.1, 40.0), min_size=3, max_size=3)))
    v = sorted(draw(st.lists(st.floats(0.1, 20.0), min_size=3, max_size=3)))
    return Thresholds(
        isolated_town_min=t[2],
        rural_town_min=t[1],
        fringe_town_min=t[0],
        isolated_visit_min=v[2],
        rural_visit_min=v[1],
        fringe_visit_min=v[0],
        fringe_below_hours_per_km2=draw(st.floats(0.5, 100)),
    )


@settings(max_examples=300, deadline=None)
@given(th=thresholds(), town=pos, visit=pos, d=dens, more_town=pos, more_visit=pos, less_dens=dens)
def test_more_remote_never_gives_a_lower_band(th, town, visit, d, more_town, more_visit, less_dens):
    a = band_index([town], [visit], [d], th)[0]
    b = band_index([town + more_town], [visit + more_visit], [max(d - less_dens, 0.0)], th)[0]
    assert b >= a


@settings(max_examples=200, deadline=None)
@given(th=thresholds(), town=pos, visit=pos, d=dens)
def test_each_band_is_what_its_rules_say(th, town, visit, d):
    b = band_index([town], [visit], [d], th)[0]
    iso = town >= th.isolated_town_min or visit >= th.isolated_visit_min
    rur = town >= th.rural_town_min or visit >= th.rural_visit_min
    fr = town >= th.fringe_town_min or visit >= th.fringe_visit_min or d < th.fringe_below_hours_per_km2
    assert b == (3 if iso else 2 if rur else 1 if fr else 0)


def test_hubs_are_towns_above_the_threshold_measured_from_their_edge(synthetic_pack):
    data = synthetic_pack.parent
    pd.DataFrame(
        {
            "name": ["Bigtown", "Smallville", "Midtown", "Nopop"],
            "easting": [X0, X0 + 10_000, X0 + 20_000, X0],
            "northing": [Y0, Y0, Y0, Y0 + 5000],
            "population": [400_000, 4_999, 5_000, ""],
        }
    ).to_csv(data / "towns.csv", index=False)
    text = synthetic_pack.read_text().replace('places = "places.csv"', 'places = "places.csv"\ntowns = "towns.csv"')
    synthetic_pack.write_text(text + '\n[hubs]\ntowns = "towns"\nmin_population = 5000\ndensity_per_km2 = 4000\n')
    h = hub_points(load_pack(synthetic_pack))
    assert list(h["name"]) == ["Bigtown", "Midtown"]  # villages (under 5,000) and unknown populations are not hubs
    r_big = np.sqrt(400_000 / (np.pi * 4000)) * 1000  # 5.64 km
    assert h.loc[0, "radius_m"] == pytest.approx(r_big)
    d, j = nearest_hub_edge_m(h, np.array([X0 + 3000, X0 + 8000, X0 + 19_000]), np.array([Y0, Y0, Y0]))
    assert d[0] == 0 and j[0] == 0  # inside Bigtown's disc
    assert d[1] == pytest.approx(8000 - r_big) and j[1] == 0
    assert j[2] == 1 and d[2] == pytest.approx(1000 - np.sqrt(5000 / (np.pi * 4000)) * 1000)
    # a population stated in the pack fills a blank one (London in the real file); places add named centres
    synthetic_pack.write_text(synthetic_pack.read_text() + 'populations = { Nopop = 50000 }\nplaces = ["Bravo"]\n')
    h2 = hub_points(load_pack(synthetic_pack))
    assert set(h2["name"]) == {"Bigtown", "Midtown", "Nopop", "Bravo"}
    assert h2.set_index("name").loc["Bravo", "radius_m"] == 0
    synthetic_pack.write_text(synthetic_pack.read_text().replace('places = ["Bravo"]', 'places = ["Atlantis"]'))
    with pytest.raises(DataError, match="Atlantis"):
        hub_points(load_pack(synthetic_pack))


def test_agreement_exact_within_one_and_kappa_by_hand():
    ref = np.array([0, 0, 1, 2, 3, -1])
    w = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 100.0])  # the unknown reference (-1) is left out
    same = agreement(ref.clip(0), ref, w)
    assert same["exact_pct"] == 100 and same["kappa_linear"] == 1.0 and same["hours_compared"] == 5
    off = agreement(np.array([1, 0, 1, 2, 2, 0]), ref, w)
    assert off["exact_pct"] == 60.0 and off["within_one_pct"] == 100.0
    # linear kappa by hand: po = 1 - (1/3 + 1/3)/5, pe from the marginals
    c = np.zeros((4, 4))
    for p_, r_ in [(1, 0), (0, 0), (1, 1), (2, 2), (2, 3)]:
        c[p_, r_] += 0.2
    dist = np.abs(np.subtract.outer(range(4), range(4))) / 3
    po, pe = 1 - (dist * c).sum(), 1 - (dist * np.outer(c.sum(1), c.sum(0))).sum()
    assert off["kappa_linear"] == pytest.approx((po - pe) / (1 - pe), abs=1e-3)


def test_baselines_cut_to_the_target_shares():
    area = np.arange(1, 101, dtype=float)  # 100 units of equal hours, area 1..100 km²
    hours = np.ones(100)
    cuts = baseline_cuts(area, hours, {"urban": 70, "fringe": 20, "rural": 8, "isolated": 2}, remote_high=True)
    b = baseline_bands(area, cuts, remote_high=True)
    assert np.bincount(b, minlength=4).tolist() == [70, 20, 8, 2]
    assert b[0] == 0 and b[-1] == 3  # the largest units are the most remote
    dcuts = baseline_cuts(area, hours, {"urban": 70, "fringe": 20, "rural": 8, "isolated": 2}, remote_high=False)
    bd = baseline_bands(area, dcuts, remote_high=False)
    assert bd[0] == 3 and bd[-1] == 0  # the sparsest units are the most remote


def _pts(unit_of_point, ref11, ref21=None, weight=None):
    n = len(unit_of_point)
    return pd.DataFrame(
        {
            "unit_idx": np.asarray(unit_of_point),
            "weight": np.ones(n) if weight is None else weight,
            "ruc11": np.asarray(ref11),
            "ruc21": np.asarray(ref11 if ref21 is None else ref21),
        }
    )


def test_kappa_bootstrap_intervals_paired_fixed_seed_and_unit_majority():
    from zones.validate_bands import kappa_bootstrap, unit_reference

    rng = np.random.default_rng(3)
    n_units = 60
    truth = rng.integers(0, 4, n_units)
    # 3 client points per unit; one point of every unit disagrees with the unit's class but holds little weight
    ui = np.repeat(np.arange(n_units), 3)
    ref = truth[ui].copy()
    ref[::3] = (ref[::3] + 1) % 4
    w = np.tile([0.2, 1.0, 1.0], n_units)
    pts = _pts(ui, ref, weight=w)
    assert (unit_reference(pts, "ruc11", n_units) == truth).all()  # the class holding most of the unit's hours
    noisy = np.where(rng.random(n_units) < 0.5, rng.integers(0, 4, n_units), truth)
    preds = {"classifier": truth, "classifier_out_of_sample": truth, "baseline_density": noisy}
    a = kappa_bootstrap(preds, pts, n_boot=200, seed=7)
    b = kappa_bootstrap(preds, pts, n_boot=200, seed=7)
    assert a == b  # fixed seed: the same intervals every run
    uw = a["ruc11"]["unit_weighted"]["kappa"]
    assert uw["classifier_out_of_sample"]["kappa_linear"] == 1.0 and uw["classifier_out_of_sample"]["ci95"] == [
        1.0,
        1.0,
    ]
    hw = a["ruc11"]["hours_weighted"]
    lo, hi = hw["kappa"]["baseline_density"]["ci95"]
    assert lo <= hw["kappa"]["baseline_density"]["kappa_linear"] <= hi
    assert hw["classifier_out_of_sample_minus"]["baseline_density"]["verdict"] == "better"
    assert "classifier" not in hw["classifier_out_of_sample_minus"]
    # identical predictions: the paired difference is exactly 0 in every draw -> a tie, never a win
    same = kappa_bootstrap({"classifier_out_of_sample": noisy, "baseline_density": noisy.copy()}, pts, n_boot=50)
    d = same["ruc21"]["hours_weighted"]["classifier_out_of_sample_minus"]["baseline_density"]
    assert d["difference"] == 0 and d["ci95"] == [0.0, 0.0] and d["verdict"].startswith("tie")


def test_same_shares_baseline_takes_the_classifiers_hours_per_band():
    """Fairness: a baseline cut to the target drifts out of sample; kappa then rewards the drift. The same-shares
    baseline has exactly the classifier's hours per band, so only the ordering of units differs."""
    from zones.validate_bands import same_shares_baseline

    rng = np.random.default_rng(1)
    dens = rng.uniform(1, 100, 200)
    hours = np.ones(200)
    cls = np.digitize(-dens, np.quantile(-dens, [0.6, 0.85, 0.97]))  # 60/25/12/3 % of hours, densest urban
    b = same_shares_baseline(dens, hours, cls, remote_high=False)
    assert np.bincount(b, minlength=4).tolist() == np.bincount(cls, minlength=4).tolist()
    assert (b == cls).all()  # the same ordering gives the same bands


def test_minutes_from_town_are_measured_from_where_the_people_live(synthetic_pack):
    """A unit whose fields reach far from the town but whose people live at its town end is near the town: the
    town time is averaged over its postcode centroids weighted by demand, not its area's representative point."""
    from geodata.units import load_units
    from zones.classify import band_evidence
    from zones.demand_points import demand_points

    data = synthetic_pack.parent
    # the East ward (x 2-4 km) has its two postcodes at its WEST edge, next to a town 1 km west of the county
    pcs = pd.read_csv(data / "postcodes.csv")
    pcs.loc[pcs.index[-2:], "east1m"] = [X0 + 2050, X0 + 2100]
    pcs.to_csv(data / "postcodes.csv", index=False)
    pd.DataFrame(
        {"name": ["Westtown"], "easting": [X0 - 1000 - 631], "northing": [Y0 + 500], "population": [5000]}
    ).to_csv(data / "towns.csv", index=False)
    text = synthetic_pack.read_text().replace('places = "places.csv"', 'places = "places.csv"\ntowns = "towns.csv"')
    synthetic_pack.write_text(text + '\n[hubs]\ntowns = "towns"\nmin_population = 5000\ndensity_per_km2 = 4000\n')
    layer = load_units(synthetic_pack)
    pts = demand_points(layer)
    hours = layer.units["hours_per_week"].to_numpy()
    assert np.bincount(pts["unit_idx"], weights=pts["weight"], minlength=len(hours)) == pytest.approx(hours)
    model = {"bands": [{"from_m": 0, "circuity": 1.0, "speed_m_per_s": 10.0}]}  # 1 km = 100 s
    metrics = pd.DataFrame({"unit_code": layer.units["unit_code"], "visit_to_visit_min": 1.0, "road_data": False})
    metrics.attrs["estimator"] = model
    ev = band_evidence(layer, metrics).set_index("unit_code")
    east = layer.units.loc[layer.units.geometry.centroid.x > X0 + 2000, "unit_code"].iloc[0]
    # its people are 3.05-3.1 km from the town's edge (x = X0 - 1000): 305-310 s, not the ~400 s of its middle
    assert ev.loc[east, "town_min"] == pytest.approx(307.5 / 60, abs=0.02)
    assert ev.loc[east, "town_positions"] == "postcodes"
    rep_x = layer.units.set_index("unit_code").loc[east, "geometry"].representative_point().x
    assert ev.loc[east, "town_min"] < (rep_x - (X0 - 1000)) / 10 / 60 - 1  # over a minute nearer than its middle


def test_paired_matches_and_exact_sign_test_by_hand():
    from zones.validate_bands import paired_matches

    truth = np.array([0, 1, 1, 2, 0, 1])
    pred = np.array([0, 1, 1, 2, 1, 0])  # right on 0-3
    base = np.array([0, 0, 0, 0, 1, 1])  # right on 0 and 5
    p = paired_matches(pred, base, truth)
    assert (p["only_classifier_right"], p["only_baseline_right"], p["both_right"], p["neither_right"]) == (3, 1, 1, 1)
    assert p["sign_test_p"] == pytest.approx(2 * (1 + 4) / 16)  # two-sided binomial, 4 discordant pairs, split 3:1
    assert paired_matches(pred, pred, truth)["sign_test_p"] == 1.0  # no discordant pair: nothing to tell them apart
