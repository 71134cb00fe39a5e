"""Place-name normalisation shared by units, zoning and travel (no other imports: breaks the
units <-> zoning import circle)."""

from __future__ import annotations

import re


def norm_name(name: str) -> str:
    """Normalise a place name for matching: lower case, '&'→'and', punctuation and 'CP' suffix dropped."""
    s = str(name).lower().replace("&", " and ")
    s = re.sub(r"\bcp\b", " ", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return " ".join(s.split())
