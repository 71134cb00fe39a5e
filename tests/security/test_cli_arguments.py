"""Issue 18 §8: every `zoneplan` argument error ends as exit 2 and one line on stderr, never a traceback.

A sweep over each subcommand with missing, unknown, malformed and out-of-range arguments (all refused before any
council data is loaded). ``main`` runs in-process; the suite sets ``ZONEPLAN_RAISE=1``, so an unexpected
exception fails the test instead of being turned into a sentence."""

from __future__ import annotations

import pytest

from zones.cli.main import build_parser, main

BIG = "9" * 30
BAD = [
    [],
    ["nope"],
    ["--bogus"],
    # scenario
    ["scenario"],
    ["scenario", "nope"],
    ["scenario", "compare", "1", "1:1"],
    ["scenario", "compare", "1:1"],
    ["scenario", "compare", "1:1:1", "1:1"],
    ["scenario", "compare", "a:b", "1:1"],
    ["scenario", "compare", ":", "1:1"],
    ["scenario", "compare", f"1:{BIG}", "1:1"],
    ["scenario", "compare", "0:1", "1:1"],
    ["scenario", "compare", "1:-1", "1:1"],
    ["scenario", "compare", "１:1", "1:1"],
    ["scenario", "show"],
    ["scenario", "show", "x"],
    ["scenario", "show", BIG],
    ["scenario", "show", "-1"],
    ["scenario", "show", "0"],
    ["scenario", "show", "1_000"],
    ["scenario", "show", "١٢"],
    ["scenario", "show", "1", "--version", "1e3"],
    ["scenario", "show", "1", "--version", BIG],
    ["scenario", "versions", "1.5"],
    ["scenario", "audit", "nan"],
    ["scenario", "publish", "1"],
    ["scenario", "publish", "1", "--version", "0"],
    ["scenario", "export", "1"],
    ["scenario", "export", "1", "--out", "x.txt"],
    ["scenario", "save", "leicestershire"],
    ["scenario", "save", "leicestershire", "X", "--parent", "abc"],
    ["scenario", "save", "leicestershire", "X", "--parent", "-5"],
    ["scenario", "import", "leicestershire", "X"],
    ["scenario", "import", "leicestershire", "X", "f.gpkg", "--parent", BIG],
    ["scenario", "show", "5"],
    ["scenario", "compare", "1:1", "2:1"],  # well-formed, but nothing of that id
    ["scenario", "list", "--council", "../../etc"],
    # the other subcommands
    ["classify"],
    ["classify", "nowhere-council"],
    ["calibrate"],
    ["units"],
    ["units", "leicestershire", "--bogus"],
    ["units", "nowhere-council"],
    ["impact"],
    ["impact", "leicestershire"],
    ["impact", "leicestershire", "--moves", "m.csv", "--weeks-per-year", "0"],
    ["impact", "leicestershire", "--moves", "m.csv", "--term-years", BIG],
    ["payfloor", "leicestershire"],
    ["payfloor", "leicestershire", "--from", "abc", "--to", "11"],
    ["payfloor", "leicestershire", "--from", "9.5", "--to", "11", "--weeks", "54"],
    ["report"],
    ["report", "leicestershire"],
    ["report", "leicestershire", "--out", "r.pdf", "--scenario", "x"],
    ["report", "leicestershire", "--out", "r.pdf", "--scenario", BIG],
    ["suggest", "leicestershire"],
    ["suggest", "leicestershire", "--zones", "x"],
    ["suggest", "leicestershire", "--zones", "0"],
    ["suggest", "leicestershire", "--zones", "3", "--balance-pct", "nan"],
    ["suggest", "leicestershire", "--zones", "3", "--balance-pct", "inf"],
    ["suggest", "leicestershire", "--zones", "3", "--seed", BIG],
    ["suggest", "leicestershire", "--zones", "3", "--restarts", "0"],
    ["suggest", "leicestershire", "--zones", "3", "--mode", "fly"],
    ["travel"],
    ["travel", "od", "a", "b"],
    ["roads"],
    ["roads", "leicestershire", "--buffer-km", "nan"],
    ["roads", "leicestershire", "--buffer-km", "-1"],
    ["users"],
    ["users", "set", "x"],
    ["users", "set", "x", "--role", "superuser"],
    ["users", "list"],
    ["council"],
    ["council", "new"],
    ["council", "bogus"],
    ["council", "new", "E99999999"],
    ["council", "new", "Derbyshire", "--hours-per-week", "1_000"],
    ["council", "new", "Derbyshire", "--units", "parish"],
    ["council", "list", "--bogus"],
]


@pytest.fixture(autouse=True)
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("ZONEPLAN_STORE", str(tmp_path / "s.sqlite"))
    for k in ("ZONEPLAN_DB_URL", "ZONEPLAN_USERS", "ZONEPLAN_USER", "ZONEPLAN_PASSWORD"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("argv", BAD, ids=lambda a: " ".join(a)[:60] or "(none)")
def test_a_bad_argument_is_exit_2_and_one_line(argv, capsys):
    """Before: `zoneplan scenario compare 1 1:1` ended in a ValueError traceback, an id over 2^63 in an
    OverflowError from the database driver, and argparse errors took two lines (usage + error)."""
    rc = main(argv)
    out, err = capsys.readouterr()
    assert rc == 2, (rc, err)
    assert len(err.strip().splitlines()) == 1 and err.startswith("zoneplan") and "error:" in err, err
    assert "Traceback" not in err and not out


def test_every_subcommand_is_swept():
    """A new subcommand (or scenario action) must add its bad arguments to the sweep above."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    swept = {a[0] for a in BAD if a}
    assert set(sub.choices) <= swept, set(sub.choices) - swept
    actions = next(a for a in sub.choices["scenario"]._actions if a.dest == "action").choices
    swept_actions = {a[1] for a in BAD if len(a) > 1 and a[0] == "scenario"}
    assert set(actions) <= swept_actions, set(actions) - swept_actions


def test_help_is_exit_0(capsys):
    assert main(["scenario", "compare", "--help"]) == 0 and "SCENARIO:VERSION" in capsys.readouterr().out
