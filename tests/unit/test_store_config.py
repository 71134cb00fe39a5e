"""Where the scenario store lives (issue 19 §7): ``ZONEPLAN_STORE`` may name a file or a folder; a file in a folder
that does not exist is one clear sentence, not a silent autosave failure."""
from __future__ import annotations

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
