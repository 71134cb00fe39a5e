"""Browser fixtures: one `streamlit run app.py` per test worker on a free 127.0.0.1 port (session scope: every
browser test shares it) and Debian chromium via Playwright. Each test gets a fresh browser context (no cookies,
storage or session from another test) and opens an explicit URL (``?council=...``); every page made here tracks
Streamlit's script runs (tests/browser/waits.py) so tests wait for conditions, never for a time."""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.appserver import AppServerError, app_server
from tests.browser.waits import track

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
expect.set_options(timeout=60_000)  # every expect(...) waits up to 60 s for its condition (a busy machine)


@pytest.fixture(scope="session")
def server_store(tmp_path_factory) -> str:
    """The scenario store of the test server: a SQLite file this test session created (never .cache's)."""
    return str(tmp_path_factory.mktemp("store") / "scenarios.sqlite")


@pytest.fixture(scope="session")
def server(server_store):
    with serve(server_store) as url:
        yield url


_SERVERS = itertools.count()


@contextlib.contextmanager
def serve(store: str):
    """``streamlit run app.py`` on a free 127.0.0.1 port with scenario store ``store``; its URL once healthy."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (make test installs Debian chromium)")
    n = next(_SERVERS)  # a log of its own for each server of this worker
    log = ARTIFACTS.parent / f"streamlit-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}-{n}.log"
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(app_server(ROOT, log, {"ZONEPLAN_STORE": store}))
        except AppServerError as exc:
            pytest.fail(str(exc))
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


def scenario_cli(store: str, *args: str) -> str:
    """``zoneplan scenario ARGS`` on the test server's store, run in this process (no interpreter start-up and
    imports per call: the CLI's own tests start it as a process); its stdout."""
    import contextlib
    import io

    from zones.cli.main import main

    saved = {k: os.environ.get(k) for k in ("ZONEPLAN_STORE", "ZONEPLAN_DB_URL")}
    os.environ["ZONEPLAN_STORE"] = store
    os.environ.pop("ZONEPLAN_DB_URL", None)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(["scenario", *args])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert rc == 0, err.getvalue()
    return out.getvalue()


def new_page(browser, width: int = 1400, height: int = 1250, **ctx):
    """A page in a fresh browser context (its own cookies, storage and Streamlit session), tracking script runs;
    close it with ``pg.context.close()``."""
    c = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True, **ctx)
    pg = c.new_page()
    pg.set_default_timeout(60_000)
    track(pg)
    return pg


@pytest.fixture
def page(browser, request):
    pg = new_page(browser)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    steps = {"n": 0}

    def shot(name: str) -> Path:
        steps["n"] += 1
        path = ARTIFACTS / f"{request.node.name}-{steps['n']:02d}-{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    pg.shot = shot
    yield pg
    pg.context.close()
