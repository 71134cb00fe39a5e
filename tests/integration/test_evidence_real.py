"""Issue 14 §3: the evidence card speaks plain English for every unit of every council (real data) — in the
card the domain builds and on the Zone map page (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.unit.test_zones_classify import JARGON
from zones.service.workspace import evidence_card, load_workspace

pytestmark = pytest.mark.integration
APP = Path(__file__).resolve().parents[2] / "app.py"
COUNCILS = ["leicestershire", "coventry", "merton", "bradford"]


def shown_text(card: dict) -> list[str]:
    """Every piece of text the card puts in front of a councillor."""
    return [
        *card["lines"],
        card["summary"],
        card["why"],
        card["would_move_it"],
        card["less_remote_needs"],
        card["note"],
        str(card["band"]),
        str(card["zone"]),
    ]


@pytest.mark.parametrize("council", COUNCILS)
def test_every_card_of_every_unit_is_plain_english(council):
    ws = load_workspace(council)
    bad = []
    for code in ws.units["unit_code"]:
        card = evidence_card(ws, ws.base, code)
        if card["band"] == card["computed_band"]:
            assert card["lines"][0].startswith(f"{card['unit_name']} is {card['computed_band'].upper()} because ")
        else:
            assert card["lines"][0].startswith(f"{card['unit_name']} is {card['band'].upper()}, set by hand.")
        assert any("ESTIMATED" in x or "measured along the roads" in x for x in card["lines"])
        if card["travel_estimated"]:  # says how wrong the estimate can be, or that it could not be checked
            assert any(("%" in x and "9 in 10" in x) or "no real routes" in x for x in card["lines"])
        assert "method" not in card, "the engine's method text (field and file names) is not part of the card"
        for text in shown_text(card):
            m = JARGON.search(text)
            if m:
                bad.append((code, m.group(0), text))
    assert not bad, bad[:5]


@pytest.mark.parametrize("council", COUNCILS)
def test_zone_map_card_on_the_page_is_plain_english(council):
    ws = load_workspace(council)
    cls = ws.classification.set_index("unit_code")
    # one unit of each band the council has (the most remote first), as a councillor would click them
    codes = [
        cls.index[cls["band"] == b][0] for b in ("isolated", "rural", "fringe", "urban") if (cls["band"] == b).any()
    ]
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["council"] = council
    at.query_params["readonly"] = "1"
    at.run()
    assert not at.exception, at.exception
    for code in codes:
        at.selectbox(key="ev-pick").set_value(code).run()
        assert not at.exception, at.exception
        texts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
        texts += [f"{m.label} {m.value}" for m in at.metric]
        assert any(" because " in t for t in texts), "the card is shown"
        for t in texts:
            m = JARGON.search(t.replace("\\", ""))
            assert not m, (code, m.group(0), t)


def test_zone_labels_read_as_english_plurals():
    from geodata.packs import load_pack

    assert [load_pack(c).zones_label for c in COUNCILS] == ["zones", "clusters", "lots", "localities"]


def test_a_band_set_by_hand_is_never_contradicted_by_the_card():
    """Issue 19 §4: "Band set by hand to fringe…" and then "Lutterworth is URBAN because…"."""
    ws = load_workspace("leicestershire")
    code = ws.units.loc[ws.units["unit_name"] == "Lutterworth", "unit_code"].iloc[0]
    base = evidence_card(ws, ws.base, code)
    other = next(b for b in ws.layer.pack.bands if b != base["computed_band"])
    plan = ws.base.move([code], band=other, reason="test: set by hand")
    card = evidence_card(ws, plan, code)
    assert card["band"] == other and card["computed_band"] == base["computed_band"]
    assert card["lines"][0].startswith(f"Lutterworth is {other.upper()}, set by hand.")
    assert f"Lutterworth is {base['computed_band'].upper()} because" not in " ".join(card["lines"])
    assert not any(x.startswith(("It would become", "It would be ")) for x in card["lines"])
