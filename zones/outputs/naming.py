"""Download file names and plan identity text (issue 14 §1): every output names its scenario and version.

``file_name("leicestershire", "Para 47", 2, "impact", "xlsx")`` → ``leicestershire-para-47-v2-impact.xlsx``.
Names are slugged to ASCII letters, digits and hyphens (no path separators, dots or control characters, at
most 60 characters per part), so a scenario called ``../../etc/passwd`` or ``<img>`` gives a harmless name.
"""

from __future__ import annotations

import re
import unicodedata


def slug(text, max_len: int = 60) -> str:
    s = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s[:max_len].strip("-")


def identity_text(name: str | None, version: int | None, published: bool = False, modified: bool = False) -> str:
    """ "Para 47 v2", "Para 47 v2 (published)", "Para 47 v2 + unsaved changes" or "unsaved plan"."""
    if not name:
        return "unsaved plan"
    out = f"{name} v{version}" if version else str(name)
    if published:
        out += " (published)"
    if modified:
        out += " + unsaved changes"
    return out


def file_name(council: str, name: str | None, version: int | None, kind: str, ext: str, modified: bool = False) -> str:
    """``<council>-<scenario>-v<version>-<kind>.<ext>``; an unsaved plan is ``<council>-unsaved-<kind>.<ext>``
    and a reopened version edited since ``…-v<version>-edited-<kind>.<ext>``."""
    parts = [slug(council) or "plan"]
    if name:
        parts.append(slug(name) or "scenario")
        if version:
            parts.append(f"v{int(version)}")
        if modified:
            parts.append("edited")
    else:
        parts.append("unsaved")
    parts.append(slug(kind) or "export")
    return "-".join(parts) + "." + (slug(ext, 8) or "txt")
