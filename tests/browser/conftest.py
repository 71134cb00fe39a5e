"""Browser fixtures: `streamlit run app.py` on a free 127.0.0.1 port and Debian chromium via Playwright."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.postgis_plugin import _free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def server_store(tmp_path_factory) -> str:
    """The scenario store of the test server: a SQLite file this test session created (never .cache's)."""
    return str(tmp_path_factory.mktemp("store") / "scenarios.sqlite")


@pytest.fixture(scope="session")
def server(server_store):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (make test installs Debian chromium)")
    port = _free_port()
    log = open(ARTIFACTS.parent / "streamlit.log", "w") if ARTIFACTS.parent.mkdir(parents=True, exist_ok=True) is None else None
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**{k: v for k, v in os.environ.items() if k not in ("ZONEPLAN_DB_URL", "ZONEPLAN_RAISE")},
                                 "ZONEPLAN_STORE": server_store})
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start; see artifacts/streamlit.log")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1250}, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    steps = {"n": 0}

    def shot(name: str) -> Path:
        steps["n"] += 1
        path = ARTIFACTS / f"{request.node.name}-{steps['n']:02d}-{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    pg.shot = shot
    yield pg
    ctx.close()


def wait_idle(pg, ms: int = 600) -> None:
    """Wait until Streamlit has finished running the script."""
    pg.wait_for_timeout(300)
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    pg.wait_for_timeout(ms)
