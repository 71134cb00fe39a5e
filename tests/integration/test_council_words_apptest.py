"""AppTest (walk-through findings, issue 19 §15): Bradford, whose wards are all "Unzoned", shows no locality on the
Zone map and Suggest offers more than one; Merton's Finance cites no Leicestershire paragraphs and speaks of lots;
the Zone map's title box names the plan as the page does."""

from __future__ import annotations

import pytest

from tests.apptest_kit import open_app

pytestmark = pytest.mark.integration


def test_bradford_counts_no_locality_and_suggest_offers_more_than_one():
    at = open_app("pages/zone_map.py", timeout=300, council="bradford")
    vals = {m.label: m.value for m in at.metric}
    assert str(vals["Localities"]) == "0", vals  # was 1: the "Unzoned" placeholder counted as a locality
    at.switch_page("pages/suggest.py")
    at.run()
    assert not at.exception, at.exception
    k = next(n for n in at.number_input if n.label.startswith("Number of"))
    assert (k.label, k.value) == ("Number of localities", 5)
    assert not any("Start from the current" in c.label for c in at.checkbox)  # no localities to start from


def test_merton_finance_has_merton_words():
    at = open_app("pages/finance.py", timeout=300, council="merton")
    labels = [e.label for e in at.expander]
    assert "Floor, ceiling and sessional rate" in labels and not any("paras" in x for x in labels), labels
    assert any(s.value == "Hours and cost by band and lot" for s in at.subheader)
    at.switch_page("pages/suggest.py")
    at.run()
    assert not at.exception, at.exception
    assert [c.label for c in at.checkbox if c.label.startswith("Start from")] == [
        "Start from the current lots (keeps their names)"
    ]
    # the page, its heading and its button say lots (they said "Suggest zones" for every council)
    assert [t.value for t in at.title] == ["Suggest lots"]
    assert at.button(key="sg-run").label == "Suggest lots"


def test_the_suggest_page_is_named_in_each_councils_words():
    from pages.common import suggest_title

    names = {c: suggest_title(c) for c in ("leicestershire", "merton", "coventry", "bradford", None, "no-such")}
    assert names == {
        "leicestershire": "Suggest zones",
        "merton": "Suggest lots",
        "coventry": "Suggest clusters",
        "bradford": "Suggest localities",
        None: "Suggest zones",
        "no-such": "Suggest zones",
    }


def test_bradford_edit_zones_draws_no_unzoned_bar():
    at = open_app("pages/edit_zones.py", timeout=300, council="bradford")
    assert any("No localities yet" in c.value and "Suggest localities proposes some" in c.value for c in at.caption)
    assert not any("Dashed: the mean" in c.value for c in at.caption)
