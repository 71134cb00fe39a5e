"""Module-level functions the cage tests run in a caged child (a child imports them by name)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def spin() -> None:
    """Burn CPU for ever (stopped by RLIMIT_CPU)."""
    x = 0
    while True:
        x += 1


def allocate(n_bytes: int) -> int:
    """Ask for ``n_bytes`` at once (refused by RLIMIT_AS)."""
    return len(bytearray(n_bytes))


def write_then_sleep(seconds: float) -> None:
    """Leave a temporary file behind, then hang (stopped by the wall clock): the cage must remove the file."""
    Path(tempfile.gettempdir(), "left-behind.bin").write_bytes(b"x" * 1000)
    tempfile.mkdtemp(prefix="zoneplan-import-")
    time.sleep(seconds)


def echo(value):
    return value


def make_frame():
    """A result that is not plain values (a DataFrame): refused by the parent's unpickler."""
    import pandas as pd

    return pd.DataFrame({"a": [1]})
