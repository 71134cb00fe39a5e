"""Search on the real Leicestershire data (issue 14 §2): parish, OS Open Names place, postcode and postcode district
each give the unit(s) they lie in."""

from __future__ import annotations

from pathlib import Path

import pytest

from zones.service.search import find_units
from zones.service.workspace import load_workspace

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ws():
    return load_workspace("leicestershire")


def _names(ws, codes):
    n = dict(zip(ws.units["unit_code"], ws.units["unit_name"]))
    return [n[c] for c in codes]


def test_parish_name(ws):
    r = find_units(ws, "Asfordby")
    assert r.kind == "name" and _names(ws, r.codes)[0] == "Asfordby"


def test_place_from_os_open_names(ws):
    r = find_units(ws, "Asfordby Hill")
    assert r.kind == "place" and _names(ws, r.codes) == ["Asfordby"], r
    m = find_units(ws, "Melton Mowbray")
    assert m.codes and all("Melton" in n for n in _names(ws, m.codes)), m


def test_postcode_and_district(ws):
    r = find_units(ws, "LE14 3AA")
    assert r.kind == "postcode" and len(r.codes) == 1, r
    d = find_units(ws, "le14")
    assert d.kind == "district" and r.codes[0] in d.codes and len(d.codes) > 10, d
    assert "Asfordby" in _names(ws, d.codes)
    assert find_units(ws, "LE14 9ZZ").codes == []  # no such postcode


def test_coventry_and_merton_postcodes():
    cov = load_workspace("coventry")
    assert find_units(cov, "CV1").kind == "district" and find_units(cov, "CV1").codes
    mer = load_workspace("merton")
    r = find_units(mer, "SW19")
    assert r.kind == "district" and r.codes


def test_the_readmes_example_postcode_lies_inside_the_council(ws):
    """Issue 19 §15: the README's example postcode (LE14 3AA) lay outside Leicestershire."""
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    examples = re.findall(r"postcode \*([A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})\*", readme)
    assert examples
    for pc in examples:
        r = find_units(ws, pc)
        assert r.kind == "postcode" and "outside" not in r.label, r
