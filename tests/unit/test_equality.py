"""Equality and continuity figures (zones.equality, geodata.equality) on tiny synthetic tables made here."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from geodata.datadir import DataError
from geodata.equality import (
    BANDS,
    EqualitySources,
    hours_per_client,
    pieces_from_lsoa11_shares,
    pieces_from_lsoa21_membership,
    split_weights,
)
from zones.equality import build_profiles, change_equality, changes_between, kind_of


def sources() -> EqualitySources:
    """3 LSOA 2011: A unchanged (→ A21), B split into B1/B2 (Census 65+: 30/10), C and D merged into CD."""
    link = split_weights(
        pd.DataFrame({"LSOA11CD": ["A", "B", "B", "C", "D"], "LSOA21CD": ["A21", "B1", "B2", "CD", "CD"]}),
        pd.Series({"A21": 50.0, "B1": 30.0, "B2": 10.0, "CD": 40.0}),
    )
    l11 = pd.DataFrame(
        {
            "all_ages": [1000.0, 800.0, 500.0, 500.0],
            "age_65_74": [100.0, 40.0, 20.0, 20.0],
            "age_75_84": [50.0, 20.0, 10.0, 10.0],
            "age_85_plus": [10.0, 8.0, 4.0, 6.0],
            "idaopi_decile": [1, 5, 0, 10],
        },
        index=pd.Index(["A", "B", "C", "D"], name="LSOA11CD"),
    )
    l21 = pd.DataFrame(
        {
            "imd_decile": [1, 2, 9, 10],
            "residents": [1000.0, 600.0, 200.0, 1000.0],
            "disabled": [300.0, 60.0, 20.0, 100.0],
            "lad_code": "X",
        },
        index=pd.Index(["A21", "B1", "B2", "CD"], name="LSOA21CD"),
    )
    moved = link.join(l11["all_ages"], on="LSOA11CD")
    l21["all_ages_2020"] = (moved["all_ages"] * moved["w"]).groupby(moved["LSOA21CD"]).sum()
    return EqualitySources(lsoa21=l21, lsoa11=l11, link=link)


def profiles(src=None, hpc=10.0):
    src = src or sources()
    share = pd.DataFrame(
        {
            "unit_code": ["u1", "u1", "u2", "u2", "u3"],
            "LSOA11CD": ["A", "B", "B", "C", "D"],
            "share": [1.0, 0.5, 0.5, 1.0, 1.0],
        }
    )
    pieces = pieces_from_lsoa11_shares(share, src)
    return build_profiles(
        ["u1", "u2", "u3"],
        pieces,
        src.lsoa21,
        src.lsoa11,
        council_disabled=480.0,
        council_residents=2800.0,
        hours_per_client=hpc,
        hours_per_client_rule="rule",
        sources=("s",),
        vintage=(("imd", "IoD 2025"),),
    )


def test_split_weights_share_a_split_lsoa_by_census_65_plus():
    w = sources().link.set_index(["LSOA11CD", "LSOA21CD"])["w"]
    assert w[("B", "B1")] == pytest.approx(0.75) and w[("B", "B2")] == pytest.approx(0.25)
    assert w[("A", "A21")] == pytest.approx(1.0) and w[("C", "CD")] == pytest.approx(1.0)


def test_ages_follow_the_shares_and_add_up_to_the_lsoa_totals():
    p = profiles()
    # u1 = all of A + half of B; u2 = half of B + C; u3 = D
    assert p.age[0].tolist() == pytest.approx([120.0, 60.0, 14.0])
    assert p.age[1].tolist() == pytest.approx([40.0, 20.0, 8.0])
    assert p.age.sum(axis=0).tolist() == pytest.approx(sources().lsoa11[list(BANDS)].sum().tolist())


def test_deciles_and_disability_of_a_unit():
    p = profiles()
    # u1's 65+: A (160, IMD 1) + half of B (34: 3/4 in B1 IMD 2, 1/4 in B2 IMD 9)
    imd65 = p.imd[0].sum(axis=0)
    assert imd65[1] == pytest.approx(160.0) and imd65[2] == pytest.approx(25.5) and imd65[9] == pytest.approx(8.5)
    # u1's Census residents: all of A21 (1000) + half of B1 and half of B2 (300 + 100)
    assert p.residents[0] == pytest.approx(1400.0) and p.disabled[0] == pytest.approx(300 + 30 + 10)
    # u2 holds C, half of the merged CD (C and D have 500 each in 2020)
    assert p.residents[1] == pytest.approx(400.0 + 500.0)


def change(
    code: str, from_zone: str, to_zone: str, hours_per_week: float, from_band: str = "urban", to_band: str = "urban"
) -> dict:
    """One row of a plan change as ``zones.impact`` lists it (the input of ``change_equality``)."""
    return {
        "unit_code": code,
        "from_zone": from_zone,
        "to_zone": to_zone,
        "from_band": from_band,
        "to_band": to_band,
        "hours_per_week": hours_per_week,
    }


def test_band_only_change_moves_no_one_to_another_provider():
    p = profiles()
    ch = [change("u1", "Z1", "Z1", 100.0, to_band="fringe")]
    eq = change_equality(p, ch)
    assert eq["continuity"]["hours_per_week_changing_zone"] == 0.0 and eq["continuity"]["by_zone_pair"] == []
    assert eq["by_change"]["band_only"]["n_units"] == 1 and eq["by_change"]["zone_changed"]["n_units"] == 0
    assert eq["population_by_age"] == {"age_65_74": 120, "age_75_84": 60, "age_85_plus": 14}
    assert eq["imd2025_decile_share_pct"]["1"] == pytest.approx(round(100 * 160 / 194, 1))
    assert sum(v for v in eq["imd2025_decile_share_pct"].values()) == pytest.approx(100.0, abs=0.3)
    assert eq["disability_pct"] == pytest.approx(round(100 * 340 / 1400, 1))
    assert eq["disability_pct_council"] == pytest.approx(round(100 * 480 / 2800, 1))
    assert eq["estimated"] is True and "not a count" in " ".join(eq["estimate_notes"])
    assert any("no one needs to change provider" in s for s in eq["summary"])


def test_zone_change_continuity_per_zone_pair():
    p = profiles(hpc=12.5)
    ch = [
        change("u2", "North", "South", 50.0),
        change("u3", "North", "South", 25.0, to_band="rural"),
        change("u1", "West", "West", 10.0, to_band="rural"),
    ]
    eq = change_equality(p, ch, zone_label="lot", base_zones=["North", "South", "West"])
    c = eq["continuity"]
    assert c["hours_per_week_changing_zone"] == 75.0 and c["clients_changing_zone_est"] == 6.0
    assert c["by_zone_pair"] == [
        {
            "from_zone": "North",
            "to_zone": "South",
            "n_units": 2,
            "hours_per_week": 75.0,
            "clients_est": 6.0,
            "residents_85_plus": 14,
        }
    ]
    assert eq["by_change"]["zone_changed"]["n_units"] == 2 and eq["by_change"]["band_only"]["n_units"] == 1
    assert eq["population_by_age"]["age_85_plus"] == 28
    assert [kind_of(x) for x in ch] == ["zone_changed", "zone_changed", "band_only"]
    assert any("whose lot changes" in s and "not a count of clients" in s for s in eq["summary"])
    # IDAOPI: u3 is D (decile 10), u2 holds C with no IDAOPI decile: reported as unknown, not as a decile
    assert eq["by_change"]["zone_changed"]["idaopi2019_unknown_pct"] > 0


def test_lsoa21_membership_route_gives_the_same_units_as_the_lsoa11_route():
    src = sources()
    memb = pd.DataFrame({"unit_code": ["a", "b", "c"], "LSOA21CD": ["A21", "B1", "B2"], "frac": [1.0, 1.0, 1.0]})
    pieces = pieces_from_lsoa21_membership(memb, src)
    p = build_profiles(
        ["a", "b", "c"], pieces, src.lsoa21, src.lsoa11, council_disabled=1, council_residents=1, hours_per_client=10
    )
    assert p.age[0].tolist() == pytest.approx([100.0, 50.0, 10.0])
    assert p.age[1].tolist() == pytest.approx([30.0, 15.0, 6.0]) and p.residents[1] == pytest.approx(600.0)
    with pytest.raises(DataError):
        pieces_from_lsoa21_membership(memb.assign(frac=[1.0, 2.0, 1.0]), src)
    with pytest.raises(DataError):
        pieces_from_lsoa21_membership(memb.assign(LSOA21CD=["A21", "ZZ", "B2"]), src)


def test_hours_per_client_rule_is_sourced_or_flagged():
    pack = SimpleNamespace(demand={"clients": 650}, weekly_hours_total=8400, weekly_hours_source="report para 2.7")
    h, rule, assumed = hours_per_client(pack)
    assert h == pytest.approx(8400 / 650) and not assumed and "report para 2.7" in rule
    h, rule, assumed = hours_per_client(SimpleNamespace(demand={}, weekly_hours_total=100, weekly_hours_source=""))
    assert assumed and "ASSUMPTION" in rule and 12 < h < 14


def test_changes_between_two_plans():
    base = SimpleNamespace(
        zone_names=("N", "S"),
        band_names=("urban", "rural"),
        zone_idx=np.array([0, 0, 1]),
        band_idx=np.array([0, 0, 0]),
        unit_codes=np.array(["a", "b", "c"]),
        unit_names=np.array(["A", "B", "C"]),
        hours_cents=np.array([100, 200, 300]),
    )
    new = SimpleNamespace(**{**base.__dict__, "zone_idx": np.array([0, 1, 1]), "band_idx": np.array([1, 0, 0])})
    ch = changes_between(base, new)
    assert [(c["unit_code"], kind_of(c), c["hours_per_week"]) for c in ch] == [
        ("a", "band_only", 1.0),
        ("b", "zone_changed", 2.0),
    ]


def test_renamed_zones_continue_the_old_zone_they_take_most_hours_from():
    """Merton-like: West/East become North/South; North takes most of West's hours, so West → North units keep
    their provider's zone (renamed only), and only the units crossing over count as changing zone."""
    p = profiles(hpc=10.0)
    ch = [
        change("u1", "West", "North", 100.0),
        change("u2", "East", "North", 30.0),
        change("u3", "East", "South", 20.0, to_band="rural"),
    ]
    eq = change_equality(p, ch, base_zones=["West", "East"])
    assert eq["continuity"]["zone_continues"] == {"North": "West", "South": "East"}
    assert [r["from_zone"] + ">" + r["to_zone"] for r in eq["continuity"]["by_zone_pair"]] == ["East>North"]
    assert eq["continuity"]["hours_per_week_changing_zone"] == 30.0
    assert eq["by_change"]["renamed_only"]["n_units"] == 1 and eq["by_change"]["band_only"]["n_units"] == 1
    assert eq["n_units"] == 2  # the renamed-only unit is not counted as affected
    # a zone whose name survives continues itself, even if a new zone takes more of its hours
    ch2 = [dict(ch[0], to_zone="East"), dict(ch[1], from_zone="West", to_zone="Z")]
    eq2 = change_equality(p, ch2, base_zones=["West", "East"])
    assert eq2["continuity"]["zone_continues"] == {"Z": "West"}
    assert eq2["continuity"]["hours_per_week_changing_zone"] == 100.0


