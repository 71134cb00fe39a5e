"""Zone map evidence card: the "Drive from this unit's centre to" box (AppTest, real data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata.units import load_units

pytestmark = pytest.mark.integration
APP = Path(__file__).resolve().parents[2] / "app.py"


def _zone_map_with(unit_name: str) -> AppTest:
    units = load_units("leicestershire").units
    code = units.loc[units["unit_name"].str.startswith(unit_name), "unit_code"].iloc[0]
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.selectbox(key="ev-pick").set_value(code).run()
    assert not at.exception, at.exception
    return at


def test_drive_from_witherley_to_atherstone_is_estimated_with_its_error():
    at = _zone_map_with("Witherley")
    assert any("ESTIMATED" in c.value and "%" in c.value for c in at.caption)  # the unit's checked error
    at.text_input(key="drive-to").set_value("Atherstone").run()
    assert not at.exception, at.exception
    line = " ".join(t.value for t in at.text)
    assert "Atherstone" in line and "min" in line and "ESTIMATED" in line and "likely" in line
    assert any("real routes" in c.value and "9 in 10" in c.value for c in at.caption)  # plain English
    assert not any("circuity" in c.value or ".graphml" in c.value for c in at.caption)


def test_drive_box_bad_place_warns_without_echo():
    at = _zone_map_with("Witherley")
    at.text_input(key="drive-to").set_value("<script>alert(1)</script>").run()
    assert not at.exception
    assert at.warning and all("script" not in w.value for w in at.warning)
    at.text_input(key="drive-to").set_value("ZZ99 9ZZ").run()
    assert at.warning and "postcode not in the postcode file" in at.warning[0].value
    assert "ZZ99" not in at.warning[0].value
