"""`zoneplan` console command: the same engine for scripts and finance teams' batch work.

Subcommands live one per module in ``zones/cli/`` and each defines ``register(subparsers)``;
the parser sets ``func(args) -> int``. Subcommand names and the JSON they print are the product's public
interface: keep them stable.
"""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys

import zones.cli as commands
from geodata.errors import DataError

_NOT_COMMANDS = {"main", "__main__"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zoneplan", description="Zone & Rate Planner for home-care commissioning")
    sub = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name in _NOT_COMMANDS:
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except DataError as exc:
        return _fail(args.command, exc)


def _fail(command: str, exc: DataError) -> int:
    """Print the error's sentence on stderr and return its kind's exit status: 2 input (also a bare DataError),
    3 conflict, 4 permission (``AccessDenied``), 5 configuration (geodata/errors.py; README "Command line")."""
    print(f"zoneplan {command}: error: {exc.sentence}", file=sys.stderr)
    return int(exc.exit_code)


if __name__ == "__main__":
    sys.exit(main())
