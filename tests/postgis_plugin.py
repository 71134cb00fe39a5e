"""pytest plugin: a throwaway PostgreSQL + PostGIS cluster on 127.0.0.1 for the store tests.

Uses ``ZONEPLAN_DB_URL`` when set; otherwise starts a temporary cluster with the Debian binaries
(/usr/lib/postgresql/*/bin) as the ``postgres`` OS user when running as root; skips when neither is possible.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgis_url():
    if os.environ.get("ZONEPLAN_DB_URL"):
        yield os.environ["ZONEPLAN_DB_URL"]
        return
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        pytest.skip("PostgreSQL is not installed (make test installs Debian postgresql + postgis)")
    if not glob.glob("/usr/share/postgresql/*/extension/postgis.control"):
        pytest.skip("PostGIS is not installed (make test installs Debian postgis)")
    bindir = os.path.dirname(bins[-1])
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    tmp = tempfile.mkdtemp(prefix="zoneplan-pg-")
    os.chmod(tmp, 0o777)
    data = os.path.join(tmp, "data")
    if as_pg:
        shutil.chown(tmp, "postgres")
    port = _free_port()
    subprocess.run(as_pg + [f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(as_pg + [f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(tmp, "log"), "-w", "-o",
                            f"-p {port} -c listen_addresses=127.0.0.1 -k {tmp}", "start"], check=True,
                   stdout=subprocess.DEVNULL)
    try:
        for _ in range(50):
            if subprocess.run(as_pg + [f"{bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(0.2)
        subprocess.run(as_pg + ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c",
                                "CREATE DATABASE zoneplan"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(as_pg + ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "zoneplan", "-c",
                                "CREATE EXTENSION IF NOT EXISTS postgis"], check=True, stdout=subprocess.DEVNULL)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/zoneplan"
    finally:
        subprocess.run(as_pg + [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], stdout=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)
