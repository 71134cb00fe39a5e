"""Scenario store: save, version, compare, publish and audit plans. One interface, two back ends:

- embedded default: a SQLite file (``ZONEPLAN_STORE`` or ``$ZONEPLAN_CACHE/store/scenarios.sqlite``), WAL mode;
- shared server: PostgreSQL (+ PostGIS) when ``ZONEPLAN_DB_URL`` is set (SQLAlchemy + psycopg).

A scenario is council, name, description, author and a list of versions. Every save appends a version
(assignments unit → zone, band, computed band, source, reason; rate model parameters as JSON); versions are
never changed, and a published version is immutable and readable by viewers. Each save is one transaction:
a crash mid-save leaves no partial version. Saves name their parent version; a save whose parent is not the
latest version raises ``ConflictError`` naming both versions (two editors cannot overwrite each other).

Concurrency (issue 11 §4): on SQLite every transaction starts with ``BEGIN IMMEDIATE`` (the write lock is taken
before the latest version is read) with a 30 s busy timeout; on PostgreSQL the scenario row is locked
``FOR UPDATE``. Either way a lost race ends as the same ``ConflictError`` (a unique-constraint violation is
turned into it), and a store too busy to answer as a ``StoreError`` — never a database traceback.

Publishing (admins only) stores a snapshot beside the version: hours per unit, unit names, band and zone
names, the pack and data digests and the published totals; the version's digest covers the assignments, the
rate card and the snapshot, and is checked on every load, so a published version is self-contained and
immutable (on SQLite, triggers also refuse UPDATE/DELETE of a published version's rows). Roles are enforced
here: viewers read published versions and their audit only; editors save; admins publish.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from geodata.datadir import DataError, cache_dir
from geodata.errors import ConfigurationError
from geodata.limits import MAX_LONG_TEXT, MAX_TEXT, clean_text, excerpt, norm_council, obj_depth_ok, rate_gbp_per_hour
from zones.service import clock
from zones.service.auth import BACKOFF_S, FAILURE_WINDOW_S, LOCAL, MAX_FAILURES, User

DB_URL_ENV = "ZONEPLAN_DB_URL"
STORE_ENV = "ZONEPLAN_STORE"
ASSIGNMENT_COLUMNS = ["unit_code", "zone", "band", "computed_band", "band_source", "reason"]
# Fault-injection seam (tests only; None in production): called inside a save's transaction after each chunk of
# assignment rows is written, as hook(rows_written, rows_total). tests/unit/test_store.py sets it in a child process
# to stop a save at a point the test chooses and kill -9 it there (issue 22: no timed kill).
SAVE_CHUNK_HOOK: Callable[[int, int], None] | None = None

metadata = sa.MetaData()
scenarios = sa.Table(
    "scenarios",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("council", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("author", sa.String(100), nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("council", "name"),
)
versions = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("author", sa.String(100), nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("rate_model", sa.Text, nullable=False),
    sa.Column("published", sa.Boolean, nullable=False, default=False),
    sa.Column("n_units", sa.Integer, nullable=False),
    # the settings that change money besides the rate card (weeks a year, term, uplift): JSON, NULL for versions
    # saved before they were stored (added to existing stores by _migrate)
    sa.Column("settings", sa.Text, nullable=True),
    sa.UniqueConstraint("scenario_id", "number"),
)
assignments = sa.Table(
    "assignments",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False, index=True),
    *[sa.Column(c, sa.Text, nullable=False) for c in ASSIGNMENT_COLUMNS],
)
snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
)
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scenario_id", sa.Integer, nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("who", sa.String(100), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("unit_code", sa.Text, nullable=False, default=""),
    sa.Column("from_zone", sa.Text, nullable=False, default=""),
    sa.Column("to_zone", sa.Text, nullable=False, default=""),
    sa.Column("from_band", sa.Text, nullable=False, default=""),
    sa.Column("to_band", sa.Text, nullable=False, default=""),
    sa.Column("reason", sa.Text, nullable=False, default=""),
)

login_throttle = sa.Table(  # failed sign-ins per user name (issue 18 §9): one counter for every process
    "login_throttle",
    metadata,
    sa.Column("name_key", sa.String(64), primary_key=True),  # SHA-256 of the name: bounded, no raw text
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False, index=True),
)
NO_PUBLISHED_VERSION = "no such published version"


class StoreError(DataError):
    """A refused store operation (permissions, unknown scenario, immutable version)."""


class ConflictError(StoreError):
    """The scenario has a newer version than the one the save started from."""


@dataclass(frozen=True)
class ScenarioVersion:
    scenario_id: int
    council: str
    name: str
    description: str
    number: int
    author: str
    created: dt.datetime
    note: str
    published: bool
    rate_model: dict
    assignments: pd.DataFrame
    snapshot: dict | None = None  # published versions: hours per unit, digests, totals (see publish)
    digest: str = ""  # published versions: SHA-256 over assignments + rate card + snapshot
    settings: dict | None = None  # weeks_per_year, term_years, uplift_pct saved with the version (None: older)

    def link(self) -> str:
        return published_link(self.scenario_id, self.number, self.council)


def published_link(scenario_id: int, version: int, council: str | None = None) -> str:
    """The read-only link's query string for the Zone map and Report pages: council, scenario, version and
    readonly (everything needed to open it; ``zones.service.links.full_url`` puts a host in front)."""
    from urllib.parse import quote

    head = f"council={quote(council, safe='')}&" if council else ""
    return f"?{head}scenario={scenario_id}&version={version}&readonly=1"


def default_url() -> str:
    """The store's SQLAlchemy URL: ``ZONEPLAN_DB_URL`` (PostgreSQL/PostGIS), else the SQLite file named by
    ``ZONEPLAN_STORE`` (a folder means ``<folder>/scenarios.sqlite``), else ``$ZONEPLAN_CACHE/store/scenarios.sqlite``.
    A ``ZONEPLAN_STORE`` whose folder does not exist is a configuration error said in one sentence (issue 19 §7)."""
    url = os.environ.get(DB_URL_ENV)
    if url:
        return url
    raw = os.environ.get(STORE_ENV, "").strip()
    if not raw:
        return f"sqlite:///{cache_dir('store') / 'scenarios.sqlite'}"
    path = Path(raw).expanduser()
    if path.is_dir():
        path = path / "scenarios.sqlite"
    elif not path.parent.is_dir():
        raise DataError(
            f"{STORE_ENV} names a file in a folder that does not exist; create the folder or set "
            f"{STORE_ENV} to a writable folder or .sqlite file (see the README, 'Scenario store')."
        )
    return f"sqlite:///{path}"


def _require_psycopg() -> None:
    """A PostgreSQL store needs the driver psycopg, an optional extra (SQLite needs nothing more)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise ConfigurationError(
            f"{DB_URL_ENV} names a PostgreSQL store but its driver psycopg is not installed: "
            "install the postgres extra with pip install .[postgres]"
        ) from None


