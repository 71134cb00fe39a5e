"""Shared helpers of the Streamlit AppTest page tests: run ``app.py`` around every page as the server does, give
each test a scenario store of its own, and open a page with query parameters."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


def serve_like_the_server(monkeypatch=None) -> None:
    """Streamlit's legacy ``pages/`` mode off in every AppTest run, so ``app.py`` (council selector, navigation,
    read-only rules) runs around each page as it does in the server.

    Tests only: ``AppTest`` sets ``PagesManager.uses_pages_directory = None`` before every run, so each run
    re-detects the ``pages/`` folder and runs the page alone, even after app.py called ``st.navigation`` (in a
    server that call turns the mode off for good). The app handles that for a session's first run
    (``pages.common.use_app_navigation`` declares the navigation and reruns), but a rerun in a later run would
    drop the widget action that run is testing; no public AppTest option keeps the mode off. ``monkeypatch``
    None (bench/app.py): for the rest of the process."""
    from streamlit.runtime.pages_manager import PagesManager

    init = PagesManager.__init__

    def __init__(self, *a, **k):
        init(self, *a, **k)
        PagesManager.uses_pages_directory = False

    if monkeypatch is None:
        PagesManager.__init__ = __init__  # type: ignore[method-assign]
    else:
        monkeypatch.setattr(PagesManager, "__init__", __init__)


def own_store(monkeypatch, tmp_path):
    """A generator for a fixture: a SQLite scenario store (and drafts) in ``tmp_path``, never another test's or
    .cache's; the app's cached store is dropped before and after."""
    yield from use_store(monkeypatch, f"sqlite:///{tmp_path / 's.sqlite'}")


def use_store(monkeypatch, url: str):
    """A generator for a fixture: the app's store (and drafts) at ``url`` (a sqlite:/// file or PostgreSQL), the
    app's cached store dropped before and after."""
    if url.startswith("sqlite:///"):
        monkeypatch.setenv("ZONEPLAN_STORE", url[len("sqlite:///") :])
        monkeypatch.delenv("ZONEPLAN_DB_URL", raising=False)
    else:
        monkeypatch.setenv("ZONEPLAN_DB_URL", url)
    from pages import common

    common.store.clear()
    yield
    common.store.clear()


def save_scenario(at, name: str) -> tuple[str, str]:
    """Save the plan on the Scenarios page as ``name``; the errors and the successes shown (each joined)."""
    at.text_input(key="sc-name").set_value(name).run()
    at.button(key="sc-save").click().run()
    assert not at.exception, at.exception
    return " ".join(e.value for e in at.error), " ".join(s.value for s in at.success)


def open_app(page: str | None = None, timeout: float = 180, **query) -> AppTest:
    """Run ``app.py`` with ``query`` as its query string, then switch to ``page`` (e.g. "pages/finance.py");
    fails on any exception of either run."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at
