"""Travel caches are keyed by the code that builds them: a cache written by older code is never read back.

Each test builds a real cache (in tmp_path), reads it back without a rebuild, then changes the code-version input
(the bytes of a travel/ source file, by monkeypatch) and asserts that the next call rebuilds."""

from __future__ import annotations

import pandas as pd
import pytest

import travel.codeversion as cv
from travel.codeversion import code_version, source_files


@pytest.fixture
def edited(monkeypatch):
    """``edit(name)``: from now on the source file ``name`` (e.g. "matrix.py") reads as if one line were added."""
    real = cv._file_bytes
    names: set[str] = set()

    def fake(path):
        data = real(path)
        return data + b"\n# edited\n" if path.name in names else data

    monkeypatch.setattr(cv, "_file_bytes", fake)

    def edit(name: str) -> None:
        names.add(name)
        cv.code_version.cache_clear()

    yield edit
    cv.code_version.cache_clear()


def test_code_version_covers_every_travel_module_and_the_extra_files(edited):
    names = {p.name for p in source_files()}
    assert {"matrix.py", "metrics.py", "estimator.py", "graph.py", "od.py", "codeversion.py"} <= names
    base, base_zoning = code_version(), code_version("geodata/zoning.py")
    graph_only = code_version("travel/graph.py", all_travel=False)
    assert code_version() == base  # stable within a process
    assert base_zoning != base
    edited("matrix.py")
    assert code_version() != base and code_version("geodata/zoning.py") != base_zoning
    assert code_version("travel/graph.py", all_travel=False) == graph_only  # graph cache: graph.py only
    edited("zoning.py")
    v = code_version()
    edited("graph.py")
    assert code_version("travel/graph.py", all_travel=False) != graph_only and code_version() != v


def test_metrics_cache_is_rebuilt_when_the_travel_code_changes(synthetic_pack, monkeypatch, edited):
    import travel.metrics as tm
    from geodata.units import load_units

    layer = load_units(str(synthetic_pack))
    calls = []

    def fake_compute(layer, graphs, ref, progress):
        calls.append(1)
        return (
            pd.DataFrame({"unit_code": layer.units["unit_code"], "visit_to_visit_min": float(len(calls))}),
            {"graphs": []},
        )

    monkeypatch.setattr(tm, "_compute", fake_compute)
    first = tm.unit_metrics(layer)
    assert len(calls) == 1 and not first.attrs["cached"]
    again = tm.unit_metrics(layer)
    assert len(calls) == 1 and again.attrs["cached"]  # the cache is really read back
    assert (again["visit_to_visit_min"] == 1.0).all()
    edited("matrix.py")  # the engine's code changes: the old cache must not be used
    after = tm.unit_metrics(layer)
    assert len(calls) == 2 and not after.attrs["cached"] and (after["visit_to_visit_min"] == 2.0).all()
    edited("zoning.py")  # so does a geodata module the metrics use (hubs)
    tm.unit_metrics(layer)
    assert len(calls) == 3
    assert tm.unit_metrics(layer).attrs["cached"] and len(calls) == 3


def test_estimator_cache_is_rebuilt_when_the_travel_code_changes(synthetic_pack, monkeypatch, edited):
    import travel.estimator as te
    from geodata.datadir import data_path

    ref = data_path(te.REFERENCE_GRAPH, required=False)
    ref.parent.mkdir(parents=True, exist_ok=True)
    ref.write_text("<graphml/>")  # only its bytes enter the key; loading and fitting are stubbed below
    calls = []
    monkeypatch.setattr(te, "load_arrays", lambda p: "arrays")
    monkeypatch.setattr(te, "fit_estimator", lambda src: calls.append(1) or {"fit": len(calls)})
    monkeypatch.setattr(te, "evaluate", lambda src, checks: {"by_band": []})
    assert te.reference()["model"] == {"fit": 1}
    assert te.reference()["model"] == {"fit": 1} and len(calls) == 1
    edited("estimator.py")
    assert te.reference()["model"] == {"fit": 2} and len(calls) == 2
    edited("od.py")  # any travel module
    assert te.reference()["model"] == {"fit": 3}
    assert te.reference()["model"] == {"fit": 3} and len(calls) == 3


def test_graph_cache_is_rebuilt_when_graph_code_changes(tmp_path, monkeypatch, edited):
    import osmnx as ox

    import travel.graph as tg
    from tests.unit.test_travel import grid_graph

    monkeypatch.setenv("ZONEPLAN_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "g.graphml"
    ox.save_graphml(grid_graph(n=3, spacing_m=100.0), path)
    builds = []
    real = tg.to_arrays
    monkeypatch.setattr(tg, "read_graph", lambda p: ox.load_graphml(p))
    monkeypatch.setattr(tg, "prepare", lambda G, speeds=None: G)
    monkeypatch.setattr(tg, "to_arrays", lambda *a, **k: builds.append(1) or real(*a, **k))
    assert not tg.load_arrays(path).cached
    assert tg.load_arrays(path).cached and len(builds) == 1
    edited("metrics.py")  # not used to build the graph arrays: still cached
    assert tg.load_arrays(path).cached and len(builds) == 1
    edited("graph.py")
    assert not tg.load_arrays(path).cached and len(builds) == 2
