"""Council area packs: one declarative TOML file per council in ``geodata/packs/``.

A pack names the council's local authority districts, its boundary layers (paths relative to the data
directory, ``{lad}`` expanded per district), unit type, band names, weekly hours total, rates and seed zones.
Adding a council is a new pack file plus data, not new code.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..datadir import DataError, data_path

PACK_DIR = Path(__file__).resolve().parent
DEFAULT_COUNCIL = "leicestershire"
UNIT_TYPES = {"ward", "parish+ward_remainder", "polygons"}  # polygons: units = one layer's rows ([units])
ZONE_METHODS = {"nearest_town", "ward_list", "none"}


@dataclass(frozen=True)
class Pack:
    """A parsed, checked council pack. ``raw`` keeps the whole TOML for sections later modules own."""

    id: str
    name: str
    authority: str
    lad_codes: tuple[str, ...]
    unit_type: str
    bands: tuple[str, ...]
    zone_label: str
    weekly_hours_total: float
    weekly_hours_source: str
    sliver_max_m2: float
    layers: dict[str, str]
    zones: dict[str, Any]
    demand: dict[str, Any]
    path: Path
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def zones_label(self) -> str:
        """The plural of ``zone_label`` for people: zones, clusters, lots, localities."""
        w = self.zone_label
        return w[:-1] + "ies" if w.endswith("y") and w[-2:-1] not in "aeiou" else w + "s"

    def layer_paths(self, key: str, required: bool = True) -> list[Path]:
        """Data-directory paths of a layer, one per district if the pattern has ``{lad}``."""
        pattern = self.layers.get(key)
        if pattern is None:
            if required:
                raise DataError(f"pack {self.path}: [layers] has no '{key}' entry")
            return []
        rels = [pattern.format(lad=lad) for lad in self.lad_codes] if "{lad}" in pattern else [pattern]
        return [data_path(r, required=required) for r in rels]

    def layer_path(self, key: str, required: bool = True) -> Path | None:
        paths = self.layer_paths(key, required=required)
        return paths[0] if paths else None

    @property
    def zone_names(self) -> list[str]:
        return [z["name"] for z in self.zones.get("zone", [])]

    @property
    def rates(self) -> dict[str, dict[str, str]]:
        """Rate card by year: ``{"2025/26": {"urban": "25.27", ...}}`` (strings, for exact Decimal use)."""
        return self.raw.get("rates", {})


def available_packs() -> list[str]:
    """Ids of the packs shipped in ``geodata/packs``."""
    return sorted(p.stem for p in PACK_DIR.glob("*.toml"))


def load_pack(council: str | Path) -> Pack:
    """Load and check a pack by council id (``leicestershire``) or path to a TOML file."""
    path = Path(council)
    if not path.suffix:
        path = PACK_DIR / f"{str(council).lower()}.toml"
    if not path.exists():
        raise DataError(
            f"unknown council '{council}': no pack file {path}; available: {', '.join(available_packs())}"
        )
    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"pack {path}: not valid TOML: {exc}") from exc
    c = raw.get("council", {})
    missing = [k for k in ("id", "name", "lad_codes", "unit_type", "bands", "weekly_hours_total") if k not in c]
    if missing:
        raise DataError(f"pack {path}: [council] lacks {', '.join(missing)}")
    if c["unit_type"] not in UNIT_TYPES:
        raise DataError(f"pack {path}: unit_type '{c['unit_type']}' is not one of {sorted(UNIT_TYPES)}")
    zones = raw.get("zones", {"method": "none"})
    if zones.get("method", "none") not in ZONE_METHODS:
        raise DataError(f"pack {path}: zones.method '{zones.get('method')}' is not one of {sorted(ZONE_METHODS)}")
    if "wards" not in raw.get("layers", {}):
        raise DataError(f"pack {path}: [layers] must name 'wards'")
    return Pack(
        id=c["id"],
        name=c["name"],
        authority=c.get("authority", c["name"]),
        lad_codes=tuple(c["lad_codes"]),
        unit_type=c["unit_type"],
        bands=tuple(c["bands"]),
        zone_label=c.get("zone_label", "zone"),
        weekly_hours_total=float(c["weekly_hours_total"]),
        weekly_hours_source=c.get("weekly_hours_source", ""),
        sliver_max_m2=float(c.get("sliver_max_m2", 50_000)),
        layers=dict(raw["layers"]),
        zones=zones,
        demand=raw.get("demand", {}),
        path=path,
        raw=raw,
    )
