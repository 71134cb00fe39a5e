"""Council area packs: one declarative TOML file per council.

Packs are found in two places: the packs shipped with the code (``geodata/packs/*.toml``) and the local packs
directory (``$ZONEPLAN_PACKS``, default a ``packs/`` folder beside the cache directory, i.e. ``<repo>/packs`` with
the default ``.cache``), where ``zoneplan council new`` writes generated packs. A shipped id wins a clash.

A pack names the council's local authority districts, its boundary layers (paths relative to the data
directory, ``{lad}`` expanded per district; a path starting with ``./`` is relative to the pack file's folder,
for files derived when the pack was generated), unit type, band names (least remote first, 2 to ``MAX_BANDS``;
every layer takes the bands and their order from here), weekly hours total, rates and seed zones.
Adding a council is a new pack file plus data, not new code.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

from ..datadir import CACHE_ENV, REPO_ROOT, DataError, data_path

PACK_DIR = Path(__file__).resolve().parent
PACKS_ENV = "ZONEPLAN_PACKS"
DEFAULT_COUNCIL = "leicestershire"
UNIT_TYPES = {"ward", "parish+ward_remainder", "polygons"}  # polygons: units = one layer's rows ([units])
ZONE_METHODS = {"nearest_town", "ward_list", "field", "none"}  # field: zone = a unit column ([zones] field)
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")
MAX_BANDS = 9  # price bands a pack may name (councils use 3-5)
_BAND_NAME = re.compile(r"[a-z][a-z0-9_]{0,29}")


def check_band_names(bands, where: str = "bands") -> tuple[str, ...]:
    """A pack's price bands, least remote first, as a tuple: 2 … MAX_BANDS distinct names, each a lower-case
    letter then up to 29 lower-case letters, digits or ``_`` (a band name is part of threshold names such as
    ``rural_town_min``, of TOML keys and of file columns). Else DataError."""
    if isinstance(bands, str) or not isinstance(bands, (list, tuple)):
        raise DataError(f"{where}: a list of band names, least remote first")
    names = tuple(bands)
    if not 2 <= len(names) <= MAX_BANDS:
        raise DataError(f"{where}: {len(names)} band(s); a pack names 2 to {MAX_BANDS} bands")
    bad = [b for b in names if not isinstance(b, str) or not _BAND_NAME.fullmatch(b)]
    if bad:
        raise DataError(
            f"{where}: a band name is a lower-case letter then up to 29 lower-case letters, digits "
            f"or '_' ({len(bad)} name(s) are not)"
        )
    if len(set(names)) != len(names):
        raise DataError(f"{where}: band names repeat")
    return names


def packs_dir(create: bool = False) -> Path:
    """The local packs directory: ``$ZONEPLAN_PACKS``, else ``packs/`` beside the cache directory
    (``$ZONEPLAN_CACHE/../packs``; ``<repo>/packs`` by default). Created when ``create``."""
    raw = os.environ.get(PACKS_ENV)
    if raw:
        path = Path(raw).expanduser()
    else:
        cache = os.environ.get(CACHE_ENV)
        path = (Path(cache).expanduser().parent if cache else REPO_ROOT) / "packs"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def local_packs(valid_only: bool = True) -> list[str]:
    """Ids of the packs in the local packs directory (``packs_dir``), shipped ids excluded; with ``valid_only``
    (the default) only packs that load (a broken file never reaches the app's picker; `zoneplan council list`
    shows it with its error)."""
    d = packs_dir()
    if not d.is_dir():
        return []
    shipped = {p.stem for p in PACK_DIR.glob("*.toml")}
    ids = sorted(p.stem for p in d.glob("*.toml") if p.stem not in shipped and set(p.stem) <= _ID_CHARS)
    if not valid_only:
        return ids
    ok = []
    for pid in ids:
        try:
            pack = load_pack(d / f"{pid}.toml")
        except DataError:
            continue
        if pack.id == pid:  # the file name is the id the app and the store use
            ok.append(pid)
    return ok


def pack_file(council: str) -> Path | None:
    """The TOML file of a pack id (shipped first, then local), or None."""
    cid = str(council).lower()
    if not cid or not set(cid) <= _ID_CHARS:
        return None
    for folder in (PACK_DIR, packs_dir()):
        path = folder / f"{cid}.toml"
        if path.is_file():
            return path
    return None


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

    @property
    def rate_limits_source(self) -> str:
        """Where the council's own papers set floors, ceilings and the sessional rate (``[council]
        rate_limits_source``, e.g. "report paras 61, 73–76"); "" when the pack cites none."""
        return str(self.raw.get("council", {}).get("rate_limits_source", ""))

    @property
    def drive_example(self) -> str:
        """Example places for the "drive from this unit to" box, the council's own (``[council] drive_example``,
        e.g. "Atherstone or LE11 3TU"); "" when the pack gives none."""
        return str(self.raw.get("council", {}).get("drive_example", ""))

    def layer_paths(self, key: str, required: bool = True) -> list[Path]:
        """Data-directory paths of a layer, one per district if the pattern has ``{lad}``."""
        pattern = self.layers.get(key)
        if pattern is None:
            if required:
                raise DataError(f"pack {self.path}: [layers] has no '{key}' entry")
            return []
        rels = [pattern.format(lad=lad) for lad in self.lad_codes] if "{lad}" in pattern else [pattern]
        return [self._resolve(r, required) for r in rels]

    def _resolve(self, rel: str, required: bool) -> Path:
        """A layer path: ``./x`` inside the pack file's folder (derived files of a generated pack), else in the
        data directory. ``..`` may not leave the pack's folder."""
        if not rel.startswith("./"):
            return data_path(rel, required=required)
        if ".." in Path(rel).parts:
            raise DataError(f"pack {self.path}: layer path '{rel}' may not contain '..'")
        path = self.path.parent / rel[2:]
        if required and not path.exists():
            raise DataError(
                f"pack {self.path}: derived file not found: {path}; rebuild the pack with `zoneplan council new`"
            )
        return path

    @overload
    def layer_path(self, key: str, required: Literal[True] = True) -> Path: ...

    @overload
    def layer_path(self, key: str, required: bool) -> Path | None: ...

    def layer_path(self, key: str, required: bool = True) -> Path | None:
        """The data-directory path of a one-file layer (the first district's for a ``{lad}`` pattern); None only
        when ``required`` is False and the pack has no such layer. A required layer that is missing raises
        DataError."""
        paths = self.layer_paths(key, required=required)
        return paths[0] if paths else None

    @property
    def zone_names(self) -> list[str]:
        return [z["name"] for z in self.zones.get("zone", [])]

    @property
    def rates(self) -> dict[str, dict[str, str]]:
        """Rate card by year: ``{"2025/26": {"urban": "25.27", ...}}`` (strings, for exact Decimal use)."""
        return self.raw.get("rates", {})


