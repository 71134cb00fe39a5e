"""Bands on the real data: Leicestershire's fit and validation through the CLI, other councils' sanity."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from geodata.units import load_units
from zones.classify import BANDS, THRESHOLD_KEYS
from zones.plan import base_plan

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@cache
def classify_json(council: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli", "classify", council, "--json"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@cache
def bands(council: str) -> dict[str, str]:
    layer = load_units(council)
    _, cls = base_plan(layer)
    return dict(zip(layer.units["unit_name"], cls["band"]))


def test_leicestershire_fit_is_within_3_points_with_live_plausible_thresholds():
    d = classify_json("leicestershire")
    # existing keys kept
    for k in (
        "council",
        "n_units",
        "hours_share_by_band",
        "n_units_by_band",
        "thresholds",
        "n_estimated_travel",
        "hours_estimated",
        "target_share_by_band",
        "distance_to_target_pct_points",
        "l1_distance_pct_points",
    ):
        assert k in d
    assert d["within_3_points_of_target"] and all(abs(v) <= 3 for v in d["distance_to_target_pct_points"].values())
    for k in THRESHOLD_KEYS:
        lo, hi = d["threshold_range"][k]
        assert lo <= d["thresholds"][k] <= hi < 900  # live and plausible
        assert d["threshold_change_from_prior_pct"][k] == pytest.approx(
            100 * (d["thresholds"][k] / d["threshold_prior"][k] - 1), abs=0.1
        )
    # monotone: fringe <= rural <= isolated
    t = d["thresholds"]
    assert t["fringe_town_min"] <= t["rural_town_min"] <= t["isolated_town_min"]
    assert t["fringe_visit_min"] <= t["rural_visit_min"] <= t["isolated_visit_min"]
    assert d["hubs"]["min_population"] == 5000 and d["hubs"]["n_hubs"] > 100
    assert (
        d["evidence_sources"]["n_units_visit_routed"] + d["evidence_sources"]["n_units_visit_estimated"] == d["n_units"]
    )


def test_leicestershire_validation_out_of_sample_ruc_and_baselines():
    v = classify_json("leicestershire")["validation"]
    lodo = v["leave_one_district_out"]
    assert len(lodo["per_district"]) == 7
    for p in lodo["per_district"]:
        assert sum(p["heldout_shares_pct"].values()) == pytest.approx(100, abs=0.05)
        assert p["training_fit_within_3_points"]
    assert set(lodo["county_shares_pct"]) == set(BANDS)
    for key in ("ruc11", "ruc21"):
        r = v["ruc"][key]
        assert r["coverage_pct"] > 90
        for who in ("classifier", "classifier_out_of_sample", "baseline_area", "baseline_density"):
            assert -1 <= r[who]["kappa_linear"] <= 1
        # the travel-based classifier beats banding by unit area on the independent classification
        assert r["classifier_out_of_sample"]["kappa_linear"] > r["baseline_area"]["kappa_linear"]
    diff = v["ruc"]["kappa_difference_vs_baselines"]
    assert {"ruc11_vs_area", "ruc11_vs_density", "ruc21_vs_area", "ruc21_vs_density"} <= set(diff)
    cd = v["council_decisions"]
    assert cd["classifier"]["of"] == 12  # the 12 parishes of para 47, each its own unit
    # every kappa has a bootstrap interval around it; the baselines are cut to the same hours shares
    b = classify_json("leicestershire")["baseline_comparison"]
    for key in ("ruc11", "ruc21"):
        for who, k in b[key].items():
            lo, hi = b["kappa_ci95"][key][who]
            assert lo <= k <= hi, (key, who)
        assert b["kappa_unit_weighted"][key]["classifier_out_of_sample"]["kappa_linear"] is not None
    fair = v["ruc"]["fairness"]
    assert fair["fitted_to_ruc"] is False and fair["same_points_weights_and_lookup"]
    assert fair["shares_out_of_sample_pct"]["classifier"] == lodo["county_shares_pct"]
    same = {
        who: v["ruc"]["kappa_bootstrap"]["ruc11"]["hours_weighted"]["kappa"][who]["kappa_linear"]
        for who in ("classifier_out_of_sample", "baseline_density_same_shares")
    }
    assert all(x is not None for x in same.values())
    # the para-47 comparison is paired (where the two methods differ, who is right) with its sign test
    for name in ("baseline_area", "baseline_density"):
        pp = cd["paired_vs_baselines"][name]
        assert sum(pp[k] for k in ("only_classifier_right", "only_baseline_right", "both_right", "neither_right")) == 12
        assert pp["only_classifier_right"] + pp["both_right"] == cd["classifier_out_of_sample"]["match"]
        assert 0 <= pp["sign_test_p"] <= 1
    d = classify_json("leicestershire")
    assert set(d["threshold_meaning"]) == set(THRESHOLD_KEYS)
    assert all(f"{d['thresholds'][k]:g}" in d["threshold_meaning"][k] for k in THRESHOLD_KEYS)
    assert d["evidence_sources"]["n_units_town_from_postcodes"] == d["n_units"]
    # the plain reading follows the bootstrap verdicts, whatever they are
    for name in ("area", "density"):
        beats = b[f"classifier_beats_{name}_on_ruc"]
        assert beats == all(
            b["verdict_vs_baselines"][k]["hours_weighted"][f"baseline_{name}"] == "better" for k in ("ruc11", "ruc21")
        )
    assert ("banding by density alone" in b["reading"]) and (
        ("beats banding by density alone" in b["reading"]) == b["classifier_beats_density_on_ruc"]
    )
    assert cd["classifier"]["match"] >= cd["baseline_area"]["match"]


def test_witherleys_nearest_town_is_atherstone_and_villages_are_not_hubs():
    layer = load_units("leicestershire")
    _, cls = base_plan(layer)
    c = cls.set_index("unit_code")
    assert c.loc[layer.resolve("Witherley")[0], "nearest_town"] == "Atherstone"
    # minutes from a town are measured from where the people live (postcodes), not the middle of the fields:
    # Stoughton's houses adjoin Leicester's eastern estates
    st = c.loc[layer.resolve("Stoughton")[0]]
    assert st["nearest_town"] == "Leicester" and st["town_min"] < 1.5 and st["town_positions"] == "postcodes"
    from geodata.zoning import hub_points

    names = set(hub_points(layer.pack)["name"])
    assert {"Atherstone", "Nuneaton", "Tamworth", "Melton Mowbray", "Leicester"} <= names
    assert not ({"Desford", "Newbold Verdon", "Harby", "Bagworth", "Bottesford"} & names)  # villages


def test_city_wards_are_urban_and_moorland_is_not():
    assert set(bands("coventry").values()) == {"urban"}
    assert set(bands("merton").values()) == {"urban"}
    b = bands("bradford")
    for suburb in ("Eccleshill", "Royds", "Tong", "Wyke", "Queensbury"):
        assert b[suburb] in ("urban", "fringe"), suburb
    for city in ("City", "Manningham", "Little Horton", "Bradford Moor"):
        assert b[city] == "urban", city
    assert b["Worth Valley"] != "urban"  # Haworth, Oxenhope, Stanbury: moorland villages
    assert b["Craven"] != "urban"
