"""pytest plugin: a throwaway PostgreSQL + PostGIS cluster on 127.0.0.1 for the store tests.

``postgis_server`` (session): the maintenance URL of a server: a temporary cluster started with the Debian
binaries (/usr/lib/postgresql/*/bin, as the ``postgres`` OS user when running as root), or, when
``ZONEPLAN_DB_URL`` is set, the server that URL points at. ``postgis_db`` / ``postgis_url`` (per test): a new
database created for the test (PostGIS enabled) and dropped after it. No test reads or writes a database it did
not create: the database named in ``ZONEPLAN_DB_URL`` itself is never touched (issue 11 §4).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def fresh_database(server_url: str):
    """A new, empty database with PostGIS on the server; its URL; dropped (WITH FORCE) afterwards."""
    import sqlalchemy as sa

    name = f"zp_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        eng = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        eng.dispose()
        yield url
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def postgis_db(postgis_server):
    with fresh_database(postgis_server) as url:
        yield url


@pytest.fixture
def postgis_url(postgis_db):
    """Alias of ``postgis_db``: a database made for this test."""
    return postgis_db


@pytest.fixture(scope="session")
def postgis_server():
    if os.environ.get("ZONEPLAN_DB_URL"):
        import sqlalchemy as sa

        url = os.environ["ZONEPLAN_DB_URL"]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        yield sa.engine.make_url(url).set(database="postgres").render_as_string(hide_password=False)
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
    subprocess.run(
        as_pg + [f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust"], check=True, stdout=subprocess.DEVNULL
    )
    subprocess.run(
        as_pg
        + [
            f"{bindir}/pg_ctl",
            "-D",
            data,
            "-l",
            os.path.join(tmp, "log"),
            "-w",
            "-o",
            f"-p {port} -c listen_addresses=127.0.0.1 -k {tmp}",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            if (
                subprocess.run(
                    as_pg + [f"{bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL
                ).returncode
                == 0
            ):
                break
            time.sleep(0.2)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(as_pg + [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], stdout=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)