def shipped_packs() -> list[str]:
    """Ids of the packs shipped in ``geodata/packs``."""
    return sorted(p.stem for p in PACK_DIR.glob("*.toml"))


def available_packs() -> list[str]:
    """Ids of every pack: shipped ones, then the local packs directory's (``packs_dir``)."""
    return shipped_packs() + local_packs()


def council_arg(value) -> str:
    """A council argument of the CLI: a pack id (normalised as ``geodata.limits.norm_council``) or the path of a
    pack TOML file. A path to a pack that the packs directories hold by its id gives that id (so scenarios are
    stored under the id); any other pack file gives its resolved path, which ``load_pack`` accepts."""
    from ..limits import excerpt, norm_council

    s = str(value if value is not None else "").strip()
    if not (s.endswith(".toml") or "/" in s or os.sep in s):
        return norm_council(s)
    path = Path(s).expanduser()
    if not path.is_file():
        raise DataError(f"pack file not found: {excerpt(s, 200)}")
    pack = load_pack(path)
    known = pack_file(pack.id)
    if known is not None and known.resolve() == path.resolve():
        return pack.id
    return str(path.resolve())


def load_pack(council: str | Path) -> Pack:
    """Load and check a pack by council id (``leicestershire``, shipped or local) or path to a TOML file."""
    path = Path(council)
    if not path.suffix:
        path = pack_file(str(council)) or PACK_DIR / f"{str(council).lower()}.toml"
    if not path.exists():
        raise DataError(f"unknown council '{council}': no pack file {path}; available: {', '.join(available_packs())}")
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
        bands=check_band_names(c["bands"], f"pack {path}: [council] bands"),
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


VINTAGE_KEYS = ("boundaries", "population", "deprivation")


def pack_vintage(pack: Pack) -> dict[str, str]:
    """The data vintage of a pack for people (app, evidence card, reports): boundaries, population,
    deprivation. From the pack's ``[vintage]`` section; packs without one (the seed packs) get it from the
    layers they name."""
    v = {k: str(pack.raw.get("vintage", {}).get(k, "")) for k in VINTAGE_KEYS}
    layers = " ".join(str(x) for x in pack.layers.values())
    if not v["boundaries"]:
        parts = []
        if "ons-2011-2013" in layers:
            parts.append("ONS 2011 LSOAs/output areas and 2013 wards")
        if "parish" in layers:
            parts.append("civil parishes (OS Open Names / OpenStreetMap, c. 2018-2022)")
        v["boundaries"] = "; ".join(parts) or "as named in the pack's [layers]"
    if not v["population"]:
        v["population"] = (
            "ONS mid-2020 population estimates by age (LSOA 2011)" if "population" in pack.layers else "not stated"
        )
    if not v["deprivation"]:
        # the equality and continuity figures (issue 23) use them for every council, seed packs included
        v["deprivation"] = (
            "English Indices of Deprivation 2025 (LSOA 2021) and 2019 (IDAOPI, LSOA 2011), in the equality figures"
        )
    return v


def vintage_text(pack: Pack) -> str:
    """One line: "Data vintage: boundaries …; population …; deprivation …"."""
    v = pack_vintage(pack)
    return "Data vintage: " + "; ".join(f"{k} {v[k]}" for k in VINTAGE_KEYS)
