"""The Bands page (threshold sliders): live shares and the units that would change band; nothing saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata.packs import load_pack
from zones.classify import Thresholds

pytestmark = pytest.mark.integration
APP = Path(__file__).resolve().parents[2] / "app.py"


def test_bands_page_sliders_show_shares_and_changes_without_saving():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page("pages/bands.py").run()
    assert not at.exception, at.exception
    assert "Units that would change band: 0" in [s.value for s in at.subheader]
    before = at.session_state["history-leicestershire"].current
    cur = Thresholds.from_pack(load_pack("leicestershire"))
    # raise the urban density requirement: some urban units become fringe, the fringe share rises
    at.slider(key="bands-leicestershire-fringe_below_hours_per_km2").set_value(
        round(cur.fringe_below_hours_per_km2 + 10, 1)
    ).run()
    assert not at.exception, at.exception
    heads = [s.value for s in at.subheader if s.value.startswith("Units that would change band")]
    n = int(heads[0].rsplit(":", 1)[1])
    assert n > 0
    df = at.dataframe[0].value
    assert len(df) == n and set(df["Band now"]) == {"urban"} and set(df["Band with these thresholds"]) == {"fringe"}
    fringe = [m for m in at.metric if m.label == "Fringe"][0]
    assert fringe.delta.startswith("+")
    # nothing was saved: the plan being edited is the same object
    assert at.session_state["history-leicestershire"].current is before
    # disordered thresholds are refused with a message, not a crash
    at.slider(key="bands-leicestershire-isolated_visit_min").set_value(2.0).run()  # under rural (2.5)
    assert not at.exception and any("fringe ≤ rural ≤ isolated" in e.value for e in at.error)
