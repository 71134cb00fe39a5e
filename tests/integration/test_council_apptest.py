"""The app on a generated council (issue 20): the picker lists the local pack, every page renders, the evidence card
and the sidebar show the data vintage, a unit moves on Edit zones, and the report names the vintage."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_kit import own_store, serve_like_the_server

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    "pages/edit_zones.py",
    "pages/finance.py",
    "pages/scenarios.py",
    "pages/suggest.py",
    "pages/report.py",
    "pages/bands.py",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    import os

    d = tmp_path_factory.mktemp("packs")
    old = os.environ.get("ZONEPLAN_PACKS")
    os.environ["ZONEPLAN_PACKS"] = str(d)
    from zones.cli.council import build_all

    out = build_all("Rutland")
    yield out
    if old is None:
        os.environ.pop("ZONEPLAN_PACKS", None)
    else:
        os.environ["ZONEPLAN_PACKS"] = old


@pytest.fixture(autouse=True)
def like_the_server(monkeypatch, tmp_path):
    serve_like_the_server(monkeypatch)
    yield from own_store(monkeypatch, tmp_path)


def _app(council: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["council"] = council
    at.run()
    assert not at.exception, at.exception
    return at


def test_generated_council_in_the_app(generated):
    cid = generated["council"]
    at = _app(cid)
    pick = at.sidebar.selectbox[0]
    assert cid in pick.options or "Rutland (LSOAs 2021)" in pick.options
    assert pick.value == cid
    assert any("Data vintage" in c.value and "Dec 2021" in c.value for c in at.sidebar.caption)
    code = "E01013787"  # an LSOA 2021 of Rutland (Rutland 005A)
    at.selectbox(key="ev-pick").set_value(code).run()
    assert not at.exception
    assert any(b in m.value for m in at.markdown for b in ("URBAN", "FRINGE", "RURAL", "ISOLATED"))
    assert any("Indices of Deprivation 2025" in c.value for c in at.caption), "the evidence card shows the vintage"
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)


def test_edit_a_generated_council_and_its_report_sources(generated):
    from zones.service.workspace import load_workspace, sources

    cid = generated["council"]
    at = _app(cid)
    at.switch_page("pages/edit_zones.py").run()
    hist = at.session_state[f"history-{cid}"]
    base = hist.current
    code = str(base.unit_codes[0])
    at.session_state[f"sel-{cid}"] = [code]
    at.run()
    target = "isolated" if base.band_of(code) != "isolated" else "urban"
    at.selectbox(key="to-band").set_value(target).run()
    at.text_input(key="reason").set_value("checked on the ground").run()
    at.button(key="move").click().run()
    assert not at.exception
    assert at.session_state[f"history-{cid}"].current.band_of(code) == target
    ws = load_workspace(cid)
    src = sources(ws)
    assert src[0].startswith("Data vintage:") and "Indices of Deprivation 2025" in src[0]
    from zones.service.workspace import notes

    assert any("weekly total, which is itself an ESTIMATE" in n for n in notes(ws))  # no --hours-per-week given
