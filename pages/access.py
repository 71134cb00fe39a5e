"""Who uses the app and what this server lets them do: the signed-in user (the council's identity provider via
Streamlit's OIDC login, the local users file, or the implicit local admin) and the shared-server editing rule.

``pages.common`` (sidebar, sign-in page) and ``pages.state`` (drafts belong to the user) both read it; it imports
neither, so the pages' imports have no circle.
"""

from __future__ import annotations

import os

import streamlit as st


def _secrets_section(name: str) -> dict:
    try:
        return dict(st.secrets[name]) if name in st.secrets else {}
    except Exception:  # noqa: BLE001 - no secrets.toml at all
        return {}


def oidc_configured() -> bool:
    """Streamlit's OIDC login (``st.login``) is configured: ``[auth]`` in .streamlit/secrets.toml."""
    return bool(_secrets_section("auth"))


def _oidc_user():
    """The signed-in provider user mapped to a role (``[zoneplan_roles]`` in secrets), or None."""
    from zones.service.auth import oidc_user

    try:
        if not getattr(st.user, "is_logged_in", False):
            return None
        claims = st.user.to_dict()
    except Exception:  # noqa: BLE001
        return None
    return oidc_user(claims, _secrets_section("zoneplan_roles"))


def editing_refusal() -> str | None:
    """The sentence editing pages show instead of editing, when the server is shared without a login."""
    from zones.service.deployment import editing_refusal as refusal

    try:
        address = st.get_option("server.address")
    except Exception:  # noqa: BLE001
        address = None
    return refusal(address, os.environ, oidc_configured())


def editing_refused() -> bool:
    return editing_refusal() is not None


def current_user():
    """Local single-user mode (no users file, no OIDC): the implicit admin. Otherwise the signed-in user (the
    council's identity provider first, then the local users file), or an anonymous viewer."""
    from zones.service.auth import LOCAL, User, logins_required

    if not logins_required() and not oidc_configured():
        return User("anonymous", "viewer") if editing_refused() else LOCAL
    return _oidc_user() or st.session_state.get("user") or User("anonymous", "viewer")
