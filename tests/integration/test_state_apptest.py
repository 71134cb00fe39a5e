"""Issue 14 §1 in AppTest (real Leicestershire data): the Move form resets, Finance's settings reach the Report,
a shared server without login refuses to edit, a page error is one sentence (no traceback), a draft comes back
in a new session with the same token."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_kit import open_app, own_store, serve_like_the_server

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
ASFORDBY = "E04005516"


@pytest.fixture(autouse=True)
def like_the_server(monkeypatch, tmp_path):
    """app.py around every page, as in the server; a store (and drafts) of this test's own."""
    serve_like_the_server(monkeypatch)
    yield from own_store(monkeypatch, tmp_path)


def app(page=None, **query) -> AppTest:
    return open_app(page, timeout=180, **query)


def test_move_form_resets_after_a_move_and_a_band_only_move_keeps_the_zone():
    at = app("pages/edit_zones.py")
    hist = at.session_state["history-leicestershire"]
    base = hist.current
    other = "Countesthorpe"
    from geodata.units import load_units

    b = load_units("leicestershire").resolve(other)[0]
    zone = next(z for z in base.zone_names if z not in (base.zone_of(ASFORDBY), base.zone_of(b), "Unzoned"))
    at.session_state["sel-leicestershire"] = [ASFORDBY]
    at.run()
    at.selectbox(key="to-zone").set_value(zone).run()
    at.selectbox(key="to-band").set_value("isolated").run()
    at.text_input(key="reason").set_value("first").run()
    at.button(key="move").click().run()
    assert not at.exception
    assert (at.selectbox(key="to-zone").value, at.selectbox(key="to-band").value) == ("(keep)", "(keep)")
    assert at.text_input(key="reason").value == "" and at.text_input(key="new-zone").value == ""
    at.session_state["sel-leicestershire"] = [b]
    at.run()
    at.selectbox(key="to-band").set_value("isolated" if base.band_of(b) != "isolated" else "urban").run()
    at.button(key="move").click().run()
    plan = at.session_state["history-leicestershire"].current
    assert plan.zone_of(b) == base.zone_of(b) and plan.reasons.get(plan.index(b)[0], "") == ""
    assert plan.zone_of(ASFORDBY) == zone and plan.reasons[plan.index(ASFORDBY)[0]] == "first"


def test_finance_settings_reach_the_report_and_its_file_names():
    at = app("pages/finance.py")
    at.number_input(key="term").set_value(5).run()
    at.number_input(key="uplift").set_value(3.0).run()
    assert any(m.label == "Change over 5 years" for m in at.metric)
    at.switch_page("pages/report.py").run()
    assert not at.exception
    assert at.number_input(key="term").value == 5 and at.number_input(key="uplift").value == 3.0
    assert any("5-year term" in c.value and "uplift 3% a year" in c.value for c in at.caption)
    at.switch_page("pages/finance.py").run()
    assert at.number_input(key="term").value == 5, "back on Finance: the settings are kept"


def test_a_shared_server_without_login_refuses_to_edit(monkeypatch):
    monkeypatch.setenv("ZONEPLAN_SHARED", "1")
    monkeypatch.delenv("ZONEPLAN_USERS", raising=False)
    at = app()
    assert any("Editing is turned off" in w.value for w in at.sidebar.warning)
    at.switch_page("pages/edit_zones.py").run()
    assert not at.exception
    assert any("Editing is turned off" in e.value and "ZONEPLAN_USERS" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "move"]
    at.switch_page("pages/scenarios.py").run()
    assert any("Editing is turned off" in e.value for e in at.error) and not [
        b for b in at.button if b.key == "sc-save"
    ]
    from pages.common import current_user

    assert current_user().role == "viewer"


def test_a_page_error_is_one_sentence_never_a_traceback(monkeypatch):
    monkeypatch.delenv("ZONEPLAN_RAISE", raising=False)

    def script():
        from geodata.datadir import DataError
        from pages import state

        class Nav:
            url_path = "boom"

            def __init__(self, exc):
                self.exc = exc

            def run(self):
                raise self.exc

        state.run_page(Nav(KeyError("secret internals")))
        state.run_page(Nav(DataError("assignments: unknown unit code(s) X")))

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception
    msgs = [e.value for e in at.error]
    assert "unexpected problem" in msgs[0] and "Reload the page" in msgs[0] and "secret internals" not in msgs[0]
    assert "unknown unit code(s) X" in msgs[1].replace("\\", "")


def test_a_draft_comes_back_in_a_new_session_with_the_same_token():
    at = app("pages/edit_zones.py")
    tok = at.query_params["draft"][0] if isinstance(at.query_params["draft"], list) else at.query_params["draft"]
    at.session_state["sel-leicestershire"] = [ASFORDBY]
    at.run()
    at.selectbox(key="to-band").set_value("isolated").run()
    at.button(key="move").click().run()
    assert not at.exception
    again = app("pages/edit_zones.py", draft=tok, council="leicestershire")
    assert again.session_state["history-leicestershire"].current.band_of(ASFORDBY) == "isolated"
    assert any("Restored your unsaved edits from" in i.value for i in again.info)
    other = app("pages/edit_zones.py", council="leicestershire")  # another session (no token): the base plan
    assert (
        other.session_state["history-leicestershire"].current.band_of(ASFORDBY) != "isolated"
        or at.session_state["history-leicestershire"].undo_stack[0].band_of(ASFORDBY) == "isolated"
    )


def test_undo_and_redo_survive_a_reload():
    """Issue 19 §11: the draft came back after a reload but Undo was disabled (the stacks were not kept)."""
    at = app("pages/edit_zones.py")
    tok = at.query_params["draft"][0] if isinstance(at.query_params["draft"], list) else at.query_params["draft"]
    hist = at.session_state["history-leicestershire"]
    first = hist.current.move([ASFORDBY], band="isolated", reason="one")
    hist.apply(first, {"units": [ASFORDBY]})
    hist.apply(first.move([ASFORDBY], band="rural", reason="two"), {"units": [ASFORDBY]})
    hist.undo()  # undo: one step back, one step to redo
    at.run()
    assert not at.exception
    again = app("pages/edit_zones.py", draft=tok, council="leicestershire")
    h2 = again.session_state["history-leicestershire"]
    assert h2.current.band_of(ASFORDBY) == "isolated"
    assert len(h2.undo_stack) == 1 and len(h2.redo_stack) == 1
    assert not again.button(key="undo").disabled and not again.button(key="redo").disabled
    again.button(key="redo").click().run()
    assert again.session_state["history-leicestershire"].current.band_of(ASFORDBY) == "rural"
    again.button(key="undo").click().run()
    again.button(key="undo").click().run()
    assert not again.exception
    h3 = again.session_state["history-leicestershire"]
    assert h3.current.band_of(ASFORDBY) == h3.current.band_of(ASFORDBY) and not h3.undo_stack
