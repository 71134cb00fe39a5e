"""Users and roles. Local single-user mode (no users file, no OIDC) is an implicit admin called "local".

Two ways to sign in, one set of roles:

1. **The council's identity provider** (Microsoft Entra ID, Google, Okta …) through Streamlit's built-in OIDC
   login (``st.login``; the provider is configured in ``.streamlit/secrets.toml`` under ``[auth]``). The
   provider's identity token claims (``email``, ``groups``) are mapped to a role by ``role_for_claims`` using
   the ``[zoneplan_roles]`` table of the same secrets file (see README "Sign-in").
2. **Local users** (the fallback): a users file (``ZONEPLAN_USERS``, TOML) with bcrypt password hashes:

       [users.alice]
       role = "editor"            # viewer | editor | admin
       password_bcrypt = "$2b$12$..."

Roles (issue 11 §5):

- viewer (scrutiny, the public): published versions only: map, report, and the audit of published versions;
- editor (commissioners, finance): also saves versions (proposals);
- admin: also publishes and manages users.

The store enforces them; the UI only mirrors them. The CLI uses the same users file when a shared store is
configured (``ZONEPLAN_USER`` + ``ZONEPLAN_PASSWORD``, see ``zones.cli.main.cli_user``).

Login hardening: the time taken does not depend on whether the user exists (an unknown user is checked against
a dummy hash); after ``MAX_FAILURES`` failures in ``FAILURE_WINDOW_S`` a name is refused for a back-off that
doubles with every further failure (``LoginGuard`` in memory for tests and tools; the app and the CLI use
``zones.service.store.StoreLoginGuard``, the same rule with its counter in the store, so it holds across
processes); failures are passed to an ``on_failure`` callback (the app and CLI write them to the store's audit
log); passwords over bcrypt's 72-byte limit are refused (never truncated, so "72 bytes + anything" cannot
match); a malformed hash in the users file raises ``AuthConfigError``
(a server-side configuration error naming the user, logged; the person signing in sees a generic message).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt

from geodata.datadir import DataError
from geodata.limits import MAX_TEXT, clean_text, excerpt

ROLES = ("viewer", "editor", "admin")
USERS_ENV = "ZONEPLAN_USERS"
MAX_PASSWORD_BYTES = 72
MAX_FAILURES = 5
FAILURE_WINDOW_S = 900.0
BACKOFF_S = 30.0
log = logging.getLogger("zoneplan.auth")
_DUMMY: list[str] = []


def _dummy_hash() -> str:
    """A bcrypt hash (cost 12, like hash_password) of a random secret: unknown users are checked against it."""
    if not _DUMMY:
        _DUMMY.append(bcrypt.hashpw(os.urandom(16).hex().encode(), bcrypt.gensalt(12)).decode())
    return _DUMMY[0]


class AuthConfigError(DataError):
    """The users file or the role mapping is broken (server-side; the message names the entry, never a secret)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can_write(self) -> bool:
        """Editors and admins save versions (proposals)."""
        return self.role in ("editor", "admin")

    def can_publish(self) -> bool:
        """Only admins publish (issue 11 §5: editors could publish before)."""
        return self.role == "admin"

    def can_manage_users(self) -> bool:
        return self.role == "admin"


LOCAL = User("local", "admin")


def _pw_bytes(password: str) -> bytes:
    return (password or "").encode("utf-8")


def hash_password(password: str) -> str:
    """A bcrypt hash; passwords over 72 bytes (bcrypt's limit) are refused rather than silently truncated."""
    pw = _pw_bytes(password)
    if not pw:
        raise DataError("the password is empty")
    if len(pw) > MAX_PASSWORD_BYTES:
        raise DataError(
            f"the password is {len(pw)} bytes long; bcrypt uses at most {MAX_PASSWORD_BYTES} bytes, "
            "so choose a shorter one (a passphrase of up to 72 bytes)"
        )
    return bcrypt.hashpw(pw, bcrypt.gensalt()).decode()