def version_digest(assignments_df: pd.DataFrame, rate_model: dict, snapshot: dict, settings: dict | None = None) -> str:
    """SHA-256 over everything that determines a published version's numbers (canonical JSON); the settings count
    when the version has them (digests of versions saved before settings were stored are unchanged)."""
    a = assignments_df[ASSIGNMENT_COLUMNS].sort_values("unit_code").astype(str).values.tolist()
    body = {"assignments": a, "rate_model": rate_model, "snapshot": snapshot}
    if settings:
        body["settings"] = settings
    doc = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(doc.encode()).hexdigest()


_SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS published_versions_immutable BEFORE UPDATE ON versions
       WHEN OLD.published = 1 BEGIN SELECT RAISE(ABORT, 'published version is immutable'); END""",
    """CREATE TRIGGER IF NOT EXISTS published_versions_undeletable BEFORE DELETE ON versions
       WHEN OLD.published = 1 BEGIN SELECT RAISE(ABORT, 'published version is immutable'); END""",
    """CREATE TRIGGER IF NOT EXISTS published_assignments_immutable BEFORE UPDATE ON assignments
       WHEN (SELECT published FROM versions WHERE id = OLD.version_id) = 1
       BEGIN SELECT RAISE(ABORT, 'published version is immutable'); END""",
    """CREATE TRIGGER IF NOT EXISTS published_assignments_undeletable BEFORE DELETE ON assignments
       WHEN (SELECT published FROM versions WHERE id = OLD.version_id) = 1
       BEGIN SELECT RAISE(ABORT, 'published version is immutable'); END""",
    """CREATE TRIGGER IF NOT EXISTS snapshots_immutable BEFORE UPDATE ON snapshots
       BEGIN SELECT RAISE(ABORT, 'published version is immutable'); END""",
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """The scenario store. ``user`` decides what is allowed (local mode: the implicit admin)."""

    def __init__(self, url: str | None = None, user: User = LOCAL):
        self.url = url or default_url()
        if self.url.startswith("postgresql://"):
            self.url = "postgresql+psycopg://" + self.url[len("postgresql://") :]
        if self.url.startswith("postgresql+psycopg://"):
            _require_psycopg()
        self.user = user
        if self.url.startswith("sqlite"):
            self.engine = sa.create_engine(self.url, future=True, connect_args={"timeout": 30})

            @sa.event.listens_for(self.engine, "connect")
            def _pragma(conn, _):
                conn.isolation_level = None  # we issue BEGIN ourselves (below)
                cur = conn.cursor()
                cur.execute("PRAGMA busy_timeout=30000")
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()

            @sa.event.listens_for(self.engine, "begin")
            def _begin(conn):
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock before reading the latest version
        else:
            self.engine = sa.create_engine(self.url, future=True)
        try:
            metadata.create_all(self.engine)
            _migrate(self.engine)
            if self.engine.dialect.name == "sqlite":
                with self.engine.begin() as c:
                    for t in _SQLITE_TRIGGERS:
                        c.exec_driver_sql(t)
        except sa.exc.OperationalError as exc:
            raise StoreError(
                f"the scenario store cannot be opened ({type(exc.orig).__name__}); is another process holding it?"
            ) from None

    def _tx(self):
        """A write transaction whose database errors come out as StoreError/ConflictError."""
        return _Tx(self.engine)

    def as_user(self, user: User) -> Store:
        s = Store.__new__(Store)
        s.url, s.user, s.engine = self.url, user, self.engine
        return s

    # ------------------------------------------------------------ writes
    def _require_write(self) -> None:
        if not self.user.can_write():
            raise StoreError(f"user {self.user.name} ({self.user.role}) may not change scenarios")

    def require_write(self) -> None:
        """StoreError unless the user may save (editors and admins): callers check before long work."""
        self._require_write()

    def create(
        self,
        council: str,
        name: str,
        assignments_df: pd.DataFrame,
        rate_model: dict,
        description: str = "",
        note: str = "",
        valid_units: set[str] | None = None,
        base: pd.DataFrame | None = None,
        settings: dict | None = None,
    ) -> ScenarioVersion:
        """A new scenario with its version 1. ``base``: the assignments it was edited from (the council's base
        plan); the audit then records, after "create", every unit changed against it with its reason."""
        self._require_write()
        council, name = norm_council(council), clean_text(name, "scenario name", MAX_TEXT)
        description = clean_text(description, "description", MAX_LONG_TEXT, required=False)
        note = clean_text(note, "note", MAX_LONG_TEXT, required=False)
        rows = _check_assignments(assignments_df, valid_units)
        _check_rate_model(rate_model)
        now = _now()
        with self._tx() as c:
            hit = c.execute(
                sa.select(scenarios.c.id).where(scenarios.c.council == council, scenarios.c.name == name)
            ).first()
            if hit:
                raise StoreError(
                    f"a scenario named '{excerpt(name)}' already exists for {council} (scenario {hit[0]}); "
                    "open it and save a new version of it, or choose another name"
                )
            sid = c.execute(
                scenarios.insert().values(
                    council=council, name=name, description=description, author=self.user.name, created=now, updated=now
                )
            ).inserted_primary_key[0]
            self._insert_version(c, sid, 1, rows, rate_model, note, None, now, check_settings(settings))
            if base is not None:
                self._audit_changes(c, sid, 1, rows, base, note, now, empty=None)
        return self.load(sid, 1)

    def save(
        self,
        scenario_id: int,
        parent_version: int,
        assignments_df: pd.DataFrame,
        rate_model: dict,
        note: str = "",
        valid_units: set[str] | None = None,
        settings: dict | None = None,
    ) -> ScenarioVersion:
        """Append a version made from ``parent_version``; ConflictError if that is not the latest. ``settings``:
        weeks a year, term and uplift of the version (``check_settings``)."""
        self._require_write()
        note = clean_text(note, "note", MAX_LONG_TEXT, required=False)
        if parent_version is None or not isinstance(parent_version, int) or isinstance(parent_version, bool):
            raise StoreError("a save must name the version it was edited from (its parent)")
        rows = _check_assignments(assignments_df, valid_units)
        _check_rate_model(rate_model)
        now = _now()
        with self._tx() as c:
            q = sa.select(sa.func.max(versions.c.number)).where(versions.c.scenario_id == scenario_id)
            if self.engine.dialect.name == "postgresql":
                c.execute(sa.select(scenarios.c.id).where(scenarios.c.id == scenario_id).with_for_update())
            latest = c.execute(q).scalar()
            if latest is None:
                raise StoreError(f"no scenario {scenario_id}")
            if latest != parent_version:
                raise ConflictError(
                    f"conflict: scenario {scenario_id} has version {latest}; this save started from "
                    f"version {parent_version}. Nothing was saved: reopen version {latest} and apply "
                    "your changes again."
                )
            prev = self._assignments(c, scenario_id, latest)
            self._insert_version(
                c, scenario_id, latest + 1, rows, rate_model, note, prev, now, check_settings(settings)
            )
            c.execute(scenarios.update().where(scenarios.c.id == scenario_id).values(updated=now))
        return self.load(scenario_id, parent_version + 1)

    def _insert_version(
        self, c, sid, number, rows, rate_model, note, prev: pd.DataFrame | None, now, settings: dict | None = None
    ) -> None:
        vid = c.execute(
            versions.insert().values(
                scenario_id=sid,
                number=number,
                author=self.user.name,
                created=now,
                note=note,
                rate_model=json.dumps(rate_model, default=str),
                published=False,
                n_units=len(rows),
                settings=None if settings is None else json.dumps(settings),
            )
        ).inserted_primary_key[0]
        chunk = 50
        for i in range(0, len(rows), chunk):
            c.execute(assignments.insert(), [dict(r, version_id=vid) for r in rows[i : i + chunk]])
            if SAVE_CHUNK_HOOK is not None:
                SAVE_CHUNK_HOOK(min(i + chunk, len(rows)), len(rows))
        # audit: what changed against the previous version (or "created")
        if prev is None:
            c.execute(
                audit.insert().values(
                    scenario_id=sid, version=number, who=self.user.name, at=now, action="create", reason=note
                )
            )
        else:
            self._audit_changes(c, sid, number, rows, prev, note, now, empty="save")

    def _audit_changes(self, c, sid, number, rows, prev: pd.DataFrame, note, now, empty: str | None) -> None:
        """One "change" audit row per unit whose zone or band differs from ``prev`` (with its reason); when none
        differs, one ``empty`` row (if given)."""
        old = prev.astype({"unit_code": str}).set_index("unit_code")
        ch = []
        for r in rows:
            o = old.loc[r["unit_code"]] if r["unit_code"] in old.index else None
            if o is None or str(o["zone"]) != r["zone"] or str(o["band"]) != r["band"]:
                ch.append(
                    dict(
                        scenario_id=sid,
                        version=number,
                        who=self.user.name,
                        at=now,
                        action="change",
                        unit_code=r["unit_code"],
                        from_zone="" if o is None else str(o["zone"]),
                        to_zone=r["zone"],
                        from_band="" if o is None else str(o["band"]),
                        to_band=r["band"],
                        reason=r["reason"] or note,
                    )
                )
        if ch:
            c.execute(audit.insert(), ch)
        elif empty:
            c.execute(
                audit.insert().values(
                    scenario_id=sid, version=number, who=self.user.name, at=now, action=empty, reason=note
                )
            )

    def publish(self, scenario_id: int, version: int, snapshot: dict | None = None) -> str:
        """Make a version immutable and readable by viewers (admins only); returns its read-only link.

        ``snapshot``: what else determines the version's numbers (``zones.service.workspace.publication_snapshot``:
        hours per unit, digests of the pack and data, totals); stored with a digest over everything. Publishing
        a published version again changes nothing."""
        self.require_publish()
        with self._tx() as c:
            v = c.execute(
                sa.select(versions.c.id, versions.c.published, versions.c.rate_model, versions.c.settings).where(
                    versions.c.scenario_id == scenario_id, versions.c.number == version
                )
            ).first()
            if v is None:
                raise StoreError(f"no version {version} of scenario {scenario_id}")
            council = c.execute(sa.select(scenarios.c.council).where(scenarios.c.id == scenario_id)).scalar()
            if v.published:
                return published_link(scenario_id, version, council)
            snap = json.loads(json.dumps(snapshot or {}, default=str))
            a = self._assignments(c, scenario_id, version)
            digest = version_digest(a, json.loads(v.rate_model), snap, json.loads(v.settings) if v.settings else None)
            c.execute(
                snapshots.insert().values(version_id=v.id, payload=json.dumps(snap, sort_keys=True), digest=digest)
            )
            c.execute(versions.update().where(versions.c.id == v.id).values(published=True))
            c.execute(
                audit.insert().values(
                    scenario_id=scenario_id,
                    version=version,
                    who=self.user.name,
                    at=_now(),
                    action="publish",
                    reason=f"digest {digest[:12]}",
                )
            )
        return published_link(scenario_id, version, council)

    def require_publish(self) -> None:
        if not self.user.can_publish():
            raise StoreError(f"user {self.user.name} ({self.user.role}) may not publish; ask an admin")

    def record_login_failure(self, name: str, why: str) -> None:
        """A failed sign-in in the audit log (scenario 0), for admins to read with ``login_failures``."""
        try:
            with self._tx() as c:
                c.execute(
                    audit.insert().values(
                        scenario_id=0,
                        version=0,
                        who=excerpt(name, 60),
                        at=_now(),
                        action="login_failed",
                        reason=excerpt(why, 100),
                    )
                )
        except StoreError:
            pass

    def login_failures(self) -> pd.DataFrame:
        if not self.user.can_manage_users():
            raise StoreError(f"user {self.user.name} ({self.user.role}) may not read sign-in failures")
        log = self.audit_log(0)
        return log[log["action"] == "login_failed"].reset_index(drop=True)

    def login_guard(self) -> StoreLoginGuard:
        """The sign-in back-off with its counter in this store's database (shared by every app process and CLI
        run); pass it to ``zones.service.auth.authenticate``."""
        return StoreLoginGuard(self.engine)

    # ------------------------------------------------------------ reads
    def _assignments(self, c, sid: int, number: int) -> pd.DataFrame:
        vid = c.execute(
            sa.select(versions.c.id).where(versions.c.scenario_id == sid, versions.c.number == number)
        ).scalar()
        rows = c.execute(
            sa.select(*[assignments.c[k] for k in ASSIGNMENT_COLUMNS])
            .where(assignments.c.version_id == vid)
            .order_by(assignments.c.unit_code)
        ).all()
        return pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS)

    def load(self, scenario_id: int, version: int | None = None) -> ScenarioVersion:
        """A version (default: the latest the user may read). Viewers may read published versions only."""
        with self.engine.connect() as c:
            s = c.execute(sa.select(scenarios).where(scenarios.c.id == scenario_id)).mappings().first()
            if s is None:
                raise StoreError(self._not_found(scenario_id, version, f"no scenario {scenario_id}"))
            q = sa.select(versions).where(versions.c.scenario_id == scenario_id)
            if self.user.role == "viewer":
                q = q.where(versions.c.published.is_(True))
            q = q.where(versions.c.number == version) if version is not None else q.order_by(versions.c.number.desc())
            v = c.execute(q).mappings().first()
            if v is None:
                raise StoreError(
                    self._not_found(
                        scenario_id,
                        version,
                        f"scenario {scenario_id} has no version "
                        f"{version if version else ''} readable by {self.user.name} "
                        f"({self.user.role})".replace("  ", " "),
                    )
                )
            a = self._assignments(c, scenario_id, v["number"])
            snap_row = c.execute(
                sa.select(snapshots.c.payload, snapshots.c.digest).where(snapshots.c.version_id == v["id"])
            ).first()
        rate_model = json.loads(v["rate_model"])
        settings = json.loads(v["settings"]) if v.get("settings") else None
        snap, digest = None, ""
        if v["published"] and snap_row is not None:
            snap, digest = json.loads(snap_row.payload), snap_row.digest
            if version_digest(a, rate_model, snap, settings) != digest:
                raise StoreError(
                    f"published version {v['number']} of scenario {scenario_id} does not match its digest: "
                    "it has been altered in the database"
                )
        return ScenarioVersion(
            scenario_id,
            s["council"],
            s["name"],
            s["description"],
            v["number"],
            v["author"],
            v["created"],
            v["note"],
            bool(v["published"]),
            rate_model,
            a,
            snap,
            digest,
            settings,
        )

    def _not_found(self, scenario_id: int, version: int | None, detail: str) -> str:
        """Editors and admins (who may list every scenario) get the detail; viewers one sentence whatever the
        reason (no such id, not published, no such version), so unpublished ids cannot be told from missing ones."""
        if self.user.role == "viewer":
            return NO_PUBLISHED_VERSION
        return detail

    def list(self, council: str | None = None) -> pd.DataFrame:
        """Scenarios with their latest (readable) version number and published versions."""
        with self.engine.connect() as c:
            q = (
                sa.select(
                    scenarios.c.id,
                    scenarios.c.council,
                    scenarios.c.name,
                    scenarios.c.author,
                    scenarios.c.updated,
                    sa.func.max(versions.c.number).label("latest_version"),
                    sa.func.count(versions.c.id).label("n_versions"),
                )
                .join(versions)
                .group_by(scenarios.c.id)
            )
            if council:
                q = q.where(scenarios.c.council == norm_council(council))
            if self.user.role == "viewer":
                q = q.where(versions.c.published.is_(True))
            return pd.DataFrame(
                c.execute(q.order_by(scenarios.c.updated.desc())).all(),
                columns=["id", "council", "name", "author", "updated", "latest_version", "n_versions"],
            )

    def versions(self, scenario_id: int) -> pd.DataFrame:
        with self.engine.connect() as c:
            q = (
                sa.select(
                    versions.c.number,
                    versions.c.author,
                    versions.c.created,
                    versions.c.note,
                    versions.c.published,
                    versions.c.n_units,
                )
                .where(versions.c.scenario_id == scenario_id)
                .order_by(versions.c.number)
            )
            if self.user.role == "viewer":
                q = q.where(versions.c.published.is_(True))
            return pd.DataFrame(
                c.execute(q).all(), columns=["version", "author", "created", "note", "published", "n_units"]
            )

    def audit_log(self, scenario_id: int) -> pd.DataFrame:
        """The audit trail of a scenario. Viewers see only the entries of published versions."""
        if scenario_id == 0 and not self.user.can_manage_users():
            raise StoreError(f"user {self.user.name} ({self.user.role}) may not read sign-in failures")
        with self.engine.connect() as c:
            q = sa.select(
                audit.c.version,
                audit.c.who,
                audit.c.at,
                audit.c.action,
                audit.c.unit_code,
                audit.c.from_zone,
                audit.c.to_zone,
                audit.c.from_band,
                audit.c.to_band,
                audit.c.reason,
            ).where(audit.c.scenario_id == scenario_id)
            if self.user.role == "viewer":
                pub = sa.select(versions.c.number).where(
                    versions.c.scenario_id == scenario_id, versions.c.published.is_(True)
                )
                q = q.where(audit.c.version.in_(pub))
            rows = c.execute(q.order_by(audit.c.id)).all()
        return pd.DataFrame(
            rows,
            columns=[
                "version",
                "who",
                "at",
                "action",
                "unit_code",
                "from_zone",
                "to_zone",
                "from_band",
                "to_band",
                "reason",
            ],
        )

    def compare(self, a: tuple[int, int], b: tuple[int, int]) -> pd.DataFrame:
        """Units whose zone or band differ between two versions (scenario_id, version)."""
        va, vb = self.load(*a), self.load(*b)
        m = va.assignments.merge(vb.assignments, on="unit_code", suffixes=("_a", "_b"), how="outer")
        diff = m[(m["zone_a"] != m["zone_b"]) | (m["band_a"] != m["band_b"])]
        return diff[["unit_code", "zone_a", "zone_b", "band_a", "band_b", "reason_b"]].reset_index(drop=True)


class StoreLoginGuard:
    """``zones.service.auth.LoginGuard``'s rule with the counter in the store's database (table
    ``login_throttle``), so the limit holds across processes: after ``max_failures`` failures of a name, each
    less than ``window_s`` after the one before, the name is refused for ``backoff_s`` doubling with every
    further failure; ``window_s`` after the last failure the count starts again. The time comes from
    ``zones.service.clock.utc_now`` (or ``clock``, a callable returning an aware UTC datetime)."""

    def __init__(
        self,
        engine,
        max_failures: int = MAX_FAILURES,
        window_s: float = FAILURE_WINDOW_S,
        backoff_s: float = BACKOFF_S,
        clock_fn=None,
    ):
        self.engine, self.max_failures, self.window_s, self.backoff_s = engine, max_failures, window_s, backoff_s
        self.clock_fn = clock_fn

    def _now(self) -> dt.datetime:
        return (self.clock_fn or clock.utc_now)()

    @staticmethod
    def _key(name: str) -> str:
        return hashlib.sha256(str(name).encode("utf-8", "surrogatepass")).hexdigest()

    def wait_s(self, name: str) -> float:
        """Seconds before ``name`` may try again (0 when allowed)."""
        now = self._now()
        with self.engine.connect() as c:
            row = c.execute(
                sa.select(login_throttle.c.failures, login_throttle.c.last_failure).where(
                    login_throttle.c.name_key == self._key(name)
                )
            ).first()
        if row is None:
            return 0.0
        last = clock.as_utc(row.last_failure)
        since = (now - last).total_seconds()
        extra = row.failures - self.max_failures
        if since >= self.window_s or extra < 0:
            return 0.0
        return max(0.0, self.backoff_s * (2 ** min(extra, 10)) - since)

    def failed(self, name: str) -> None:
        """One more failure of ``name`` (atomic: concurrent failures all count)."""
        now = self._now()
        stale = now - dt.timedelta(seconds=self.window_s)
        t = login_throttle
        ins = _dialect_insert(self.engine)(t).values(name_key=self._key(name), failures=1, last_failure=now)
        ins = ins.on_conflict_do_update(
            index_elements=["name_key"],
            set_={"failures": sa.case((t.c.last_failure <= stale, 1), else_=t.c.failures + 1), "last_failure": now},
        )
        with _Tx(self.engine) as c:
            c.execute(t.delete().where(t.c.last_failure <= stale))  # forgotten names: the table stays small
            c.execute(ins)

    def succeeded(self, name: str) -> None:
        with _Tx(self.engine) as c:
            c.execute(login_throttle.delete().where(login_throttle.c.name_key == self._key(name)))


def _dialect_insert(engine):
    """INSERT … ON CONFLICT for the engine's dialect (SQLite and PostgreSQL both have it)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


