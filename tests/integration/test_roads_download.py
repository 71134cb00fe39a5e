"""`zoneplan roads COUNCIL --download` with only the HTTP layer replaced: requests.post/get answer with a small
Overpass response made in the test (no network is used)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import requests

from geodata.packs import load_pack
from travel.graph import download, load_arrays
from travel.matrix import travel_times

pytestmark = pytest.mark.integration

# a 3-node two-way street in Loughborough (lon/lat), as Overpass returns it
OVERPASS = {
    "version": 0.6,
    "elements": [
        {"type": "node", "id": 101, "lat": 52.7700, "lon": -1.2100},
        {"type": "node", "id": 102, "lat": 52.7700, "lon": -1.2000},
        {"type": "node", "id": 103, "lat": 52.7760, "lon": -1.2000},
        {"type": "way", "id": 201, "nodes": [101, 102], "tags": {"highway": "primary", "maxspeed": "40 mph"}},
        {"type": "way", "id": 202, "nodes": [102, 103], "tags": {"highway": "residential"}},
    ],
}


def response(url: str, payload: dict) -> requests.Response:
    """A real requests.Response carrying a JSON body, as the HTTP layer would return it."""
    r = requests.models.Response()
    r.status_code, r.reason, r.url, r.encoding = 200, "OK", url, "utf-8"
    r.headers["Content-Type"] = "application/json"
    r._content = json.dumps(payload).encode()
    return r


def test_download_builds_a_routable_graph_from_the_overpass_response(tmp_path, monkeypatch):
    import osmnx as ox

    calls = []

    def fake_post(url, data=None, **kw):
        calls.append(("POST", url, data))
        return response(url, OVERPASS)

    def fake_get(url, **kw):
        calls.append(("GET", url, None))
        return response(url, {"Status": 1})

    monkeypatch.setattr(requests, "post", fake_post)
    monkeypatch.setattr(requests, "get", fake_get)
    monkeypatch.setattr(ox.settings, "use_cache", False)
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
    monkeypatch.setattr(ox.settings, "doh_url_template", None)
    out = download(load_pack("leicestershire"), tmp_path / "leics.graphml")
    assert out.exists()
    assert any(c[0] == "POST" and "interpreter" in c[1] and "highway" in str(c[2]) for c in calls)
    # the query polygon is the county outline plus our 3 km buffer plus the 500 m OSMnx's graph_from_polygon adds
    # before it truncates back to our polygon (EPSG:27700 bounds, metres)
    import re

    import geopandas as gpd
    import shapely

    from geodata.units import load_units

    lat_lon = [
        tuple(map(float, m))
        for c in calls
        if c[0] == "POST"
        for m in re.findall(r"(-?\d+\.\d+) (-?\d+\.\d+)", str(c[2]))
    ]
    poly = gpd.GeoSeries(gpd.points_from_xy([b for a, b in lat_lon], [a for a, b in lat_lon]), crs="EPSG:4326").to_crs(
        27700
    )
    outline = shapely.union_all(load_units("leicestershire").units.geometry.values)
    assert poly.total_bounds[2] - outline.bounds[2] == pytest.approx(3500, abs=300)
    assert outline.bounds[0] - poly.total_bounds[0] == pytest.approx(3500, abs=300)
    arr = load_arrays(out)
    pos = {n: i for i, n in enumerate(arr.osmid)}
    assert set(pos) >= {101, 103}
    t = travel_times(arr.time_s, np.array([pos[101]]))[0, pos[103]]
    assert np.isfinite(t) and t > 0
