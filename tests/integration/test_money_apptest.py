"""Issue 19 findings 1-3 in AppTest (real data): Finance follows a council switch; a published link is a fixed view
of one version that is left explicitly; weeks/term/uplift and rate edits are saved with a version and shown on
every output, and a reload keeps them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_kit import open_app, own_store, serve_like_the_server
from zones.money import fmt_gbp

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def like_the_server(monkeypatch, tmp_path):
    """app.py around every page, as in the server; a store (and drafts) of this test's own."""
    serve_like_the_server(monkeypatch)
    yield from own_store(monkeypatch, tmp_path)


def app(page=None, **query) -> AppTest:
    return open_app(page, timeout=240, **query)


def metric(at, label: str) -> str:
    return [m for m in at.metric if m.label == label][0].value


def rate_inputs(at, bands) -> dict[str, float]:
    """The Finance rate card inputs by band (found by label, whatever their keys)."""
    return {b: [n for n in at.number_input if n.label == f"{b} £/h"][0].value for b in bands}


def council_pickers(at) -> list:
    return [s for s in at.selectbox if str(s.key or "").startswith("council-select")]


def qp(at, key):
    v = at.query_params.get(key)
    return v[0] if isinstance(v, list) else v


def test_finance_rates_and_totals_follow_a_council_switch():
    """Finding 1: Leicestershire → Merton → Coventry on Finance shows each council's own card and cost."""
    at = app("pages/finance.py")
    leics = at.session_state["history-leicestershire"].current
    assert rate_inputs(at, leics.band_names) == {b: float(leics.rates.rate(b)) for b in leics.band_names}
    for _frm, to in (("leicestershire", "merton"), ("merton", "coventry")):
        council_pickers(at)[0].set_value(to).run()
        assert not at.exception and at.session_state["council"] == to
        plan = at.session_state[f"history-{to}"].current
        assert rate_inputs(at, plan.band_names) == {b: float(plan.rates.rate(b)) for b in plan.band_names}, (
            f"{to} shows another council's rates"
        )
        assert metric(at, "Plan cost / week") == fmt_gbp(plan.totals()["gbp_per_week"])
        assert any(c.value.startswith(f"Rate card {plan.rates.year}") for c in at.caption)
    # the Merton figure the issue names: £159,600.00 a week at its own card
    assert at.session_state["history-merton"].current.totals()["gbp_per_week"] == Decimal("159600.00")


def _save_and_publish(at, name="Para 47") -> str:
    at.switch_page("pages/scenarios.py").run()
    at.text_input(key="sc-name").set_value(name).run()
    at.button(key="sc-save").click().run()
    assert not at.exception and any(f"Saved {name} version 1" in s.value for s in at.success)
    at.button(key="sc-publish").click().run()
    link = at.code[0].value
    return link.split("?", 1)[1]


def test_a_published_link_is_a_fixed_view_left_explicitly():
    """Finding 2: the published view offers no council picker (touching it lost the published plan); a
    "Leave this published view" link leaves it, after which the picker is back and nothing is read-only."""
    at = app("pages/edit_zones.py")
    at.session_state["sel-leicestershire"] = ["E04005516"]
    at.run()
    at.selectbox(key="to-band").set_value("isolated").run()
    at.button(key="move").click().run()
    published_cost = at.session_state["history-leicestershire"].current.totals()["gbp_per_week"]
    params = dict(p.split("=") for p in _save_and_publish(at).split("&"))
    ro = app(None, **params)
    assert ro.session_state["history-leicestershire"].current.totals()["gbp_per_week"] == published_cost
    assert not council_pickers(ro), "a published view must not offer the council picker"
    assert any("published" in (i.value or "").lower() for i in ro.sidebar.info)
    ro.switch_page("pages/report.py").run()
    assert not council_pickers(ro) and qp(ro, "scenario") == params["scenario"]
    assert ro.session_state["history-leicestershire"].current.totals()["gbp_per_week"] == published_cost
    leave = ro.sidebar.get("link_button")
    assert [b.label for b in leave] == ["Leave this published view"]
    url = leave[0].proto.url
    assert url.endswith("/?council=leicestershire") and "scenario" not in url and "readonly" not in url
    back = app("pages/edit_zones.py", **dict([url.split("?", 1)[1].split("=")]))  # following the link
    assert council_pickers(back), "after leaving, the council picker is back"
    assert not any("Read-only" in (i.value or "") for i in back.sidebar.info)
    assert [b for b in back.button if b.key == "move"], "and the plan can be edited again"


def test_settings_and_rate_edits_are_saved_with_a_version_and_shown_on_every_output():
    """Finding 3: weeks/term/uplift and a rate edit travel with the saved version: the published view's Report shows
    and uses them, a version reopened in the editor restores them on Finance, and a reload (same draft) keeps
    them."""
    at = app("pages/finance.py")
    plan = at.session_state["history-leicestershire"].current
    at.number_input(key="weeks").set_value(53).run()
    at.number_input(key="term").set_value(5).run()
    at.number_input(key="uplift").set_value(2.5).run()
    urban = [n for n in at.number_input if n.label == "urban £/h"][0]
    urban.set_value(26.00).run()
    assert not at.exception
    shown = metric(at, "Plan cost / week")
    edited = plan.with_rates(plan.rates.with_rates(urban="26.00"))
    assert shown == fmt_gbp(edited.totals()["gbp_per_week"])
    for page, label in (("pages/edit_zones.py", "Cost / week"), ("pages/zone_map.py", "Cost / week")):
        at.switch_page(page).run()  # every screen prices the plan with the same card
        assert not at.exception and metric(at, label) == shown, page
    tok = qp(at, "draft")
    # a reload (a new session with the same draft token) keeps the settings and the rate edit
    again = app("pages/finance.py", draft=tok, council="leicestershire")
    assert (
        again.number_input(key="weeks").value,
        again.number_input(key="term").value,
        again.number_input(key="uplift").value,
    ) == (53, 5, 2.5)
    assert rate_inputs(again, ["urban"]) == {"urban": 26.0}
    assert metric(again, "Plan cost / week") == shown
    params = dict(p.split("=") for p in _save_and_publish(at).split("&"))
    # the councillor's published view: the Report uses and shows the version's own settings and card
    ro = app(None, **params)
    ro.switch_page("pages/report.py").run()
    assert not ro.exception
    assert any(
        "53 weeks a year" in c.value and "5-year term" in c.value and "uplift 2.5% a year" in c.value
        for c in ro.caption
    )
    assert ro.session_state["history-leicestershire"].current.rates.rate("urban") == Decimal("26.00")
    # the finance officer reopens the version in a fresh session: Finance restores them
    fo = app("pages/scenarios.py")
    fo.button(key="sc-open").click().run()
    fo.switch_page("pages/finance.py").run()
    assert (
        fo.number_input(key="weeks").value,
        fo.number_input(key="term").value,
        fo.number_input(key="uplift").value,
    ) == (53, 5, 2.5)
    assert rate_inputs(fo, ["urban"]) == {"urban": 26.0}
    assert metric(fo, "Plan cost / week") == shown
