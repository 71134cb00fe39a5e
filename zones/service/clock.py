"""The service's time source (issue 22): every expiry and back-off rule (sign-in back-off, draft age) reads the
time through ``utc_now``, so a test replaces this one seam (``monkeypatch.setattr(clock, "utc_now", fake)``)
instead of waiting for wall time. Always an aware UTC datetime. No streamlit here."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    """Now, UTC (timezone-aware). Callers look it up through the module (``clock.utc_now()``) at call time."""
    return dt.datetime.now(dt.UTC)


def as_utc(when: dt.datetime) -> dt.datetime:
    """A datetime read back from the database as aware UTC (SQLite returns naive UTC values)."""
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
