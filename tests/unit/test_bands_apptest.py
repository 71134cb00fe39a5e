"""The Finance and Zone map pages on a synthetic FIVE-band council supplied as a local pack (``$ZONEPLAN_PACKS``),
in AppTest: every band of the pack, in its order, with its rate and its £ (tests/unit/test_bands_from_pack.py
builds the council; its travel table is patched in, so no road graph is needed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.apptest_kit import open_app, own_store, serve_like_the_server
from tests.unit.test_bands_from_pack import CODES, COUNCILS, _hours, _metrics, _pennies, _rates, make_council
from zones.money import fmt_gbp


@pytest.fixture
def fiveshire(tmp_path, monkeypatch):
    """The five-band council as a local pack, its data directory, cache and store in tmp_path; app.py around
    every page as in the server."""
    import travel.metrics as tm

    data, packs = tmp_path / "data", tmp_path / "packs"
    data.mkdir()
    packs.mkdir()
    monkeypatch.setenv("ZONEPLAN_DATA", str(data))
    monkeypatch.setenv("ZONEPLAN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ZONEPLAN_PACKS", str(packs))
    path = make_council(data, 5)
    path.rename(packs / path.name)
    monkeypatch.setattr(tm, "unit_metrics", lambda layer, *a, **k: _metrics(layer, 5))
    serve_like_the_server(monkeypatch)
    yield from own_store(monkeypatch, tmp_path)


def _expected():
    from geodata.units import load_units

    layer = load_units("fiveshire")
    rates, hours = _rates(5), _hours(layer)
    return layer, sum((hours[u] * rates[b] for u, b in zip(CODES, COUNCILS[5]["expect"])), Decimal(0))


def test_finance_shows_the_five_bands_their_rates_and_the_plans_cost(fiveshire):
    at = open_app("pages/finance.py", timeout=300, council="fiveshire")
    bands, rates = COUNCILS[5]["bands"], _rates(5)
    assert at.session_state["council"] == "fiveshire"
    plan = at.session_state["history-fiveshire"].current
    assert plan.band_names == bands
    inputs = [n for n in at.number_input if n.label.endswith(" £/h")]
    assert [n.label for n in inputs][:5] == [f"{b} £/h" for b in bands]
    assert [Decimal(str(n.value)).quantize(Decimal("0.01")) for n in inputs][:5] == [rates[b] for b in bands]
    _, total = _expected()
    cost = [m for m in at.metric if m.label == "Plan cost / week"][0].value
    assert cost == fmt_gbp(_pennies(total))


def test_zone_map_evidence_names_the_packs_bands_and_the_next_band_up_and_down(fiveshire):
    at = open_app("pages/zone_map.py", timeout=300, council="fiveshire")
    bands = COUNCILS[5]["bands"]
    plan = at.session_state["history-fiveshire"].current
    assert plan.band_names == bands
    assert [plan.band_of(c) for c in CODES] == list(COUNCILS[5]["expect"])
    for code, band in zip(CODES, COUNCILS[5]["expect"]):
        at.selectbox(key="ev-pick").set_value(code).run()
        assert not at.exception
        text = " ".join(m.value for m in at.markdown)
        i = bands.index(band)
        assert f"{band.upper()} because" in text
        if i < len(bands) - 1:
            assert f"It would become {bands[i + 1]} with visits" in text
        else:
            assert "It would become" not in text
        if i > 0:
            assert f"It would be {bands[i - 1]} if visits were under" in text
        else:
            assert "It would be " not in text
        for other in ("isolated", "ISOLATED"):
            assert other not in text  # a default band this pack does not have


def test_bands_page_has_a_slider_per_cut_and_a_share_per_band(fiveshire):
    at = open_app("pages/bands.py", timeout=300, council="fiveshire")
    bands = COUNCILS[5]["bands"]
    labels = [s.label for s in at.slider]
    assert labels == (
        [f"{b.capitalize()} from: minutes' drive from the nearest town" for b in bands[1:]]
        + [f"{b.capitalize()} from: minutes between visits" for b in bands[1:]]
        + ["Urban needs at least: care hours a week per km²"]
    )
    assert [m.label for m in at.metric][:5] == [b.capitalize() for b in bands]
    rural_visit = [s for s in at.slider if s.label == "Rural from: minutes between visits"][0]
    rural_visit.set_value(7.5).run()  # Damson (7 minutes between visits) would fall from rural to fringe
    assert not at.exception
    assert any("Units that would change band: 1" in h.value for h in at.subheader)


def test_the_folium_band_map_gives_every_band_its_own_colour_and_rate(fiveshire):
    """The map of Finance's comparison and of Suggest (pages/common.band_map): legend and fill per band."""
    from pages import common
    from zones.outputs.report import band_colours
    from zones.service.workspace import load_workspace

    ws = load_workspace("fiveshire")
    html = common.band_map("fiveshire", ws, ws.base).get_root().render()
    colours, rates = band_colours(COUNCILS[5]["bands"]), _rates(5)
    assert len(set(colours.values())) == 5
    pos = [
        html.find(f'background:{colours[b]};width:12px;height:12px;display:inline-block"></span> {b} £{rates[b]}/h')
        for b in COUNCILS[5]["bands"]
    ]
    assert all(p >= 0 for p in pos) and pos == sorted(pos), pos


def test_the_compare_maps_zone_key_starts_closed(fiveshire):
    """Walk-through finding: coloured by zone (Scenarios' compare, Suggest), the map's key of every zone covered
    about a third of the map. The zones are named on the map; their key is now a closed disclosure that says how
    many zones it lists. The band key (rates) stays open."""
    import re

    from pages import common
    from zones.service.workspace import load_workspace

    ws = load_workspace("fiveshire")
    by_zone = common.band_map("fiveshire", ws, ws.base, colour_by="zone").get_root().render()
    n = len(set(ws.base.assignments()["zone"]))
    key = re.search(r"<details>(.*?)</details>", by_zone, re.S)
    assert key and f"Key: {n} {ws.layer.pack.zones_label}" in key.group(1)
    assert "<details open" not in by_zone
    by_band = common.band_map("fiveshire", ws, ws.base).get_root().render()
    assert "<details" not in by_band