def users_file() -> Path | None:
    raw = os.environ.get(USERS_ENV)
    return Path(raw) if raw else None


def load_users(path: Path) -> dict[str, dict]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AuthConfigError(f"users file {path}: cannot be read ({type(exc).__name__})") from None
    users = data.get("users", {})
    if not isinstance(users, dict):
        raise AuthConfigError(f"users file {path}: [users] must be a table")
    bad = [
        n
        for n, u in users.items()
        if not isinstance(u, dict) or u.get("role") not in ROLES or not u.get("password_bcrypt")
    ]
    if bad:
        raise AuthConfigError(
            f"users file {path}: user(s) {', '.join(excerpt(b) for b in bad)} need role in {ROLES} and password_bcrypt"
        )
    return users


def _check_hash(name: str, pw: bytes, stored: str) -> bool:
    try:
        return bcrypt.checkpw(pw, stored.encode("ascii"))
    except (ValueError, UnicodeEncodeError, TypeError):
        log.error("users file: the password hash of user %r is malformed", name)
        raise AuthConfigError(
            f"users file: the password hash of user '{excerpt(name)}' is malformed "
            "(expected a bcrypt hash like $2b$12$…); ask the administrator to reset it"
        ) from None


@dataclass
class LoginGuard:
    """Back-off after repeated failures, per user name (process-wide). ``clock`` is injectable for tests."""

    max_failures: int = MAX_FAILURES
    window_s: float = FAILURE_WINDOW_S
    backoff_s: float = BACKOFF_S
    clock: Callable[[], float] = time.monotonic
    _fails: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_s(self, name: str) -> float:
        """Seconds before ``name`` may try again (0 when allowed)."""
        now = self.clock()
        with self._lock:
            times = [t for t in self._fails.get(name, []) if now - t < self.window_s]
            self._fails[name] = times
            extra = len(times) - self.max_failures
            if extra < 0:
                return 0.0
            until = times[-1] + self.backoff_s * (2 ** min(extra, 10))
            return max(0.0, until - now)

    def failed(self, name: str) -> None:
        with self._lock:
            self._fails.setdefault(name, []).append(self.clock())

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._fails.pop(name, None)


GUARD = LoginGuard()


class LoginRefused(DataError):
    """Too many failed sign-ins for this name: try again after ``wait_s`` seconds."""

    def __init__(self, wait_s: float):
        self.wait_s = wait_s
        super().__init__(f"too many failed sign-ins; try again in {int(wait_s) + 1} s")


def authenticate(
    name: str, password: str, path: Path | None = None, guard: LoginGuard | None = None, on_failure=None
) -> User | None:
    """The user if the name and password match the users file; None otherwise. No file: the local admin.

    Constant time whether or not the user exists (one bcrypt check either way); raises ``LoginRefused`` during a
    back-off and ``AuthConfigError`` for a malformed users file or hash. ``on_failure(name, why)`` is called for
    every failed attempt (the caller writes it to the audit log)."""
    path = path or users_file()
    if path is None:
        return LOCAL
    guard = guard or GUARD
    raw_name = str(name or "")
    try:
        key = clean_text(raw_name, "user name", MAX_TEXT)
    except DataError:
        key = excerpt(raw_name)
    wait = guard.wait_s(key)
    if wait > 0:
        if on_failure:
            on_failure(key, "refused during back-off")
        raise LoginRefused(wait)
    users = load_users(path)
    u = users.get(key)
    pw = _pw_bytes(password)
    too_long = len(pw) > MAX_PASSWORD_BYTES
    stored = u["password_bcrypt"] if u else _dummy_hash()
    ok = _check_hash(key, pw[:MAX_PASSWORD_BYTES], stored)  # always one bcrypt check: same time for unknown users
    ok = bool(ok and u is not None and not too_long)
    if ok and u is not None:
        guard.succeeded(key)
        return User(key, u["role"])
    guard.failed(key)
    if on_failure:
        on_failure(key, "unknown user" if u is None else ("password over 72 bytes" if too_long else "wrong password"))
    return None


