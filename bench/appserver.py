"""One Streamlit server for the benchmarks and the walk-through (bench/app.py, bench/walkthrough.py):
``streamlit run app.py`` of a source tree on a free 127.0.0.1 port, its environment without the database URL
and the raise-on-error switch of the test suite, stopped afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import START_S, _healthy  # noqa: E402
from tests.postgis_plugin import _free_port  # noqa: E402

STOP_S = 20  # seconds a stopped server gets to exit before it is killed


@contextmanager
def app_server(tree: Path, log_path: Path, **env: str) -> Iterator[str]:
    """``streamlit run <tree>/app.py`` with ``env`` added to this process's environment (less ZONEPLAN_DB_URL and
    ZONEPLAN_RAISE); yields its base URL once its health check answers (within START_S seconds, else
    RuntimeError naming ``log_path``, where its output goes)."""
    port = _free_port()
    full = {k: v for k, v in os.environ.items() if k not in ("ZONEPLAN_DB_URL", "ZONEPLAN_RAISE")}
    full.update(env)
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(tree / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=tree, stdout=log, stderr=subprocess.STDOUT, env=full)
        url = f"http://127.0.0.1:{port}"
        try:
            end = time.monotonic() + START_S
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > end:
                    raise RuntimeError(f"streamlit in {tree} did not start; see {log_path}")
                time.sleep(0.25)  # polling the health check (a bound on a failure, not a pause in a measurement)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(STOP_S)
            except subprocess.TimeoutExpired:
                proc.kill()
