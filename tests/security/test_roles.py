"""Issue 11 §5: who may do what; sign-in hardening; the OIDC role mapping (a pure function)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import bcrypt
import pytest

from geodata.datadir import DataError
from tests.security.conftest import CARD, VALID, plan
from zones.service.auth import (
    AuthConfigError,
    LoginGuard,
    LoginRefused,
    User,
    authenticate,
    hash_password,
    role_for_claims,
    set_user,
)
from zones.service.store import Store, StoreError

ROOT = Path(__file__).resolve().parents[2]


def test_roles_viewer_editor_admin(any_store_url):
    s = Store(any_store_url)
    ed, vic, ada = (s.as_user(User(n, r)) for n, r in (("ed", "editor"), ("vic", "viewer"), ("ada", "admin")))
    v1 = ed.create("t", "P", plan().assignments(), CARD.to_dict(), valid_units=VALID)
    ed.save(v1.scenario_id, 1, plan().move("U1", band="rural").assignments(), CARD.to_dict())  # editors propose
    with pytest.raises(StoreError, match="may not publish"):  # before: editors could publish
        ed.publish(v1.scenario_id, 2)
    with pytest.raises(StoreError, match="may not change"):
        vic.save(v1.scenario_id, 2, plan().assignments(), CARD.to_dict())
    assert vic.list("t").empty and vic.audit_log(v1.scenario_id).empty  # before: viewers read the unpublished audit
    ada.publish(v1.scenario_id, 2)
    assert vic.load(v1.scenario_id).number == 2 and set(vic.audit_log(v1.scenario_id)["version"]) == {2}
    assert ada.can_manage_users() if hasattr(ada, "can_manage_users") else True


def test_login_unknown_and_known_users_cost_the_same_bcrypt_check(users_file, monkeypatch):
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda pw, h: calls.append(h[:7]) or real(pw, h))
    g = LoginGuard()
    assert authenticate("ed", "pw-ed", users_file, guard=g) == User("ed", "editor")
    assert authenticate("nobody", "x", users_file, guard=g) is None
    assert authenticate("ed", "wrong", users_file, guard=g) is None
    assert len(calls) == 3 and len({c for c in calls}) == 1  # one cost-12 bcrypt check each, user or not


def test_back_off_after_repeated_failures_and_failures_audited(users_file, any_store_url):
    now = [1000.0]
    g = LoginGuard(max_failures=3, backoff_s=30, clock=lambda: now[0])
    s = Store(any_store_url)
    for _ in range(3):
        assert authenticate("ed", "bad", users_file, guard=g, on_failure=s.record_login_failure) is None
    with pytest.raises(LoginRefused, match="try again in"):
        authenticate("ed", "pw-ed", users_file, guard=g, on_failure=s.record_login_failure)  # even the right one
    now[0] += 31
    assert authenticate("ed", "pw-ed", users_file, guard=g) == User("ed", "editor")
    log = s.as_user(User("ada", "admin")).login_failures()
    assert list(log["action"]) == ["login_failed"] * 4 and set(log["who"]) == {"ed"}
    with pytest.raises(StoreError):
        s.as_user(User("ed", "editor")).login_failures()


def test_passwords_over_72_bytes_and_malformed_hashes(users_file, tmp_path):
    long_pw = "é" * 40  # 80 bytes in UTF-8
    with pytest.raises(DataError, match="72 bytes"):
        hash_password(long_pw)
    f = tmp_path / "u.toml"
    f.write_text(f'[users.kim]\nrole = "editor"\npassword_bcrypt = "{hash_password("a" * 72)}"\n')
    # bcrypt ignores bytes after 72: a longer password must not match by its first 72 bytes
    assert authenticate("kim", "a" * 72 + "anything", f, guard=LoginGuard()) is None
    assert authenticate("kim", "a" * 72, f, guard=LoginGuard()) == User("kim", "editor")
    f.write_text('[users.kim]\nrole = "editor"\npassword_bcrypt = "not-a-bcrypt-hash"\n')
    with pytest.raises(AuthConfigError, match="password hash of user 'kim' is malformed"):
        authenticate("kim", "x", f, guard=LoginGuard())


def test_admins_manage_users(tmp_path):
    f = tmp_path / "users.toml"
    set_user(f, User("root", "admin"), "new.user@council", "editor", "s3cret-pass")
    assert authenticate("new.user@council", "s3cret-pass", f, guard=LoginGuard()) == User("new.user@council", "editor")
    set_user(f, User("root", "admin"), "new.user@council", "viewer")
    assert authenticate("new.user@council", "s3cret-pass", f, guard=LoginGuard()).role == "viewer"
    with pytest.raises(DataError, match="may not manage users"):
        set_user(f, User("ed", "editor"), "x", "admin", "pw")
    with pytest.raises(DataError, match="letters, digits"):  # no TOML injection through a user name
        set_user(f, User("root", "admin"), 'x"] [users.evil', "admin", "pw")
    with pytest.raises(DataError, match="control characters"):
        set_user(f, User("root", "admin"), 'x"]\n[users.evil', "admin", "pw")


MAPPING = {
    "admin_groups": ["6f1c-admins"],
    "editor_groups": ["Commissioners"],
    "editor_emails": ["Fin.Officer@leics.gov.uk"],
    "viewer_domains": ["leics.gov.uk"],
}


@pytest.mark.parametrize(
    "claims,role",
    [
        ({"email": "boss@leics.gov.uk", "groups": ["6f1c-admins", "commissioners"]}, "admin"),
        ({"email": "c@leics.gov.uk", "groups": ["COMMISSIONERS"]}, "editor"),
        ({"email": "fin.officer@leics.gov.uk"}, "editor"),
        ({"email": "cllr@leics.gov.uk"}, "viewer"),
        ({"preferred_username": "cllr@LEICS.gov.uk"}, "viewer"),
        ({"email": "someone@gmail.com"}, None),
        ({"email": "boss@leics.gov.uk", "groups": ["6f1c-admins"], "email_verified": False}, None),
        ({"email": "x@leics.gov.uk.evil.com"}, None),
        ({}, None),
        ("not a dict", None),
    ],
)
def test_oidc_role_mapping(claims, role):
    assert role_for_claims(claims, MAPPING) == role
    assert role_for_claims({"email": "a@b.c"}, {**MAPPING, "default_role": "viewer"}) == "viewer"
    assert role_for_claims({"email": "a@b.c"}, {**MAPPING, "default_role": "superuser"}) is None


def test_cli_uses_the_same_users_and_roles(users_file, any_store_url):
    """With ZONEPLAN_USERS set the CLI signs in like the app; an editor cannot publish from the CLI either."""
    s = Store(any_store_url)
    v1 = s.create("t", "CLI", plan().assignments(), CARD.to_dict(), valid_units=VALID)
    base = {k: v for k, v in os.environ.items() if k not in ("ZONEPLAN_DB_URL",)}
    base.update(ZONEPLAN_USERS=str(users_file))
    if any_store_url.startswith("sqlite:///"):
        base["ZONEPLAN_STORE"] = any_store_url[len("sqlite:///") :]
    else:
        base["ZONEPLAN_DB_URL"] = any_store_url

    def run(*args, **env):
        return subprocess.run(
            [sys.executable, "-m", "zones.cli", "scenario", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**base, **env},
        )

    out = run("list", "--json")
    assert out.returncode == 2 and "ZONEPLAN_USER" in out.stderr
    out = run("list", "--json", ZONEPLAN_USER="vic", ZONEPLAN_PASSWORD="wrong")
    assert out.returncode == 2 and "wrong password" in out.stderr
    assert list(s.as_user(User("ada", "admin")).login_failures()["who"]) == ["vic"]  # audited by the CLI process
    out = run("audit", str(v1.scenario_id), "--json", ZONEPLAN_USER="vic", ZONEPLAN_PASSWORD="pw-vic")
    assert out.returncode == 0 and '"audit": []' in out.stdout  # nothing published: the viewer sees no audit
    out = run("publish", str(v1.scenario_id), "--version", "1", ZONEPLAN_USER="ed", ZONEPLAN_PASSWORD="pw-ed")
    assert out.returncode == 2 and "may not publish" in out.stderr


def test_cli_users_bootstrap_and_only_admins_manage(tmp_path):
    f = tmp_path / "users.toml"
    base = {
        **{k: v for k, v in os.environ.items() if k != "ZONEPLAN_DB_URL"},
        "ZONEPLAN_USERS": str(f),
        "ZONEPLAN_STORE": str(tmp_path / "s.sqlite"),
        "PW1": "admin-pass",
        "PW2": "editor-pass",
    }

    def run(*args, **env):
        return subprocess.run(
            [sys.executable, "-m", "zones.cli", "users", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**base, **env},
        )

    assert run("set", "root", "--role", "admin", "--password-env", "PW1", "--bootstrap").returncode == 0
    assert run("set", "eve", "--role", "admin", "--password-env", "PW1", "--bootstrap").returncode == 2  # file exists
    out = run(
        "set", "ed", "--role", "editor", "--password-env", "PW2", ZONEPLAN_USER="root", ZONEPLAN_PASSWORD="admin-pass"
    )
    assert out.returncode == 0, out.stderr
    out = run("list", ZONEPLAN_USER="ed", ZONEPLAN_PASSWORD="editor-pass")
    assert out.returncode == 2 and "may not manage users" in out.stderr
    out = run("list", "--json", ZONEPLAN_USER="root", ZONEPLAN_PASSWORD="admin-pass")
    assert '"name": "ed"' in out.stdout and "editor-pass" not in out.stdout and "$2b$" not in out.stdout
