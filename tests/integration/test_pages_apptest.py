"""Streamlit AppTest for every page: renders without exception, widgets change the plan, read-only has no edits."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_kit import open_app

pytestmark = pytest.mark.integration
TIMEOUT = 120
APP = Path(__file__).resolve().parents[2] / "app.py"


def app(page: str | None = None, **query) -> AppTest:
    return open_app(page, timeout=TIMEOUT, **query)


def by_label(at, label: str):
    return [n for n in at.number_input if n.label == label][0]


def history(at, council="leicestershire"):
    return at.session_state[f"history-{council}"]


@pytest.mark.parametrize("page", [None, "pages/edit_zones.py", "pages/finance.py", "pages/report.py"])
def test_every_page_renders(page):
    at = app(page)
    assert at.title, "page has a title"


def test_zone_map_is_read_only_and_shows_evidence():
    at = app()
    assert not at.button, "the zone map offers no buttons"
    assert not at.text_input
    code = "E04005516"  # Asfordby
    at.selectbox(key="ev-pick").set_value(code).run()
    assert not at.exception
    assert any(
        "FRINGE" in m.value or "URBAN" in m.value or "RURAL" in m.value or "ISOLATED" in m.value for m in at.markdown
    )


def test_readonly_link_hides_edit_pages():
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["readonly"] = "1"
    at.run()
    assert not at.exception
    assert not at.button and not at.text_input and not at.number_input
    try:
        at.switch_page("pages/edit_zones.py").run()
    except Exception:
        return  # the page is not even registered in read-only mode
    assert not [b for b in at.button if b.key == "move"], "read-only mode must not offer the move button"


def test_edit_moves_a_parish_and_undo_restores():
    at = app("pages/edit_zones.py")
    base = history(at).current
    # the unit map's events as the browser sends them: a search, then Enter adding the result to the selection
    at.session_state["unitmap-leicestershire"] = {"id": "apptest-1", "event": "search", "q": "Asfordby"}
    at.run()
    found = at.session_state["um-search-leicestershire"]
    assert found["kind"] == "name" and found["codes"][0] == "E04005516"
    at.session_state["unitmap-leicestershire"] = {"id": "apptest-2", "event": "selection", "codes": found["codes"][:1]}
    at.run()
    assert "E04005516" in at.session_state["sel-leicestershire"]
    old_band = base.band_of("E04005516")
    new_band = "isolated" if old_band != "isolated" else "urban"
    at.selectbox(key="to-band").set_value(new_band).run()
    at.text_input(key="reason").set_value("test move").run()
    at.button(key="move").click().run()
    assert not at.exception
    plan = history(at).current
    assert plan.band_of("E04005516") == new_band
    hours = Decimal(int(plan.hours_cents[plan.index("E04005516")[0]])) / 100
    diff = plan.rates.effective_rate(new_band) - plan.rates.effective_rate(old_band)
    expected = (hours * diff).quantize(Decimal("0.01"))
    delta = [m for m in at.metric if m.label == "Cost / week"][0].delta
    assert f"£{expected:,}" in delta
    at.button(key="undo").click().run()
    assert history(at).current.band_of("E04005516") == old_band


def test_finance_bad_rate_outside_ceiling_warns_and_impact_follows_edits():
    at = app("pages/finance.py")
    by_label(at, "urban £/h").set_value(30.0).run()  # keys are per council and version (issue 19 §1)
    assert any("ceiling" in w.value for w in at.warning)
    assert not at.exception


def test_scenarios_page_saves_and_published_link_opens_read_only(tmp_path, monkeypatch):
    monkeypatch.setenv("ZONEPLAN_STORE", str(tmp_path / "s.sqlite"))
    monkeypatch.delenv("ZONEPLAN_DB_URL", raising=False)
    from pages import common

    common.store.clear()
    at = app("pages/scenarios.py")
    at.text_input(key="sc-name").set_value("Draft").run()
    at.button(key="sc-save").click().run()
    assert not at.exception and any("Saved Draft version 1" in s.value for s in at.success)
    at.button(key="sc-publish").click().run()
    link = at.code[0].value
    assert link.startswith("http://") and "/?council=leicestershire&scenario=" in link and "version=1" in link
    params = dict(p.split("=") for p in link.split("?", 1)[1].split("&"))
    ro = app(None, **params)
    assert not ro.button and not ro.text_input
    common.store.clear()


def test_users_file_turns_logins_on_and_viewer_cannot_save(tmp_path, monkeypatch):
    from zones.service.auth import hash_password

    users = tmp_path / "users.toml"
    users.write_text(f'[users.ann]\nrole = "viewer"\npassword_bcrypt = "{hash_password("pw")}"\n')
    monkeypatch.setenv("ZONEPLAN_USERS", str(users))
    monkeypatch.setenv("ZONEPLAN_STORE", str(tmp_path / "s.sqlite"))
    from pages import common

    common.store.clear()
    at = app()
    assert [t.value for t in at.title] == ["Sign in"]  # sign-in first: nobody signed in sees no other page
    at.text_input(key="login-user").set_value("ann")
    at.text_input(key="login-pw").set_value("pw")
    [b for b in at.button if b.label == "Sign in"][0].click().run()
    at.switch_page("pages/scenarios.py").run()
    at.text_input(key="sc-name").set_value("Draft").run()
    at.button(key="sc-save").click().run()
    assert any("may not change" in e.value for e in at.error)  # a viewer: the store refuses
    common.store.clear()


def test_finance_sessional_rate_lowers_plan_cost():
    at = app("pages/finance.py")
    before = [m for m in at.metric if m.label == "Plan cost / week"][0].value
    by_label(at, "Sessional rate £/h (0 = none)").set_value(20.0).run()
    by_label(at, "Share of hours at the sessional rate %").set_value(10.0).run()
    after = [m for m in at.metric if m.label == "Plan cost / week"][0].value
    assert not at.exception
    to_num = lambda v: float(v.replace("£", "").replace(",", ""))  # noqa: E731
    assert to_num(after) < to_num(before)


def test_finance_shows_merton_providers_per_lot_from_the_plan():
    """Issue 15 §2: Finance lists providers per lot (Merton: two each) and hours a provider would carry."""
    at = app("pages/finance.py", council="merton")
    exp = [e for e in at.expander if e.label.startswith("Providers per")]
    assert len(exp) == 1 and "0 below the viability floor" in exp[0].label
    plan = history(at, "merton").current
    assert {r["providers"] for r in plan.providers_table()} == {2}
    # a change recorded on the plan (as the table's edit does) is one undoable step and shows in the label
    hist = history(at, "merton")
    hist.apply(plan.with_rates(plan.rates.with_providers("West", 4)), {"providers": {"West": 4}})
    at.run()
    exp = [e for e in at.expander if e.label.startswith("Providers per")]
    assert "1 below the viability floor" in exp[0].label  # West: ~3,056 h / 4 < 1,000 h per provider