class _Tx:
    """``with engine.begin()`` whose database errors become StoreError (busy) or ConflictError (lost race)."""

    def __init__(self, engine):
        self.cm = engine.begin()

    def __enter__(self):
        try:
            return self.cm.__enter__()
        except sa.exc.OperationalError as exc:
            raise StoreError(
                f"the scenario store is busy ({excerpt(exc.orig, 60)}); nothing was saved, try again"
            ) from None

    def __exit__(self, et, ev, tb):
        try:
            self.cm.__exit__(et, ev, tb)
        except sa.exc.IntegrityError:
            raise ConflictError(
                "conflict: another save of this scenario (or a scenario of the same name) finished "
                "first; nothing was saved: reopen the latest version and apply your changes again"
            ) from None
        except sa.exc.OperationalError as exc:
            raise StoreError(
                f"the scenario store is busy ({excerpt(exc.orig, 60)}); nothing was saved, try again"
            ) from None
        if isinstance(ev, sa.exc.IntegrityError):
            raise ConflictError(
                "conflict: another save of this scenario (or a scenario of the same name) finished "
                "first; nothing was saved: reopen the latest version and apply your changes again"
            ) from None
        if isinstance(ev, sa.exc.OperationalError):
            raise StoreError(
                f"the scenario store is busy ({excerpt(ev.orig, 60)}); nothing was saved, try again"
            ) from None
        return False


