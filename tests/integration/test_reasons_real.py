"""Issue 19 §15 (real data): the evidence card of a unit whose band did not change shows the reason recorded with
its last change (a zone move, a band kept after review); it used to show a reason only for a hand-set band."""

from __future__ import annotations

import pytest

from zones.service.workspace import evidence_card, load_workspace

pytestmark = pytest.mark.integration


def test_evidence_card_of_an_unchanged_band_keeps_its_reason():
    ws = load_workspace("leicestershire")
    base = ws.base
    a = base.assignments().set_index("unit_code")
    code = next(c for c in base.unit_codes if a.loc[c, "band"] == a.loc[c, "computed_band"])
    other = next(z for z in base.zone_names if z != base.zone_of(code))
    p = base.move(code, zone=other, reason="rounds run along the Wreake")
    card = evidence_card(ws, p, code)
    assert card["band"] == card["computed_band"] and card["reason"] == "rounds run along the Wreake"
    assert "Reason recorded with its last change: rounds run along the Wreake" in card["lines"]
    kept = base.move(code, band=base.band_of(code), reason="stays: reviewed with the provider")
    assert (
        "Reason recorded with its last change: stays: reviewed with the provider"
        in evidence_card(ws, kept, code)["lines"]
    )
    assert not any(x.startswith("Reason recorded") for x in evidence_card(ws, base, code)["lines"])
