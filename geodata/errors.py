"""The planner's errors: one base, four kinds, each carrying one sentence for people.

It sits in ``geodata`` (the lowest layer) so that every layer can raise and catch it without an import upwards.

- ``DataError`` is the base (its old name is kept: every ``except DataError`` still catches every kind below);
  ``ZonePlanError`` is the same class under a name that says so. Raised as is, it means bad or missing input.
- ``InputError``: the request or a file cannot be used as given (also a ``ValueError``, so older
  ``except ValueError`` callers keep working).
- ``ConflictError``: the request clashes with the current state (a stale draft, a name already taken, ...).
- ``AccessDenied``: the person is not allowed to do this (named so as not to shadow the built-in
  ``PermissionError``, which is about files).
- ``ConfigurationError``: the planner is set up wrongly for this (environment variable, pack, missing extra).

The message (``str(exc)``) is the sentence shown to people: it says what is wrong and, where it can, what to do,
and never echoes file content. Pages show it as one sentence; the ``zoneplan`` CLI prints it on stderr and exits
with the kind's ``exit_code`` (see README "Command line").
"""

from __future__ import annotations


class DataError(Exception):
    """Base of the planner's errors; raised as is: bad or missing input (the message names the file, row and code
    at fault). ``exit_code`` is the ``zoneplan`` exit status for this kind."""

    exit_code = 2
    kind = "input"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)

    @property
    def sentence(self) -> str:
        """The sentence for people: the message, or the kind's default when the message is empty."""
        return str(self) or _DEFAULT_SENTENCE[self.kind]


ZonePlanError = DataError


class InputError(DataError, ValueError):
    """The request or an input file cannot be used as given."""

    exit_code = 2
    kind = "input"


class ConflictError(DataError):
    """The request clashes with the current state (changed elsewhere, already exists, ...)."""

    exit_code = 3
    kind = "conflict"


class AccessDenied(DataError):
    """The signed-in person (or nobody, when no one is signed in) may not do this."""

    exit_code = 4
    kind = "permission"


class ConfigurationError(DataError):
    """The planner is set up wrongly for this request (environment, pack, missing optional dependency)."""

    exit_code = 5
    kind = "configuration"


_DEFAULT_SENTENCE = {
    "input": "The input cannot be used as given.",
    "conflict": "This clashes with a change made elsewhere; reload and try again.",
    "permission": "You are not allowed to do this.",
    "configuration": "The planner is not set up for this; ask whoever runs it.",
}

__all__ = ["AccessDenied", "ConfigurationError", "ConflictError", "DataError", "InputError", "ZonePlanError"]
