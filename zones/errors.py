"""The planner's errors for code under ``zones``: the same classes as ``geodata.errors`` (defined there, in the
lowest layer, so that geodata and travel can raise them too)."""

from __future__ import annotations

from geodata.errors import AccessDenied, ConfigurationError, ConflictError, DataError, InputError, ZonePlanError

__all__ = ["AccessDenied", "ConfigurationError", "ConflictError", "DataError", "InputError", "ZonePlanError"]
