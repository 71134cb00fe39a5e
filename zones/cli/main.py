"""`zoneplan` console command: the same engine for scripts and finance teams' batch work.

Subcommands live one per module in ``zones/cli/`` and each defines ``register(subparsers)``;
the parser sets ``func(args) -> int``. Subcommand names and the JSON they print are the product's public
interface: keep them stable.

Errors (issue 18 §8): a bad argument (missing, unknown, not a number in range: see the argument types
``int_arg``, ``float_arg``, ``scenario_version_arg`` below) and a ``DataError`` end as one line on stderr and
exit 2; anything else as one line naming the error's type and exit 1 — never a traceback (``ZONEPLAN_RAISE=1``,
set by the test suite, re-raises instead).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import pkgutil
import re
import sys
from pathlib import Path

from geodata.errors import DataError
from geodata.limits import excerpt

_NOT_COMMANDS = {"main", "__main__"}
_PACKAGE = __package__ or "zones.cli"  # one module per subcommand beside this one (also under -m zones.cli.main)
MAX_ID = 2**31 - 1  # scenario ids and version numbers: what both SQLite and PostgreSQL integers hold
_INT = re.compile(r"^[+-]?[0-9]{1,12}$")  # ASCII digits only: no '1_000', '١٢' or '１２' (int() takes them)
_FLOAT = re.compile(r"^[+-]?[0-9]{1,12}(\.[0-9]{1,12})?$")
_SV = re.compile(r"^([0-9]{1,10}):([0-9]{1,10})$")
log = logging.getLogger("zoneplan.cli")


def one_line(text: str, limit: int = 500) -> str:
    """A message as one line (newlines and runs of blanks become one space), at most ``limit`` characters."""
    return excerpt(" ".join(str(text).split()), limit)


class Parser(argparse.ArgumentParser):
    """argparse, with an argument error as one line (``zoneplan scenario compare: error: …``) and exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def int_arg(lo: int, hi: int):
    """An argparse type: a whole number in ASCII digits from ``lo`` to ``hi``."""

    def parse(text: str) -> int:
        t = str(text).strip()
        if not _INT.match(t) or not lo <= int(t) <= hi:
            raise argparse.ArgumentTypeError(f"'{excerpt(text, 30)}' is not a whole number from {lo:,} to {hi:,}")
        return int(t)

    return parse


def float_arg(lo: float, hi: float):
    """An argparse type: a decimal number (ASCII digits, one point) from ``lo`` to ``hi``."""

    def parse(text: str) -> float:
        t = str(text).strip()
        if not _FLOAT.match(t) or not lo <= float(t) <= hi:
            raise argparse.ArgumentTypeError(f"'{excerpt(text, 30)}' is not a number from {lo:g} to {hi:g}")
        return float(t)

    return parse


def weeks_arg(text: str):
    """An argparse type: weeks a year, 1 … 53 with up to 2 decimal places (``52``, ``52.14``; ASCII digits)."""
    from geodata.limits import weeks_per_year

    try:
        return weeks_per_year(text, "weeks a year")
    except DataError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (a number from 1 to 53, at most 2 decimal places)") from None


ID_ARG = int_arg(1, MAX_ID)


def scenario_version_arg(text: str) -> str:
    """An argparse type: ``SCENARIO:VERSION`` (two whole numbers from 1), returned as written without blanks."""
    m = _SV.match(str(text).strip())
    if not m or not all(1 <= int(g) <= MAX_ID for g in m.groups()):
        raise argparse.ArgumentTypeError(f"'{excerpt(text, 30)}' is not SCENARIO:VERSION (for example 3:2)")
    return f"{int(m.group(1))}:{int(m.group(2))}"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="zoneplan", description="Zone & Rate Planner for home-care commissioning")
    sub = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name in _NOT_COMMANDS:
            continue
        module = importlib.import_module(f"{_PACKAGE}.{info.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def print_json(obj) -> None:
    """Print exactly one JSON object on stdout (Decimals as strings, numpy scalars as numbers)."""
    print(json.dumps(obj, default=_json_default, ensure_ascii=False, allow_nan=False))


def _json_default(o):
    import decimal

    import numpy as np

    if isinstance(o, decimal.Decimal):
        return str(o)
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def cli_user(store=None):
    """The CLI's user: the local admin without a users file; with ``ZONEPLAN_USERS`` set, ``ZONEPLAN_USER`` and
    ``ZONEPLAN_PASSWORD`` must name a user of the file (same roles as the app). Failed sign-ins are written to
    the store's audit log and throttled by the back-off counter kept in the store (``store``: the scenario
    store, default ``Store()``), so the limit holds across CLI runs and app processes alike."""
    from zones.service.auth import LOCAL, USERS_ENV, authenticate, logins_required
    from zones.service.store import Store

    if not logins_required():
        return LOCAL
    name, pw = os.environ.get("ZONEPLAN_USER", ""), os.environ.get("ZONEPLAN_PASSWORD", "")
    if not name:
        raise DataError(f"{USERS_ENV} is set: sign in with ZONEPLAN_USER and ZONEPLAN_PASSWORD")
    if store is None:
        store = Store()
    u = authenticate(name, pw, guard=store.login_guard(), on_failure=store.record_login_failure)
    if u is None:
        raise DataError("unknown user or wrong password")
    return u


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; the exit status (0 done, 2 bad arguments or refused input, 1 unexpected problem)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # an argument error (one line, see Parser.error) or --help
        return exc.code if isinstance(exc.code, int) else 0
    try:
        return int(args.func(args) or 0)
    except DataError as exc:
        return _fail(args.command, exc)
    except KeyboardInterrupt:
        print(f"zoneplan {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - never a traceback on the terminal
        if os.environ.get("ZONEPLAN_RAISE") == "1":
            raise
        log.debug("zoneplan %s failed", args.command, exc_info=True)
        print(
            f"zoneplan {args.command}: error: unexpected problem ({type(exc).__name__}); nothing more was done. "
            "Run again with ZONEPLAN_RAISE=1 to see the details.",
            file=sys.stderr,
        )
        return 1


def _fail(command: str, exc: DataError) -> int:
    """Print the error's sentence on stderr (one line) and return its kind's exit status: 2 input (also a bare
    DataError), 3 conflict, 4 permission (``AccessDenied``), 5 configuration (geodata/errors.py; README)."""
    print(f"zoneplan {command}: error: {one_line(exc.sentence)}", file=sys.stderr)
    return int(exc.exit_code)


if __name__ == "__main__":
    sys.exit(main())
