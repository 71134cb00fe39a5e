"""Typed errors (geodata/errors.py): one base, four kinds, each with a sentence for people and a CLI exit code."""

from __future__ import annotations

import argparse
import importlib

import pytest

from geodata.datadir import DataError as DataErrorFromDatadir
from geodata.errors import AccessDenied, ConfigurationError, ConflictError, DataError, InputError, ZonePlanError

cli_main = importlib.import_module("zones.cli.main")  # the module (zones.cli re-exports the function ``main``)


@pytest.mark.parametrize("cls", [InputError, ConflictError, AccessDenied, ConfigurationError])
def test_every_kind_is_caught_by_the_old_base(cls):
    with pytest.raises(DataError):
        raise cls("x")
    assert DataErrorFromDatadir is DataError is ZonePlanError
    assert not issubclass(cls, PermissionError)  # AccessDenied does not pose as the OS file error


def test_sentence_is_the_message_or_the_kinds_default():
    assert ConflictError("The draft changed since you opened it.").sentence == "The draft changed since you opened it."
    assert AccessDenied().sentence == "You are not allowed to do this."
    assert isinstance(InputError("bad"), ValueError)


def _parser_raising(exc: Exception):
    parser = argparse.ArgumentParser(prog="zoneplan")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("boom")

    def func(args):
        raise exc

    p.set_defaults(func=func)
    return parser


@pytest.mark.parametrize(
    "exc,code",
    [
        (DataError("data file not found: x.csv"), 2),
        (InputError("bad row 3"), 2),
        (ConflictError("changed elsewhere"), 3),
        (AccessDenied("viewers cannot"), 4),
        (ConfigurationError("ZONEPLAN_DB_URL is not a database URL"), 5),
    ],
)
def test_cli_maps_each_kind_to_its_exit_code_and_one_line(monkeypatch, capsys, exc, code):
    monkeypatch.setattr(cli_main, "build_parser", lambda: _parser_raising(exc))
    assert cli_main.main(["boom"]) == code
    out, err = capsys.readouterr()
    assert out == "" and err == f"zoneplan boom: error: {exc}\n"


def test_cli_lets_other_exceptions_through(monkeypatch):
    monkeypatch.setattr(cli_main, "build_parser", lambda: _parser_raising(KeyError("bug")))
    with pytest.raises(KeyError):
        cli_main.main(["boom"])


def test_the_cli_module_runs_as_a_script_too():
    """``python -m zones.cli.main`` (as bench/walkthrough.py calls it) found its subcommands relative to
    ``__main__`` and failed on every command; it lists them as ``zoneplan`` does."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-m", "zones.cli.main", "--help"], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-500:]
    assert "council" in out.stdout and "impact" in out.stdout
