"""Issue 19 §16: the map's information is available as a table too (WCAG 2.2 1.1.1/1.4.1: not by colour alone)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.integration
APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.mark.parametrize("council,label", [("leicestershire", "Zone"), ("merton", "Lot")])
def test_zone_map_has_every_unit_as_a_table(council, label):
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.query_params["council"] = council
    at.run()
    assert not at.exception, at.exception
    hist = at.session_state[f"history-{council}"]
    tables = [d.value for d in at.dataframe if "Unit" in d.value.columns]
    assert len(tables) == 1
    t = tables[0]
    assert list(t.columns) == [
        "Unit",
        label,
        "Band",
        "Rate per hour",
        "Care hours a week",
        "Cost a week",
        "Changed from the base plan",
        "Reason",
    ]
    assert len(t) == len(hist.current.unit_codes)
    assert set(t["Band"]) <= set(hist.current.band_names) and not t["Changed from the base plan"].any()
    assert t["Cost a week"].str.startswith("£").all()
