"""`zoneplan` console command. ``zones.cli.main`` is the entry point; one module per subcommand
lives beside it and defines ``register(subparsers)``."""

from .main import build_parser, main, print_json

__all__ = ["build_parser", "main", "print_json"]
