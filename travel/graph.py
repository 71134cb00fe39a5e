"""Road graphs: load a local OSM source (OSMnx GraphML / GeoPackage, OSM XML) or download one with OSMnx,
add UK speeds and travel times, keep the largest strongly connected component, project to EPSG:27700,
and cache the prepared graph's array form.

Speeds: OSM ``maxspeed`` where tagged (UK values are in mph, e.g. "30 mph"; OSMnx converts them to km/h),
otherwise the UK default for the highway type below (``UK_DEFAULT_KPH``: national speed limits and typical
urban limits; a planning assumption, overridable in the pack's ``[travel] speeds_kph``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from geodata.datadir import DataError, cache_dir, data_path, file_digest

GRAPH_VERSION = "2"
BNG = "EPSG:27700"
MPH = 1.609344

# UK defaults in km/h where maxspeed is missing: national speed limits (70 mph motorways/dual carriageways,
# 60 mph single carriageways) and 30 mph built-up roads; residential 20-30 mph.
UK_DEFAULT_KPH = {
    "motorway": 70 * MPH,
    "motorway_link": 40 * MPH,
    "trunk": 60 * MPH,
    "trunk_link": 40 * MPH,
    "primary": 50 * MPH,
    "primary_link": 30 * MPH,
    "secondary": 40 * MPH,
    "secondary_link": 30 * MPH,
    "tertiary": 30 * MPH,
    "tertiary_link": 30 * MPH,
    "unclassified": 30 * MPH,
    "residential": 25 * MPH,
    "living_street": 10 * MPH,
    "service": 15 * MPH,
    "road": 30 * MPH,
}

Progress = Callable[[str, float], None]


def _noop(step: str, frac: float) -> None:
    pass


@dataclass
class RoadArrays:
    """A road graph in array form (EPSG:27700): node coordinates and CSR matrices of travel seconds and metres.

    ``time_s[i, j]`` / ``length_m[i, j]`` are the fastest edge from node i to node j (parallel edges reduced to
    the quickest). Node ``i`` has OSM id ``osmid[i]`` at ``x[i], y[i]`` metres."""

    osmid: np.ndarray
    x: np.ndarray
    y: np.ndarray
    time_s: sp.csr_matrix
    length_m: sp.csr_matrix
    source: str
    key: str
    build_s: float = 0.0
    cached: bool = False

    @property
    def n_nodes(self) -> int:
        return len(self.osmid)

    @property
    def n_edges(self) -> int:
        return int(self.time_s.nnz)


def drive_filter() -> str:
    """The Overpass way filter of the planner's drive network: OSMnx 2.x's ``network_type="drive"`` preset, written
    out here (OSMnx has no public function returning it) with OSMnx's public ``settings.default_access`` for the
    access clause. Both road sources use it: ``download`` passes it to OSMnx as ``custom_filter`` and ``read_pbf``
    applies it to a ``.osm.pbf`` extract, so both keep the same ways (tests/unit/test_travel.py checks it against
    the installed OSMnx preset)."""
    import osmnx as ox

    return f'["highway"]["area"!~"yes"]{ox.settings.default_access}{_DRIVE_EXCLUSIONS}'


# the drive preset of OSMnx 2.1 after its ["highway"]["area"!~"yes"] and access clauses
_DRIVE_EXCLUSIONS = (
    '["highway"!~"abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|escalator|footway|no|'
    'path|pedestrian|planned|platform|proposed|raceway|razed|rest_area|service|services|steps|track"]'
    '["motor_vehicle"!~"no"]["motorcar"!~"no"]'
    '["service"!~"alley|driveway|emergency_access|parking|parking_aisle|private"]'
)


def _drive_clauses() -> list[tuple[str, str, str]]:
    """``drive_filter()`` as (key, op, regex) clauses (op "" = key present, "~" = matches, "!~" = does not
    match), so that a ``.osm.pbf`` keeps exactly the ways an OSMnx download with that filter would."""
    import re

    return re.findall(r'\["([^"]+)"(?:(!?~)"([^"]*)")?\]', drive_filter())


def is_drive_way(tags, clauses) -> bool:
    """True when an OSM way's tags pass the OSMnx drive filter ``clauses`` (Overpass semantics: ``!~`` passes
    when the key is absent)."""
    import re

    for k, op, rx in clauses:
        v = tags.get(k)
        if not op:
            if v is None:
                return False
        elif op == "~":
            if v is None or not re.search(rx, v):
                return False
        elif v is not None and re.search(rx, v):
            return False
    return True


def read_pbf(path: Path) -> nx.MultiDiGraph:
    """An ``.osm.pbf`` extract as an OSMnx drive graph: pyosmium keeps the ways that pass OSMnx's own drive
    filter and writes them with the nodes they reference (``BackReferenceWriter``) to a temporary OSM XML
    file, which ``osmnx.graph_from_xml`` turns into the same graph shape as an OSMnx download (all components
    kept; ``prepare`` keeps the largest strongly connected one)."""
    import tempfile

    import osmium
    import osmnx as ox

    clauses = _drive_clauses()
    with tempfile.TemporaryDirectory(prefix="zoneplan-pbf-") as tmp:
        xml = Path(tmp) / "drive.osm"
        n = 0
        with osmium.BackReferenceWriter(str(xml), ref_src=str(path), overwrite=True) as writer:
            for way in osmium.FileProcessor(str(path), osmium.osm.WAY):
                if is_drive_way(way.tags, clauses):
                    writer.add_way(way)
                    n += 1
        if n == 0:
            raise DataError(f"{path}: no drivable roads (OSM ways passing the OSMnx drive filter) in this extract")
        return ox.graph_from_xml(xml, retain_all=True)


def read_graph(path: Path) -> nx.MultiDiGraph:
    """A local OSM road source as an OSMnx graph: ``.graphml``, ``.gpkg`` (OSMnx nodes/edges layers,
    undirected: one-way rules are lost), OSM XML (``.osm``/``.xml``) or an ``.osm.pbf`` extract (read with
    pyosmium, see ``read_pbf``)."""
    import osmnx as ox

    path = Path(path)
    if not path.exists():
        raise DataError(f"road network file not found: {path}")
    name = path.name.lower()
    try:
        if name.endswith(".graphml"):
            return ox.load_graphml(path)
        if name.endswith(".gpkg"):
            import geopandas as gpd

            nodes = gpd.read_file(path, layer="nodes", engine="pyogrio").set_index("osmid")
            edges = gpd.read_file(path, layer="edges", engine="pyogrio").set_index(["u", "v", "key"])
            return ox.graph_from_gdfs(nodes, edges)
        if name.endswith((".osm", ".xml", ".osm.xml")):
            return ox.graph_from_xml(path, retain_all=True)
        if name.endswith(".pbf"):
            return read_pbf(path)
    except DataError:
        raise
    except Exception as exc:  # the reader's own message names no file content, only what failed
        raise DataError(f"{path}: cannot read road network ({type(exc).__name__})") from exc
    raise DataError(f"{path}: unknown road network format (use .graphml, .gpkg, .osm or .osm.pbf)")


def prepare(G: nx.MultiDiGraph, speeds_kph: dict[str, float] | None = None) -> nx.MultiDiGraph:
    """Speeds (OSM maxspeed, else UK defaults per highway type), travel times (s), largest strongly
    connected component, projected to EPSG:27700."""
    import osmnx as ox

    speeds = dict(UK_DEFAULT_KPH)
    speeds.update(speeds_kph or {})
    for _, _, d in G.edges(data=True):  # recompute from maxspeed + UK defaults, not from a file's own imputation
        d.pop("speed_kph", None)
        d.pop("travel_time", None)
        hw = d.get("highway")
        if isinstance(hw, list) and hw:
            # OSMnx's simplification stores merged ways' types as list(set(...)), whose order changes from one
            # process to the next, and add_edge_speeds keeps the FIRST: pick the slowest type, deterministically
            d["highway"] = sorted(hw, key=lambda h: (speeds.get(h, 30 * MPH), h))[0]
    G = ox.routing.add_edge_speeds(G, hwy_speeds=speeds, fallback=30 * MPH)
    G = ox.routing.add_edge_travel_times(G)
    G = ox.truncate.largest_component(G, strongly=True)
    return ox.projection.project_graph(G, to_crs=BNG)


def to_arrays(G: nx.MultiDiGraph, source: str = "", key: str = "") -> RoadArrays:
    """CSR arrays of a prepared (projected) graph; parallel edges reduced to the quickest."""
    nodes = list(G.nodes)
    pos = {n: i for i, n in enumerate(nodes)}
    rows = [(pos[u], pos[v], float(d["travel_time"]), float(d["length"])) for u, v, d in G.edges(data=True)]
    df = pd.DataFrame(rows, columns=["u", "v", "t", "m"]).sort_values("t").drop_duplicates(["u", "v"])
    n = len(nodes)
    t = sp.csr_matrix((df["t"].to_numpy(), (df["u"].to_numpy(), df["v"].to_numpy())), shape=(n, n))
    m = sp.csr_matrix((df["m"].to_numpy(), (df["u"].to_numpy(), df["v"].to_numpy())), shape=(n, n))
    x = np.array([G.nodes[nd]["x"] for nd in nodes], dtype=float)
    y = np.array([G.nodes[nd]["y"] for nd in nodes], dtype=float)
    return RoadArrays(np.array(nodes, dtype=np.int64), x, y, t, m, source, key)


def load_arrays(
    path: Path, speeds_kph: dict[str, float] | None = None, progress: Progress = _noop, rebuild: bool = False
) -> RoadArrays:
    """Prepared road arrays for a local OSM file, from the cache when the file and speeds are unchanged.

    Cache key: SHA-256 of the file + speed settings + GRAPH_VERSION + the source of this module
    (``code_version("travel/graph.py", all_travel=False)``); stored as ``.npz`` under ``$ZONEPLAN_CACHE/travel``."""
    from .codeversion import code_version

    path = Path(path)
    key = file_digest(
        [path],
        extra=GRAPH_VERSION
        + code_version("travel/graph.py", all_travel=False)
        + json.dumps(speeds_kph or {}, sort_keys=True),
    )
    npz = cache_dir("travel") / f"graph-{key}.npz"
    if npz.exists() and not rebuild:
        t0 = time.perf_counter()
        z = np.load(npz, allow_pickle=False)
        arr = RoadArrays(
            z["osmid"],
            z["x"],
            z["y"],
            sp.csr_matrix((z["t_data"], z["indices"], z["indptr"]), shape=(len(z["osmid"]),) * 2),
            sp.csr_matrix((z["m_data"], z["indices"], z["indptr"]), shape=(len(z["osmid"]),) * 2),
            str(path),
            key,
            cached=True,
        )
        arr.build_s = time.perf_counter() - t0
        return arr
    t0 = time.perf_counter()
    progress(f"reading {path.name}", 0.1)
    G = read_graph(path)
    progress("speeds, travel times, largest strongly connected component, EPSG:27700", 0.4)
    G = prepare(G, speeds_kph)
    progress("array form", 0.8)
    arr = to_arrays(G, str(path), key)
    assert (arr.time_s.indices == arr.length_m.indices).all()
    tmp = npz.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        osmid=arr.osmid,
        x=arr.x,
        y=arr.y,
        t_data=arr.time_s.data,
        m_data=arr.length_m.data,
        indices=arr.time_s.indices,
        indptr=arr.time_s.indptr,
    )
    tmp.replace(npz)
    arr.build_s = time.perf_counter() - t0
    progress("road graph ready", 1.0)
    return arr


def pack_graph_paths(pack) -> list[Path]:
    """Road network files named in the pack's ``[travel] graphs`` (paths in the data directory or absolute)."""
    out = []
    for rel in pack.raw.get("travel", {}).get("graphs", []):
        p = Path(rel)
        out.append(p if p.is_absolute() else data_path(rel))
    return out


def download(pack, out: Path, buffer_m: float = 3000.0) -> Path:
    """Download the drive network for the council outline buffered by ``buffer_m`` with OSMnx (needs internet)
    and save it as GraphML."""
    import osmnx as ox
    import shapely

    from geodata.units import load_units

    layer = load_units(pack)  # the pack itself: a pack given by path has no id to look up
    outline = shapely.union_all(layer.units.geometry.values).buffer(buffer_m)
    import geopandas as gpd

    poly = gpd.GeoSeries([outline], crs=BNG).to_crs("EPSG:4326").iloc[0]
    G = ox.graph_from_polygon(poly, network_type="drive", custom_filter=drive_filter(), retain_all=False)
    ox.save_graphml(G, out)
    return out