def _migrate(engine) -> None:
    """Bring a store made by an earlier release up to this schema (columns added since; nothing removed)."""

    def has_settings() -> bool:
        return "settings" in {c["name"] for c in sa.inspect(engine).get_columns("versions")}

    if has_settings():
        return
    try:
        with engine.begin() as c:
            c.exec_driver_sql("ALTER TABLE versions ADD COLUMN settings TEXT")
    except sa.exc.DBAPIError:
        if not has_settings():  # another process adding it at the same time is fine; anything else is not
            raise


def check_settings(settings: dict | None) -> dict | None:
    """Money settings saved with a version: {weeks_per_year 1-53 (up to 2 places, 52.14), term_years 1-50,
    uplift_pct -50…100} (as the impact bounds of ``geodata.limits``), stored as plain JSON values (weeks an int, or
    a number with decimals); None stays None."""
    if settings is None:
        return None
    from geodata.limits import TERM_YEARS, UPLIFT_PCT, bounded_decimal, int_in, weeks_per_year
    from zones.money import weeks_json

    if not isinstance(settings, dict) or set(settings) - {"weeks_per_year", "term_years", "uplift_pct"}:
        raise DataError("settings: only weeks_per_year, term_years and uplift_pct are kept with a version")
    out: dict[str, int | float | str] = {}
    if "weeks_per_year" in settings:
        out["weeks_per_year"] = weeks_json(weeks_per_year(settings["weeks_per_year"]))
    if "term_years" in settings:
        out["term_years"] = int_in(settings["term_years"], "framework term (years)", *TERM_YEARS)
    if "uplift_pct" in settings:
        out["uplift_pct"] = str(bounded_decimal(settings["uplift_pct"], "annual uplift (%)", *UPLIFT_PCT, 4))
    return out


