"""One way to start the app for the browser tests and the benchmarks: ``streamlit run <tree>/app.py`` on a free
127.0.0.1 port, with the test suite's database URL and raise-on-error switch left out of its environment, ready
once its health check answers, stopped afterwards. No pytest here (bench/ uses it too)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.postgis_plugin import _free_port

START_S = 180.0  # the server's health check answers "ok" (a bound on a failure, not a pause)
STOP_S = 20.0  # a stopped server exits within this, else it is killed


class AppServerError(RuntimeError):
    """The server exited or did not answer its health check within START_S seconds."""


def healthy(url: str) -> bool:
    """True when the Streamlit server at ``url`` answers its health check with "ok"."""
    try:
        return urllib.request.urlopen(url + "/_stcore/health", timeout=5).read() == b"ok"
    except OSError:
        return False


@contextmanager
def app_server(tree: Path, log_path: Path, env: Mapping[str, str]) -> Iterator[str]:
    """``streamlit run <tree>/app.py`` with ``env`` added to this process's environment (less ZONEPLAN_DB_URL and
    ZONEPLAN_RAISE), its output in ``log_path``; yields the base URL once healthy, else raises AppServerError
    naming the log."""
    port = _free_port()
    full = {k: v for k, v in os.environ.items() if k not in ("ZONEPLAN_DB_URL", "ZONEPLAN_RAISE")}
    full.update(env)
    cmd = [sys.executable, "-m", "streamlit", "run", str(Path(tree) / "app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true"]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=tree, stdout=log, stderr=subprocess.STDOUT, env=full)
        url = f"http://127.0.0.1:{port}"
        try:
            end = time.monotonic() + START_S
            while not healthy(url):
                if proc.poll() is not None or time.monotonic() > end:
                    raise AppServerError(f"streamlit in {tree} did not start; see {log_path}")
                time.sleep(0.25)  # polling the health check (a bound on a failure, not a pause in a test)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(STOP_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_S)
