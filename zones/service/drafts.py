"""Autosaved drafts of the plan being edited (issue 14 §1): a reload restores unsaved edits.

A draft belongs to one browser session's token (``secrets.token_urlsafe``, kept in the page URL as
``?draft=…``), one council and one user: only the same token *and* the same signed-in user read it back, so a
shared URL never hands one user's draft to another (a different user's session gets its own draft under the
same token). Drafts live in the scenario store's database (table ``drafts``, SQLite or PostgreSQL) and are
bounded: a draft holds only the units that differ from the base plan (at most ``MAX_DRAFT_BYTES`` of JSON),
drafts older than ``MAX_AGE_DAYS`` are dropped and at most ``MAX_DRAFTS`` are kept (the oldest go first).

No streamlit here: ``pages/state.py`` calls these functions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets

import pandas as pd
import sqlalchemy as sa

from geodata.datadir import DataError
from geodata.limits import clean_text, MAX_LONG_TEXT, MAX_TEXT

from zones.plan import Plan

MAX_DRAFT_BYTES = 512 * 1024
MAX_DRAFTS = 2000
MAX_AGE_DAYS = 14
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")

_meta = sa.MetaData()
drafts = sa.Table(
    "drafts", _meta,
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column("council", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(100), primary_key=True),
    sa.Column("updated", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("payload", sa.Text, nullable=False),
)


def new_token() -> str:
    """An unguessable draft token (192 bits)."""
    return secrets.token_urlsafe(24)


def valid_token(token) -> bool:
    return isinstance(token, str) and bool(TOKEN_RE.match(token))


def fingerprint(plan: Plan) -> str:
    """What a draft must capture of a plan: zone and band of every unit, zone names and reasons (cheap)."""
    h = hashlib.sha1()
    h.update(plan.assignment_key())
    h.update(repr(plan.zone_names).encode())
    h.update(repr(sorted(plan.reasons.items())).encode())
    return h.hexdigest()


def changed_rows(base: Plan, plan: Plan) -> list[list[str]]:
    """[unit_code, zone, band, reason] of the units whose zone, band or reason differ from ``base``."""
    a, b = plan.assignments(), base.assignments()
    diff = (a["zone"] != b["zone"]) | (a["band"] != b["band"]) | (a["reason"] != b["reason"])
    return a.loc[diff, ["unit_code", "zone", "band", "reason"]].astype(str).values.tolist()


def plan_from_rows(base: Plan, rows: list) -> Plan:
    """``base`` with a draft's rows applied (unknown units or bands raise DataError)."""
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == 4 for r in rows):
        raise DataError("draft: malformed rows")
    if not rows:
        return base
    df = pd.DataFrame(rows, columns=["unit_code", "zone", "band", "reason"]).astype(str)
    for col, limit in (("zone", MAX_TEXT), ("reason", MAX_LONG_TEXT)):
        for v in df[col]:
            clean_text(v, f"draft {col}", limit, required=col == "zone")
    return Plan.from_assignments(base, df)


class DraftStore:
    """Drafts in the store's database (``engine``: a SQLAlchemy engine, e.g. ``Store().engine``)."""

    def __init__(self, engine):
        self.engine = engine
        _meta.create_all(engine)

    def save(self, token: str, council: str, owner: str, payload: dict) -> None:
        if not valid_token(token):
            raise DataError("draft: invalid token")
        text = json.dumps(payload, separators=(",", ":"), default=str)
        if len(text.encode()) > MAX_DRAFT_BYTES:
            raise DataError(f"draft: {len(text.encode()):,} bytes is over the limit of {MAX_DRAFT_BYTES:,}")
        now = dt.datetime.now(dt.timezone.utc)
        key = (drafts.c.token == token) & (drafts.c.council == council) & (drafts.c.owner == owner)
        with self.engine.begin() as c:
            if c.execute(sa.select(drafts.c.token).where(key)).first():
                c.execute(drafts.update().where(key).values(updated=now, payload=text))
            else:
                c.execute(drafts.insert().values(token=token, council=council, owner=owner, updated=now, payload=text))
                self._prune(c, now)

    def _prune(self, c, now) -> None:
        c.execute(drafts.delete().where(drafts.c.updated < now - dt.timedelta(days=MAX_AGE_DAYS)))
        n = c.execute(sa.select(sa.func.count()).select_from(drafts)).scalar() or 0
        if n > MAX_DRAFTS:
            old = c.execute(sa.select(drafts.c.updated).order_by(drafts.c.updated).offset(n - MAX_DRAFTS).limit(1)).scalar()
            c.execute(drafts.delete().where(drafts.c.updated < old))

    def load(self, token: str, council: str, owner: str) -> tuple[dict, dt.datetime] | None:
        """(payload, when saved, UTC) of this token's, council's and user's draft, or None."""
        if not valid_token(token):
            return None
        with self.engine.connect() as c:
            row = c.execute(sa.select(drafts.c.payload, drafts.c.updated).where(
                (drafts.c.token == token) & (drafts.c.council == council) & (drafts.c.owner == owner))).first()
        if row is None:
            return None
        try:
            payload = json.loads(row.payload)
        except ValueError:
            return None
        when = row.updated if row.updated.tzinfo else row.updated.replace(tzinfo=dt.timezone.utc)
        return payload, when

    def discard(self, token: str, council: str, owner: str) -> None:
        if not valid_token(token):
            return
        with self.engine.begin() as c:
            c.execute(drafts.delete().where((drafts.c.token == token) & (drafts.c.council == council)
                                            & (drafts.c.owner == owner)))

    def count(self) -> int:
        with self.engine.connect() as c:
            return c.execute(sa.select(sa.func.count()).select_from(drafts)).scalar() or 0
