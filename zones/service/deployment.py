"""Single-user or shared deployment (issue 14 §1): who may edit, and the address links are made with.

``make app`` serves the planner on 127.0.0.1 for the person at the machine (no login: the implicit admin).
Served to a network (a non-loopback ``server.address``, an unset one — Streamlit then listens on every
interface — or ``ZONEPLAN_SHARED=1``) it needs a login (``ZONEPLAN_USERS`` or OIDC ``[auth]``): without one, the
editing pages refuse with ``editing_refusal``'s message and the rest of the app is read-only.

No streamlit here: ``pages/state.py`` passes in the address, the environment and whether OIDC is configured.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

SHARED_ENV = "ZONEPLAN_SHARED"
BASE_URL_ENV = "ZONEPLAN_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8501"


def is_loopback(address: str | None) -> bool:
    """127.0.0.0/8, ::1 or localhost. An empty address means every interface: not loopback."""
    a = (address or "").strip().strip("[]")
    if not a:
        return False
    if a.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(a).is_loopback
    except ValueError:
        return False  # a host name: resolved by the server to whatever it is, treat as shared


def _environ(env: Mapping[str, str] | None) -> Mapping[str, str]:
    """The variables to read: those given (tests), else the process environment."""
    return os.environ if env is None else env


def is_shared(address: str | None, env: Mapping[str, str] | None = None) -> bool:
    env = _environ(env)
    if str(env.get(SHARED_ENV, "")).strip().lower() in ("1", "true", "yes", "on"):
        return True
    return not is_loopback(address)


def login_configured(env: Mapping[str, str] | None = None, oidc: bool = False) -> bool:
    env = _environ(env)
    return bool(oidc or (env.get("ZONEPLAN_USERS") or "").strip())


def editing_refusal(address: str | None, env: Mapping[str, str] | None = None, oidc: bool = False) -> str | None:
    """None when editing is allowed; otherwise the sentence the editing pages show instead."""
    if not is_shared(address, env) or login_configured(env, oidc):
        return None
    where = (
        "ZONEPLAN_SHARED=1 is set"
        if is_shared("127.0.0.1", env)
        else f"the server listens on {address or 'every network interface'}"
    )
    return (
        f"Editing is turned off: this planner is shared on a network ({where}) and nobody signs in. "
        "The administrator turns on sign-in (ZONEPLAN_USERS=users.toml or OIDC in .streamlit/secrets.toml, see "
        "the README's 'Shared deployment'), or runs it for one person on 127.0.0.1 with `make app`. "
        "The Zone map and Report stay available read-only."
    )


def base_url(
    context_url: str | None = None,
    headers: dict | None = None,
    env: Mapping[str, str] | None = None,
    base_path: str = "",
) -> str:
    """scheme://host[:port][/base path] that links are made with: the browser's URL (``st.context.url``), else
    the request's Host header (``X-Forwarded-Proto`` for the scheme), else ``ZONEPLAN_BASE_URL``, else
    127.0.0.1:8501. Never a trailing slash."""
    env = _environ(env)
    path = "/" + base_path.strip("/") if base_path and base_path.strip("/") else ""
    if context_url:
        u = urlsplit(context_url)
        if u.scheme in ("http", "https") and u.netloc:
            return f"{u.scheme}://{u.netloc}{path}"
    h = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    host = h.get("x-forwarded-host") or h.get("host")
    if host and all(c not in host for c in "/\\ @?#<>\"'"):
        proto = h.get("x-forwarded-proto", "http").split(",")[0].strip().lower()
        return f"{'https' if proto == 'https' else 'http'}://{host}{path}"
    configured = (env.get(BASE_URL_ENV) or "").strip().rstrip("/")
    if configured:
        return configured
    return DEFAULT_BASE_URL + path
