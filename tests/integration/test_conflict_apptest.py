"""Issue 19 §8: two tabs on one scenario. The second save is refused (as before) and now keeps the edits, says what
differs and offers to add them to the latest version (when no unit was changed by both) or to save them apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_kit import open_app
from tests.apptest_kit import own_store as kit_own_store
from tests.apptest_kit import save_scenario as save

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    yield from kit_own_store(monkeypatch, tmp_path)


def app(page) -> AppTest:
    return open_app(page, council="coventry")


def edit(at, code, band):
    hist = at.session_state["history-coventry"]
    hist.apply(hist.current.move([code], band=band, reason="test"), {"units": [code], "band": band})


def test_a_stale_save_keeps_the_edits_and_adds_them_to_the_latest_version(own_store):
    a = app("pages/scenarios.py")
    codes = list(a.session_state["history-coventry"].current.unit_codes)
    assert "version 1" in save(a, "Plan")[1]
    b = app("pages/scenarios.py")
    b.button(key="sc-open").click().run()
    edit(a, codes[0], "rural")
    assert "version 2" in save(a, "Plan")[1]
    edit(b, codes[1], "isolated")
    err, ok = save(b, "Plan")
    assert "version 2" in err and not ok
    warn = " ".join(w.value for w in b.warning)
    assert "You changed 1 unit(s); version 2 changed 1; both changed 0" in warn, warn
    b.button(key="sc-merge-coventry").click().run()
    assert not b.exception, b.exception
    assert any("version 3" in s.value for s in b.success)
    from zones.service.store import Store

    v3 = Store().load(1, 3).assignments.set_index("unit_code")
    assert (v3.loc[codes[0], "band"], v3.loc[codes[1], "band"]) == ("rural", "isolated")


def test_a_stale_save_can_be_saved_as_a_new_scenario(own_store):
    a = app("pages/scenarios.py")
    codes = list(a.session_state["history-coventry"].current.unit_codes)
    save(a, "Plan")
    b = app("pages/scenarios.py")
    b.button(key="sc-open").click().run()
    edit(a, codes[0], "rural")
    save(a, "Plan")
    edit(b, codes[0], "isolated")  # the same unit: no merge offered
    save(b, "Plan")
    assert "both changed 1" in " ".join(w.value for w in b.warning)
    assert not [x for x in b.button if x.key == "sc-merge-coventry"]
    b.button(key="sc-save-new-coventry").click().run()
    assert any("Saved as a new scenario" in s.value for s in b.success)
    from zones.service.store import Store

    scen = Store().list("coventry")
    mine = scen[scen["name"] == "Plan (my edits)"]
    assert len(mine) == 1
    a2 = Store().load(int(mine["id"].iloc[0]), 1).assignments.set_index("unit_code")
    assert a2.loc[codes[0], "band"] == "isolated"


def test_any_two_plans_compare_by_zone(own_store):
    """Issue 19 §10: the app could not compare two different scenarios (only versions of one)."""
    a = app("pages/scenarios.py")
    hist = a.session_state["history-coventry"]
    code = hist.current.unit_codes[0]
    other_zone = next(z for z in hist.current.zone_names if z != hist.current.zone_of(code))
    hist.apply(hist.current.move([code], zone=other_zone, reason="test"), {"units": [code], "zone": other_zone})
    save(a, "East-West")
    hist.apply(hist.current.move([code], band="isolated", reason="test"), {"units": [code], "band": "isolated"})
    a.text_input(key="sc-name").set_value("Isolated").run()
    hist = a.session_state["history-coventry"]
    a.session_state["sc-opened-coventry"] = None
    a.button(key="sc-save").click().run()
    assert not a.exception, a.exception
    opts = a.selectbox(key="cmp-b-coventry").options
    assert any("East-West" in o for o in opts) and any("Isolated" in o for o in opts), opts
    a.selectbox(key="cmp-a-coventry").set_value((1, 1))
    a.selectbox(key="cmp-b-coventry").set_value((2, 1)).run()
    assert not a.exception, a.exception
    text = " ".join(m.value for m in a.markdown)
    assert "1 unit(s) differ (0 change cluster)" in text, text
    cols = [list(d.value.columns) for d in a.dataframe]
    assert [
        "Cluster",
        "Units (A)",
        "Care hours a week (A)",
        "£ a week (A)",
        "Units (B)",
        "Care hours a week (B)",
        "£ a week (B)",
    ] in cols, cols
    zt = next(d.value for d in a.dataframe if "Care hours a week (A)" in d.value.columns)
    hours = [h for h in zt["Care hours a week (A)"] if h]  # thousands separated, as the £ beside them (4,444.75)
    assert hours and all(re.fullmatch(r"\d{1,3}(,\d{3})*\.\d\d", h) for h in hours) and any("," in h for h in hours)


def test_saving_with_no_changes_adds_no_version_and_publishing_shows_at_once(own_store):
    """Issue 19 §15: saving with no changes added a version; the published tick was stale just after publishing."""
    a = app("pages/scenarios.py")
    save(a, "Plan")
    err, ok = save(a, "Plan")
    assert "nothing changed since version 1" in err and not ok
    from zones.service.store import Store

    assert Store().versions(1)["version"].tolist() == [1]
    a.button(key="sc-publish").click().run()
    assert not a.exception, a.exception
    assert any("Published Plan version 1" in s.value for s in a.success)
    vers = [d.value for d in a.dataframe if "Published" in d.value.columns]
    assert vers and bool(vers[0]["Published"].iloc[0]) is True
    shown = {str(c) for d in a.dataframe for c in d.value.columns}  # headed in words (walk-through "raw names")
    assert not shown & {"latest_version", "n_versions", "n_units", "unit_code", "from_zone", "to_band"}, shown
    audit = [d.value for d in a.dataframe if "Unit code" in d.value.columns]
    assert audit and "Cluster before" in audit[0].columns
