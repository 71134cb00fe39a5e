"""Where the scenario store lives (issue 19 §7): ``ZONEPLAN_STORE`` may name a file or a folder; a file in a folder
that does not exist is one clear sentence, not a silent autosave failure."""

from __future__ import annotations

import sys

import pytest

from geodata.datadir import DataError
from zones.service.store import Store, default_url


def test_zoneplan_store_may_name_a_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ZONEPLAN_DB_URL", raising=False)
    monkeypatch.setenv("ZONEPLAN_STORE", str(tmp_path))
    assert default_url() == f"sqlite:///{tmp_path / 'scenarios.sqlite'}"
    assert Store().list().empty
    assert (tmp_path / "scenarios.sqlite").is_file()


def test_a_store_file_in_a_missing_folder_is_one_sentence(tmp_path, monkeypatch):
    monkeypatch.delenv("ZONEPLAN_DB_URL", raising=False)
    monkeypatch.setenv("ZONEPLAN_STORE", str(tmp_path / "no-such-folder" / "s.sqlite"))
    with pytest.raises(DataError, match="ZONEPLAN_STORE names a file in a folder that does not exist"):
        default_url()
    monkeypatch.setenv("ZONEPLAN_STORE", str(tmp_path / "s.sqlite"))  # a file in an existing folder is fine
    assert default_url().endswith("s.sqlite")


def test_a_postgresql_store_without_psycopg_names_the_extra(monkeypatch, capsys):
    """psycopg is an extra: without it a PostgreSQL URL is a configuration error naming ``.[postgres]`` (Store)
    and the CLI's exit status 5 with that one sentence, never a ModuleNotFoundError."""
    from geodata.errors import ConfigurationError
    from zones.cli.main import main

    monkeypatch.setenv("ZONEPLAN_DB_URL", "postgresql://planner@127.0.0.1:1/zoneplan")
    monkeypatch.delenv("ZONEPLAN_RAISE", raising=False)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` raises ImportError, as when not installed
    with pytest.raises(ConfigurationError, match=r"pip install \.\[postgres\]") as exc:
        Store()
    assert exc.value.exit_code == 5 and "psycopg" in str(exc.value)
    with pytest.raises(ConfigurationError):
        Store("postgresql+psycopg://planner@127.0.0.1:1/zoneplan")
    assert main(["scenario", "list", "--json"]) == 5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install .[postgres]" in err[0] and "Traceback" not in err[0]