def test_report_section_prints_the_figures_escaped_with_sources_and_estimate_notes():
    from zones.outputs.report import equality_section

    p = profiles(hpc=10.0)
    ch = [change("u2", "<b>N</b>", "S", 50.0)]
    eq = {"available": True, **change_equality(p, ch, base_zones=["<b>N</b>", "S"])}
    html = equality_section(eq)
    assert "<h2>Equality and continuity</h2>" in html and "Equality Impact Assessment" in html
    assert "<b>N</b>" not in html and "&lt;b&gt;N&lt;/b&gt;" in html  # zone names are user text
    assert "50.00" in html and "5.0" in html  # hours and people (50 h ÷ 10 h a person)
    assert "not counts of the council&#x27;s clients" in html or "not counts of the council's clients" in html
    assert "<h3>Sources</h3><ul><li>s</li></ul>" in html and "How these figures were estimated" in html
    assert equality_section(None) == ""
    assert "not available" in equality_section({"available": False, "reason": "no file"})


def test_unit_imd_decile_is_the_median_older_residents_decile():
    from zones.equality import unit_imd_deciles

    p = profiles()
    # u1: 160 of 194 residents 65+ in decile 1; u3 (D, all in CD) decile 10
    assert unit_imd_deciles(p) == [1, 9, 10]  # u2: 25.5 in decile 2, 8.5 in 9, 34 in 10: the median (34) reaches 9


