"""AppTest (real Leicestershire data): the Scenarios page names its parent, refuses an existing name and stale
saves; hostile published-link query strings; sign-in back-off and a malformed hash in the app."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def like_the_server(monkeypatch):
    """Run app.py around every page as the server does (see tests/unit/test_pages_edit.py)."""
    from streamlit.runtime.pages_manager import PagesManager

    init = PagesManager.__init__

    def __init__(self, *a, **k):
        init(self, *a, **k)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", __init__)


def app(page=None, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("ZONEPLAN_STORE", str(tmp_path / "s.sqlite"))
    monkeypatch.delenv("ZONEPLAN_DB_URL", raising=False)
    from pages import common
    common.store.clear()
    yield
    common.store.clear()


def save(at, name):
    at.text_input(key="sc-name").set_value(name).run()
    at.button(key="sc-save").click().run()
    assert not at.exception, at.exception
    return " ".join(e.value for e in at.error), " ".join(s.value for s in at.success)


def test_scenarios_page_parent_existing_name_and_conflict(own_store):
    a = app("pages/scenarios.py")
    err, ok = save(a, "Draft")
    assert "version 1" in ok and not err
    b = app("pages/scenarios.py")
    err, ok = save(b, "Draft")  # B never opened Draft: an existing name is refused
    assert "already exists" in err and not ok
    b.button(key="sc-open").click().run()  # B opens Draft version 1 (its parent from now on)
    err, ok = save(a, "Draft")  # A saved version 1 in its session: adds version 2
    assert "version 2" in ok
    err, ok = save(b, "Draft")  # B edits from version 1, but version 2 exists: conflict naming both
    assert "has version 2" in err and "from version 1" in err and not ok


@pytest.mark.parametrize("query", [{"scenario": "abc"}, {"scenario": "1", "version": "1e99"},
                                   {"scenario": "99999999999999999999"}, {"scenario": "-1"}])
def test_hostile_published_link_query_strings(own_store, query):
    at = app(None, readonly="1", **query)
    assert any("does not open a published scenario" in e.value for e in at.error)


def test_sign_in_back_off_and_malformed_hash(own_store, tmp_path, monkeypatch):
    from zones.service import auth

    users = tmp_path / "users.toml"
    users.write_text(f'[users.ann]\nrole = "editor"\npassword_bcrypt = "{auth.hash_password("right")}"\n'
                     '[users.bob]\nrole = "editor"\npassword_bcrypt = "$2b$12$broken"\n')
    monkeypatch.setenv("ZONEPLAN_USERS", str(users))
    monkeypatch.setattr(auth, "GUARD", auth.LoginGuard())
    at = app()

    def sign_in(name, pw):
        at.sidebar.text_input[0].set_value(name)
        at.sidebar.text_input[1].set_value(pw)
        [b for b in at.button if b.label == "Sign in"][0].click().run()
        assert not at.exception, at.exception
        return " ".join(e.value for e in at.error)

    assert "malformed" not in sign_in("bob", "x") and "users file has a problem" in sign_in("bob", "x")
    for _ in range(auth.MAX_FAILURES):
        assert "wrong password" in sign_in("ann", "wrong")
    assert "too many failed sign-ins" in sign_in("ann", "right")  # backing off, even with the right password
    from zones.service.auth import User
    from zones.service.store import Store
    log = Store().as_user(User("root", "admin")).login_failures()
    assert (log["who"] == "ann").sum() >= auth.MAX_FAILURES
