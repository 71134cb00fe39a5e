"""Issue 19 §17 (speed) in AppTest: work a server has done once is not redone for every new session."""

from __future__ import annotations

import pytest

from tests.apptest_kit import open_app, own_store

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def store(monkeypatch, tmp_path):
    yield from own_store(monkeypatch, tmp_path)


def test_a_new_session_does_not_rebuild_a_workspace_the_server_holds(monkeypatch):
    """Each new session's first page used to rebuild the council's workspace just to show a progress bar (about a
    second of every first map), then threw it away for the cached one."""
    from pages import common

    open_app(None, council="merton")  # a first session: the server builds (or already holds) Merton
    calls = []
    real = common.load_workspace
    monkeypatch.setattr(common, "load_workspace", lambda c, **k: calls.append(c) or real(c, **k))
    at = open_app("pages/edit_zones.py", council="merton")  # a second session, as a new browser tab
    assert calls == [], "the workspace was built again for a new session"
    assert at.session_state["history-merton"].current.n_units == 20
    assert not at.exception


def test_finance_builds_its_downloads_only_when_asked(monkeypatch):
    """The XLSX and both CSVs are deferred downloads: a Finance run (here after a move, so the impact has rows)
    builds none of them; each is built from that run's figures when its button is pressed."""
    from zones.outputs import export

    built = []
    for name in ("impact_xlsx", "impact_csv", "impact_totals_csv"):
        real = getattr(export, name)
        monkeypatch.setattr(export, name, lambda *a, _n=name, _r=real, **k: built.append(_n) or _r(*a, **k))
    at = open_app("pages/finance.py", council="leicestershire")
    hist = at.session_state["history-leicestershire"]
    code = hist.current.unit_codes[0]
    hist.apply(hist.current.move([code], band="isolated", reason="test"), {"units": [code], "band": "isolated"})
    at.run()
    assert not at.exception
    assert len(at.get("download_button")) >= 3
    assert built == []


def test_finance_charts_show_every_zone_name_in_full_and_read_across():
    """Walk-through finding: Finance's zone charts cut long names ("Braunston & Mart…", "South Leicestershi…") and the
    band charts' names stood on end. The zone axis has no label limit, band names read across, and the tooltips
    name their figures in words."""
    import json

    at = open_app("pages/finance.py", council="leicestershire")
    assert not at.exception
    specs = [json.loads(e.proto.spec) for e in at.get("vega_lite_chart")]
    assert len(specs) == 4
    by_zone = [s for s in specs if s["encoding"]["y"]["field"] == "zone"]
    by_band = [s for s in specs if s["encoding"]["x"]["field"] == "band"]
    assert len(by_zone) == 2 and len(by_band) == 2
    assert all(s["encoding"]["y"]["axis"]["labelLimit"] == 0 for s in by_zone)
    assert all(s["encoding"]["x"]["axis"]["labelAngle"] == 0 for s in by_band)
    for s in specs:
        titles = {t.get("title") for t in s["encoding"]["tooltip"]}
        assert {"Care hours a week", "£ a week"} <= titles, titles


def test_finance_yearly_change_says_how_it_is_rounded():
    """Walk-through finding: weekly × 52 differed from the yearly figure by pence with no word why. Finance's
    "Change / year" carries the rounding note as its help."""
    from zones.money import ROUNDING_NOTE

    at = open_app("pages/finance.py", council="merton")
    assert not at.exception
    year = [m for m in at.metric if m.label == "Change / year"]
    assert len(year) == 1 and year[0].help == ROUNDING_NOTE


def test_report_typesets_its_pdf_only_when_asked(monkeypatch):
    """The Report page showed its HTML and typeset the PDF on every run; the PDF is now a deferred download."""
    from zones.outputs import report

    built = []
    real = report.report_pdf
    monkeypatch.setattr(report, "report_pdf", lambda ctx: built.append(1) or real(ctx))
    at = open_app("pages/report.py", council="coventry")
    assert not at.exception
    assert len(at.get("download_button")) == 2
    assert built == []