def logins_required() -> bool:
    return users_file() is not None


# ------------------------------------------------------------------------------ OIDC (st.login) role mapping
def role_for_claims(claims: dict, mapping: dict) -> str | None:
    """The role of a user signed in with the council's identity provider, from the identity token's claims.

    ``claims``: st.user as a dict (``email``, ``groups`` …). ``mapping`` (secrets ``[zoneplan_roles]``):

    - ``admin_groups`` / ``editor_groups`` / ``viewer_groups``: provider group ids or names (Entra: object ids
      in the ``groups`` claim);
    - ``admin_emails`` / ``editor_emails`` / ``viewer_emails``: exact addresses (case-insensitive);
    - ``viewer_domains``: e-mail domains whose users are viewers (e.g. ``["leics.gov.uk"]``);
    - ``default_role``: role for any other signed-in user (default: none, i.e. refused).

    The highest role that matches wins. Returns None when nothing matches (the user is refused), or when the
    token's e-mail is not verified (``email_verified`` false)."""
    if not isinstance(claims, dict) or not isinstance(mapping, dict):
        return None
    if claims.get("email_verified") is False:
        return None
    email = str(claims.get("email") or claims.get("preferred_username") or "").strip().lower()
    groups = claims.get("groups") or []
    if isinstance(groups, str):
        groups = [groups]
    groups = {str(g).strip().lower() for g in groups if isinstance(g, (str, int))}

    def listed(key: str) -> set[str]:
        v = mapping.get(key) or []
        if isinstance(v, str):
            v = [v]
        return {str(x).strip().lower() for x in v}

    domain = email.rsplit("@", 1)[1] if "@" in email else ""
    for role in ("admin", "editor", "viewer"):
        if groups & listed(f"{role}_groups") or (email and email in listed(f"{role}_emails")):
            return role
        if role == "viewer" and domain and domain in listed("viewer_domains"):
            return "viewer"
    default = mapping.get("default_role")
    return default if default in ROLES else None


def oidc_user(claims: dict, mapping: dict) -> User | None:
    """A User for OIDC claims (name = e-mail), or None if the mapping gives no role."""
    role = role_for_claims(claims, mapping)
    if role is None:
        return None
    name = str(claims.get("email") or claims.get("preferred_username") or claims.get("sub") or "oidc-user")
    return User(clean_text(name, "user name", MAX_TEXT), role)


# ------------------------------------------------------------------------------ users management (admins)
def set_user(path: Path, acting: User, name: str, role: str, password: str | None = None) -> None:
    """Add a user or change a role/password in the users file (admins only). Writes the file atomically."""
    if not acting.can_manage_users():
        raise DataError(f"user {acting.name} ({acting.role}) may not manage users")
    name = clean_text(name, "user name", 64)
    if not all(ch.isalnum() or ch in "._-@" for ch in name):
        raise DataError(f"user name '{excerpt(name)}' may hold letters, digits and . _ - @ only")
    if role not in ROLES:
        raise DataError(f"role '{excerpt(role)}' is not one of {', '.join(ROLES)}")
    users = load_users(path) if Path(path).exists() else {}
    entry = dict(users.get(name, {}))
    entry["role"] = role
    if password is not None:
        entry["password_bcrypt"] = hash_password(password)
    if not entry.get("password_bcrypt"):
        raise DataError(f"a new user '{name}' needs a password")
    users[name] = entry
    lines = []
    for n in sorted(users):
        lines += [
            f'[users."{n}"]',
            f'role = "{users[n]["role"]}"',
            f'password_bcrypt = "{users[n]["password_bcrypt"]}"',
            "",
        ]
    tmp = Path(str(path) + ".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
