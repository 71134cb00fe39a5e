"""Users and roles. Local single-user mode (no users file) is an implicit admin called "local".
A users file (``ZONEPLAN_USERS``, TOML) with bcrypt password hashes turns logins on:

    [users.alice]
    role = "editor"            # viewer | editor | admin
    password_bcrypt = "$2b$12$..."

Roles: viewer (scrutiny: reads published scenarios only), editor (commissioner/finance: saves), admin (all,
including publishing). The store enforces them; the UI only mirrors them.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import bcrypt

from geodata.datadir import DataError

ROLES = ("viewer", "editor", "admin")
USERS_ENV = "ZONEPLAN_USERS"


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can_write(self) -> bool:
        return self.role in ("editor", "admin")

    def can_publish(self) -> bool:
        return self.role in ("editor", "admin")


LOCAL = User("local", "admin")


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def users_file() -> Path | None:
    raw = os.environ.get(USERS_ENV)
    return Path(raw) if raw else None


def load_users(path: Path) -> dict[str, dict]:
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"users file {path}: {exc}") from exc
    users = data.get("users", {})
    bad = [n for n, u in users.items() if u.get("role") not in ROLES or not u.get("password_bcrypt")]
    if bad:
        raise DataError(f"users file {path}: user(s) {', '.join(bad)} need role in {ROLES} and password_bcrypt")
    return users


def authenticate(name: str, password: str, path: Path | None = None) -> User | None:
    """The user if the name and password match the users file; None otherwise. No file: local admin."""
    path = path or users_file()
    if path is None:
        return LOCAL
    u = load_users(path).get(name)
    if u and bcrypt.checkpw(password.encode(), u["password_bcrypt"].encode()):
        return User(name, u["role"])
    return None


def logins_required() -> bool:
    return users_file() is not None
