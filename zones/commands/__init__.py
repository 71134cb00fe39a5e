"""One module per `zoneplan` subcommand; each defines ``register(subparsers)``."""