def test_pack_membership_plugs_in_for_units_on_lsoa_2021(tmp_path, monkeypatch):
    """Generated packs: ``[equality] units_are_lsoa21`` or a membership CSV; unknown units and huge files refused."""
    import geodata.equality as geq

    src = sources()
    monkeypatch.setattr(geq, "load_sources", lambda: src)
    monkeypatch.setenv("ZONEPLAN_DATA", str(tmp_path))
    units = pd.DataFrame({"unit_code": ["A21", "B1"]})
    layer = SimpleNamespace(pack=SimpleNamespace(raw={"equality": {"units_are_lsoa21": True}}, id="t"), units=units)
    pieces = geq.unit_pieces(layer)
    assert pieces.groupby("unit_code")["age_85_plus"].sum().to_dict() == pytest.approx({"A21": 10.0, "B1": 6.0})
    (tmp_path / "m.csv").write_text("unit_code,LSOA21CD,frac\nA21,A21,1\nB1,B1,0.5\n")
    layer.pack.raw = {"equality": {"lsoa21_membership": "m.csv"}}
    assert geq.unit_pieces(layer).groupby("unit_code")["age_85_plus"].sum()["B1"] == pytest.approx(3.0)
    (tmp_path / "m.csv").write_text("unit_code,LSOA21CD,frac\nNOPE,A21,1\n")
    with pytest.raises(DataError, match="not among the council's units"):
        geq.unit_pieces(layer)
    monkeypatch.setattr("geodata.limits.MAX_CSV_BYTES", 10)
    with pytest.raises(DataError, match="limit"):
        geq.unit_pieces(layer)
