"""Layout boundaries (issue 11 §1): the core never imports streamlit, the domain never imports the
scenario service, outputs or CLI, and geodata has no import circle. Checked by parsing imports (AST)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The domain: every module directly in zones/ (the packages zones/service, zones/outputs and zones/cli sit above it),
# discovered so that a new domain module is checked without being listed here.
DOMAIN = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "zones").glob("*.py") if p.name != "__init__.py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
    return out


def _core_files():
    for top in ("geodata", "travel", "zones"):
        yield from (ROOT / top).rglob("*.py")


def test_core_never_imports_streamlit():
    bad = {str(p.relative_to(ROOT)) for p in _core_files() if any(m.split(".")[0] in {"streamlit", "streamlit_folium"} for m in _imports(p))}
    assert not bad, f"core modules importing streamlit: {sorted(bad)}"


def test_domain_is_discovered():
    for rel in ("zones/plan.py", "zones/suggest.py", "zones/demand_points.py", "zones/validate_bands.py"):
        assert rel in DOMAIN
    assert not any(rel.startswith(("zones/service/", "zones/outputs/", "zones/cli/")) for rel in DOMAIN)


def test_domain_imports_no_service_outputs_or_cli():
    for rel in DOMAIN:
        mods = _imports(ROOT / rel)
        bad = {m for m in mods if m.startswith(("zones.service", "zones.outputs", "zones.cli", "pages"))}
        assert not bad, f"{rel} imports {sorted(bad)}"


def test_geodata_units_and_zoning_have_no_import_circle():
    units = _imports(ROOT / "geodata/units.py")
    zoning = _imports(ROOT / "geodata/zoning.py")
    assert not ({"geodata.units"} & {m.rsplit(".", 1)[0] if m.count(".") > 1 else m for m in zoning} | {m for m in zoning if m.startswith("geodata.units")}), "zoning imports units"
    assert any(m.startswith("geodata.zoning") for m in units)


def test_geodata_is_the_bottom_layer():
    """geodata (data files, packs, units and the errors every layer raises) imports neither travel nor zones."""
    bad = {str(p.relative_to(ROOT)): sorted(m for m in _imports(p) if m.split(".")[0] in {"travel", "zones", "pages"})
           for p in (ROOT / "geodata").rglob("*.py")}
    assert not {k: v for k, v in bad.items() if v}
