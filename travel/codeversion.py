"""Version of the code behind the travel caches: a SHA-256 over the source bytes of the modules that compute them.

Every cache key under ``$ZONEPLAN_CACHE/travel`` (and the suggest travel-cost cache) includes ``code_version()``,
so a cache built by older code is never read back by newer code: editing any ``travel/*.py`` file (or the
other modules named by the caller, e.g. ``geodata/zoning.py`` for the hubs) gives a new key and a rebuild. The
versions of the numerical libraries (numpy, scipy, networkx, osmnx, pandas, shapely) are part of it too.

No hand-bumped constant to forget: the hash is computed once per process (the code loaded in a process does
not change while it runs) from the files on disk. The prepared-graph cache (``travel.graph.load_arrays``) hashes
only ``travel/graph.py``, which alone builds it (re-reading a county file is the slowest step).
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the repository (or installed) root holding travel/, geodata/, zones/
TRAVEL_DIR = Path(__file__).resolve().parent
LIBRARIES = ("numpy", "scipy", "networkx", "osmnx", "pandas", "geopandas", "shapely")


def source_files(extra: tuple[str, ...] = (), all_travel: bool = True) -> list[Path]:
    """The files hashed: every ``travel/*.py`` (unless ``all_travel`` is false) plus ``extra`` (paths relative
    to the repository root)."""
    own = sorted(TRAVEL_DIR.glob("*.py")) if all_travel else []
    return own + [ROOT / e for e in sorted(set(extra)) if ROOT / e not in own]


def _file_bytes(path: Path) -> bytes:
    return path.read_bytes()


def _library_versions() -> str:
    out = []
    for name in LIBRARIES:
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}=-")
    return ";".join(out)


@cache
def code_version(*extra: str, all_travel: bool = True) -> str:
    """16 hex digits: SHA-256 over the names and bytes of ``source_files(extra, all_travel)`` and the library
    versions.

    ``extra``: further source files (relative to the repository root, e.g. ``"geodata/zoning.py"``) whose code
    also shapes the cached result; ``all_travel=False`` hashes only ``extra`` (e.g. the prepared-graph cache,
    which only ``travel/graph.py`` builds). Computed once per process and arguments."""
    h = hashlib.sha256(_library_versions().encode())
    for p in source_files(tuple(extra), all_travel):
        rel = p.relative_to(ROOT).as_posix() if p.is_relative_to(ROOT) else p.name
        h.update(rel.encode() + b"\0")
        h.update(_file_bytes(p) if p.exists() else b"<missing>")
        h.update(b"\0")
    return h.hexdigest()[:16]
