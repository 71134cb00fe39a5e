"""Issue 19 §15 in AppTest (real data): a finance officer types 52.14 weeks a year (365/7); Finance prices the
year with exactly that, shows "52.14 weeks a year", and the version saved keeps it as a JSON number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.apptest_kit import open_app, own_store, serve_like_the_server
from zones.impact import compare
from zones.money import fmt_gbp_change

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def like_the_server(monkeypatch, tmp_path):
    serve_like_the_server(monkeypatch)
    yield from own_store(monkeypatch, tmp_path)


def test_finance_takes_52_14_weeks_and_shows_them():
    from zones.service.workspace import load_workspace

    at = open_app("pages/finance.py", timeout=240)
    hist = at.session_state["history-leicestershire"]
    cur = hist.current
    other = [b for b in cur.band_names if b != cur.band_of(cur.unit_codes[0])][0]
    hist.apply(cur.move([cur.unit_codes[0]], band=other, reason="test"), {"test": 1})
    at.number_input(key="weeks").set_value(52.14).run()
    assert not at.exception
    assert any("52.14 weeks a year" in c.value for c in at.caption), [c.value for c in at.caption]
    plan = at.session_state["history-leicestershire"].current
    base = load_workspace("leicestershire").base.with_rates(plan.rates)
    shown = [m.value for m in at.metric if m.label == "Change / year"][0]
    assert shown == fmt_gbp_change(compare(base, plan, weeks_per_year=Decimal("52.14")).gbp_per_year)
    assert shown != fmt_gbp_change(compare(base, plan, weeks_per_year=52).gbp_per_year)
    assert at.session_state["money-leicestershire"]["weeks"] == 52.14