def _check_rate_model(rate_model: dict) -> dict:
    """A rate card as stored: rates £0 … £1,000 per hour (``geodata.limits``), small and shallow."""
    if not isinstance(rate_model, dict):
        raise DataError("rate model must be a table of rates")
    obj_depth_ok(rate_model, 6)
    if len(json.dumps(rate_model, default=str)) > 100_000:
        raise DataError("rate model is too large")
    for section in ("rates", "floor", "ceiling", "zone_floor", "zone_ceiling"):
        for k, v in (rate_model.get(section) or {}).items():
            rate_gbp_per_hour(v, f"rate model {section} '{excerpt(k, 30)}'")
    if rate_model.get("sessional_rate_gbp_per_hour") not in (None, ""):
        rate_gbp_per_hour(rate_model["sessional_rate_gbp_per_hour"], "sessional rate")
    from zones.rates import _providers_fields  # providers per zone: whole numbers 0-50, floor 0-100,000 h/week

    by_zone = rate_model.get("providers_by_zone") or {}
    if isinstance(by_zone, dict):
        for z in by_zone:
            clean_text(str(z), "providers: zone name", MAX_TEXT)
    _providers_fields(rate_model.get("providers_per_zone"), by_zone, rate_model.get("viability_floor_hours_per_week"))
    return rate_model


