"""Autosaved drafts of the plan being edited (issue 14 §1): a reload restores unsaved edits.

A draft belongs to one browser session's token (``secrets.token_urlsafe``, kept in the page URL as
``?draft=…``), one council and one signed-in user (issue 18 §4): only the same token *and* the same user read it
back, so a shared URL never hands one user's draft to another (a different user's session gets its own draft
under the same token). Nobody signed in, no draft: the owner must be a user name ("local" in single-user
mode), never empty or "anonymous" (``valid_owner``). Drafts live in the scenario store's database (table
``drafts``, SQLite or PostgreSQL) and are bounded per owner (issue 18 §5): a draft holds only the units that
differ from the base plan (at most ``MAX_DRAFT_BYTES`` of JSON); an owner keeps at most
``MAX_DRAFTS_PER_OWNER`` drafts and ``MAX_OWNER_BYTES`` in all (that owner's oldest go first, so one user's
drafts never evict another's); drafts older than ``MAX_AGE_DAYS`` are dropped. The time comes from
``zones.service.clock.utc_now`` (tests replace it).

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
from geodata.limits import MAX_LONG_TEXT, MAX_TEXT, clean_text
from zones.plan import Plan
from zones.service import clock

MAX_DRAFT_BYTES = 512 * 1024
MAX_DRAFTS_PER_OWNER = 20  # one per council and browser tab is plenty; 20 covers several of each
MAX_OWNER_BYTES = 4 * 1024 * 1024  # eight full-size drafts
MAX_AGE_DAYS = 14
ANONYMOUS = "anonymous"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")

_meta = sa.MetaData()
drafts = sa.Table(
    "drafts",
    _meta,
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


def valid_owner(owner) -> bool:
    """A draft's owner is a signed-in user's name: not empty, not "anonymous", at most 100 characters."""
    return isinstance(owner, str) and 0 < len(owner.strip()) <= 100 and owner.strip().lower() != ANONYMOUS


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


MAX_UNDO_STEPS = 30  # undo/redo steps a draft keeps (issue 19 §11: Undo survives a reload)
STACKS_BYTES = MAX_DRAFT_BYTES // 2  # the stacks' share of a draft; the oldest undo steps go first past it


def stacks_payload(base: Plan, undo: list[Plan], redo: list[Plan], max_bytes: int = STACKS_BYTES) -> dict:
    """The undo and redo stacks as draft rows (each plan as its :func:`changed_rows` against ``base``): the newest
    :data:`MAX_UNDO_STEPS` of each, then the oldest undo steps dropped until the JSON fits ``max_bytes``."""
    out = {
        "undo": [changed_rows(base, p) for p in undo[-MAX_UNDO_STEPS:]],
        "redo": [changed_rows(base, p) for p in redo[-MAX_UNDO_STEPS:]],
    }
    while out["undo"] and len(json.dumps(out).encode()) > max_bytes:
        out["undo"].pop(0)
    if len(json.dumps(out).encode()) > max_bytes:
        out["redo"] = []
    return out


def stacks_from_payload(base: Plan, payload: dict) -> tuple[list[Plan], list[Plan]]:
    """The undo and redo plans of a draft written by :func:`stacks_payload` (none in an older draft); malformed or
    oversized stacks raise DataError."""
    stacks = []
    for key in ("undo", "redo"):
        steps = payload.get(key) or []
        if not isinstance(steps, list) or len(steps) > MAX_UNDO_STEPS:
            raise DataError(f"draft: malformed {key} steps")
        stacks.append([plan_from_rows(base, rows) for rows in steps])
    return stacks[0], stacks[1]


class DraftStore:
    """Drafts in the store's database (``engine``: a SQLAlchemy engine, e.g. ``Store().engine``)."""

    def __init__(self, engine):
        self.engine = engine
        _meta.create_all(engine)

    def save(self, token: str, council: str, owner: str, payload: dict) -> None:
        """Save (insert or replace) the draft of ``token``, ``council`` and ``owner``, then prune that owner's
        drafts to the quota (the one just saved always stays). DataError: bad token, no owner, too large."""
        if not valid_token(token):
            raise DataError("draft: invalid token")
        if not valid_owner(owner):
            raise DataError("draft: drafts belong to a signed-in user")
        text = json.dumps(payload, separators=(",", ":"), default=str)
        if len(text.encode()) > MAX_DRAFT_BYTES:
            raise DataError(f"draft: {len(text.encode()):,} bytes is over the limit of {MAX_DRAFT_BYTES:,}")
        now = clock.utc_now()
        key = (drafts.c.token == token) & (drafts.c.council == council) & (drafts.c.owner == owner)
        with self.engine.begin() as c:
            if c.execute(sa.select(drafts.c.token).where(key)).first():
                c.execute(drafts.update().where(key).values(updated=now, payload=text))
            else:
                c.execute(drafts.insert().values(token=token, council=council, owner=owner, updated=now, payload=text))
            self._prune(c, owner, (token, council), now)

    def _prune(self, c, owner: str, keep: tuple[str, str], now) -> None:
        """Drop drafts past ``MAX_AGE_DAYS`` (anyone's), then ``owner``'s oldest beyond the count and byte quota."""
        c.execute(drafts.delete().where(drafts.c.updated < now - dt.timedelta(days=MAX_AGE_DAYS)))
        rows = c.execute(
            sa.select(drafts.c.token, drafts.c.council, sa.func.length(drafts.c.payload))
            .where(drafts.c.owner == owner)
            .order_by(drafts.c.updated.desc())
        ).all()
        rows.sort(key=lambda r: (r[0], r[1]) != keep)  # stable: the draft just saved first, then newest first
        total, n, drop = 0, 0, []
        for tok, council, size in rows:
            total, n = total + int(size or 0), n + 1
            if n > 1 and (n > MAX_DRAFTS_PER_OWNER or total > MAX_OWNER_BYTES):
                drop.append((tok, council))
        for tok, council in drop:
            c.execute(
                drafts.delete().where(
                    (drafts.c.token == tok) & (drafts.c.council == council) & (drafts.c.owner == owner)
                )
            )

    def load(self, token: str, council: str, owner: str) -> tuple[dict, dt.datetime] | None:
        """(payload, when saved, UTC) of this token's, council's and user's draft, or None (also for no owner)."""
        if not valid_token(token) or not valid_owner(owner):
            return None
        with self.engine.connect() as c:
            row = c.execute(
                sa.select(drafts.c.payload, drafts.c.updated).where(
                    (drafts.c.token == token) & (drafts.c.council == council) & (drafts.c.owner == owner)
                )
            ).first()
        if row is None:
            return None
        try:
            payload = json.loads(row.payload)
        except ValueError:
            return None
        return payload, clock.as_utc(row.updated)

    def discard(self, token: str, council: str, owner: str) -> None:
        if not valid_token(token):
            return
        with self.engine.begin() as c:
            c.execute(
                drafts.delete().where(
                    (drafts.c.token == token) & (drafts.c.council == council) & (drafts.c.owner == owner)
                )
            )

    def count(self, owner: str | None = None) -> int:
        """Drafts kept (of ``owner``, or of everyone)."""
        q = sa.select(sa.func.count()).select_from(drafts)
        if owner is not None:
            q = q.where(drafts.c.owner == owner)
        with self.engine.connect() as c:
            return c.execute(q).scalar() or 0
