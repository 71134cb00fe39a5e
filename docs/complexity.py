"""Functions over the size limits of the brief: McCabe complexity > 15 or longer than 80 lines.

Complexity is ruff's mccabe (C901, the same number the ``make test`` gate checks), measured for every function by
running ``ruff check --select C901`` with a threshold of 0 and ``--ignore-noqa`` (debt marked ``# noqa: C901`` is
listed too); length is ``end_lineno - lineno + 1`` of the ``def``
(decorators excluded, docstring included) from Python's ``ast``. Prints a Markdown table, then one JSON line with
the counts.

    python docs/complexity.py [paths ...]      # default: geodata travel zones pages
"""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_COMPLEXITY = 15
MAX_LINES = 80
_MSG = re.compile(r"`(?P<name>[^`]+)` is too complex \((?P<cc>\d+) > 0\)")


def mccabe(paths: list[str]) -> dict[tuple[str, int], int]:
    """{(file relative to the repo, line of the def): complexity} for every function under ``paths``."""
    cmd = [sys.executable, "-m", "ruff", "check", "--isolated", "--ignore-noqa", "--select", "C901",
           "--output-format", "json", "--config", "lint.mccabe.max-complexity=0", *paths]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False).stdout
    found: dict[tuple[str, int], int] = {}
    for item in json.loads(out or "[]"):
        m = _MSG.search(item["message"])
        if m:
            rel = str(Path(item["filename"]).resolve().relative_to(ROOT))
            found[(rel, int(item["location"]["row"]))] = int(m["cc"])
    return found


def lengths(paths: list[str]) -> dict[tuple[str, int], tuple[str, int]]:
    """{(file, line of the def): (qualified name, lines)} for every function under ``paths``."""
    out: dict[tuple[str, int], tuple[str, int]] = {}
    for top in paths:
        for path in sorted((ROOT / top).rglob("*.py")) if (ROOT / top).is_dir() else [ROOT / top]:
            rel = str(path.relative_to(ROOT))
            _walk(ast.parse(path.read_text(encoding="utf-8")), rel, "", out)
    return out


def _walk(node: ast.AST, rel: str, prefix: str, out: dict[tuple[str, int], tuple[str, int]]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = f"{prefix}{child.name}"
            if not isinstance(child, ast.ClassDef):
                out[(rel, child.lineno)] = (name, (child.end_lineno or child.lineno) - child.lineno + 1)
            _walk(child, rel, name + ".", out)
        else:
            _walk(child, rel, prefix, out)


def table(paths: list[str]) -> list[dict]:
    """Rows (file, function, complexity, lines) of the functions over either limit, worst first."""
    cc = mccabe(paths)
    rows = []
    for key, (name, n_lines) in lengths(paths).items():
        c = cc.get(key, 1)
        if c > MAX_COMPLEXITY or n_lines > MAX_LINES:
            rows.append({"file": key[0], "function": name, "complexity": c, "lines": n_lines})
    return sorted(rows, key=lambda r: (-r["complexity"], -r["lines"]))


def main(argv: list[str]) -> int:
    paths = argv or ["geodata", "travel", "zones", "pages"]
    rows = table(paths)
    print("| file | function | complexity | lines |")
    print("|---|---|---:|---:|")
    for r in rows:
        print(f"| {r['file']} | `{r['function']}` | {r['complexity']} | {r['lines']} |")
    print(json.dumps({"over_complexity_15": sum(r["complexity"] > MAX_COMPLEXITY for r in rows),
                      "over_80_lines": sum(r["lines"] > MAX_LINES for r in rows), "paths": paths}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
