"""Where raw data is read from and where caches are written.

- ``ZONEPLAN_DATA``: the read-only data directory (default ``../shared/data`` relative to the repo root).
- ``ZONEPLAN_CACHE``: the cache directory (default ``.cache/`` in the repo root, git-ignored).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from geodata.errors import DataError  # re-exported: the base of the planner's errors (geodata/errors.py)

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_ENV = "ZONEPLAN_DATA"
CACHE_ENV = "ZONEPLAN_CACHE"

ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right; Office for National Statistics (OGL v3); "
    "© OpenStreetMap contributors (ODbL)"
)


def data_dir() -> Path:
    """The raw data directory: ``$ZONEPLAN_DATA`` or ``../shared/data`` beside the repo."""
    raw = os.environ.get(DATA_ENV)
    path = Path(raw).expanduser() if raw else (REPO_ROOT.parent / "shared" / "data")
    if not path.is_dir():
        raise DataError(
            f"data directory not found: {path} — set {DATA_ENV} to the folder holding "
            "boundaries/, lookups/, places/, population/ and osm/"
        )
    return path.resolve()


def data_path(relative: str | os.PathLike, required: bool = True) -> Path:
    """Path of a file inside the data directory; a missing required file raises DataError naming it."""
    path = data_dir() / relative
    if required and not path.exists():
        raise DataError(
            f"data file not found: {path} (relative path '{relative}' in {DATA_ENV}={data_dir()}); "
            f"supply the file or set {DATA_ENV} to a data directory that has it"
        )
    return path


def cache_dir(*parts: str) -> Path:
    """A cache folder under ``$ZONEPLAN_CACHE`` (default ``<repo>/.cache``), created if needed."""
    raw = os.environ.get(CACHE_ENV)
    base = Path(raw).expanduser() if raw else REPO_ROOT / ".cache"
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_digest(paths: list[Path], extra: str = "") -> str:
    """A short SHA-256 over the size, mtime-independent content of the given files plus an extra string.

    Used as cache key: a changed input file gives a new key and so a rebuild.
    """
    h = hashlib.sha256(extra.encode())
    for p in sorted(paths, key=str):
        h.update(str(p.name).encode())
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:16]