def _check_assignments(df: pd.DataFrame, valid_units: set[str] | None) -> list[dict]:
    missing = [c for c in ["unit_code", "zone", "band"] if c not in df.columns]
    if missing:
        raise DataError(f"assignments lack column(s) {', '.join(missing)}")
    df = df.copy()
    for c in ASSIGNMENT_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    df = df[ASSIGNMENT_COLUMNS].fillna("").astype(str)
    problems = []
    for col in ASSIGNMENT_COLUMNS:
        limit = MAX_LONG_TEXT if col == "reason" else MAX_TEXT
        for i, v in enumerate(df[col].tolist(), start=1):
            try:
                clean_text(v, f"row {i}: {col}", limit, required=col in ("unit_code", "zone", "band"))
            except DataError as exc:
                problems.append(str(exc))
                break
    df = df.apply(lambda s: s.str.strip())
    dup = df["unit_code"][df["unit_code"].duplicated()]
    if len(dup):
        problems.append(f"duplicate unit code(s) {', '.join(excerpt(c, 20) for c in sorted(set(dup))[:10])}")
    if valid_units is not None:
        unknown = sorted(set(df["unit_code"]) - set(valid_units))
        if unknown:
            problems.append(f"unknown unit code(s) {', '.join(excerpt(c, 20) for c in unknown[:10])}")
    if problems:
        raise DataError("assignments: " + "; ".join(problems))
    return df.to_dict("records")
