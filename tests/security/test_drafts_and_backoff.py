"""Issue 18 §4, §5, §7, §9 below the app, on SQLite and PostGIS: drafts belong to a signed-in user and are pruned
per owner; the sign-in back-off counter lives in the store (so it holds across processes) and reads an injected
clock (issue 22); failed CLI sign-ins are audited and throttled; one answer for "no such published version"."""

from __future__ import annotations

import pytest

from geodata.datadir import DataError
from tests.security.conftest import CARD, VALID, plan
from zones.cli.main import main
from zones.service import auth
from zones.service import drafts as dr
from zones.service.auth import LoginRefused, User, authenticate
from zones.service.store import NO_PUBLISHED_VERSION, Store, StoreError


@pytest.fixture
def drafts(any_store_url):
    return dr.DraftStore(Store(any_store_url).engine)


# ------------------------------------------------------------------ §4 drafts belong to a signed-in user
@pytest.mark.parametrize("owner", ["anonymous", "Anonymous", "", "  ", None])
def test_nobody_signed_in_never_writes_or_reads_a_draft(drafts, owner):
    tok = dr.new_token()
    with pytest.raises(DataError, match="signed-in user"):  # before: every anonymous visitor shared "anonymous"
        drafts.save(tok, "t", owner, {"rows": [["U1", "Z9", "urban", ""]], "dirty": True})
    assert drafts.load(tok, "t", owner) is None and drafts.count() == 0


def test_a_draft_token_alone_never_restores_another_users_draft(drafts):
    tok = dr.new_token()
    drafts.save(tok, "t", "ann", {"rows": [["U1", "Z9", "urban", ""]], "dirty": True})
    for other in ("bob", "ANN", "ann ", "anonymous", ""):
        assert drafts.load(tok, "t", other) is None
    assert drafts.load(tok, "t", "ann")[0]["rows"] == [["U1", "Z9", "urban", ""]]


# ------------------------------------------------------------------ §5 quota and pruning per owner
def test_one_users_drafts_never_evict_anothers(drafts, monkeypatch):
    """Before: the newest 2,000 drafts were kept across all users, so 2,001 drafts of one visitor evicted an
    editor's unsaved work."""
    monkeypatch.setattr(dr, "MAX_DRAFTS_PER_OWNER", 3)
    ann = dr.new_token()
    drafts.save(ann, "t", "ann", {"rows": [["U1", "Z9", "urban", "mine"]], "dirty": True})
    bob = [dr.new_token() for _ in range(12)]
    for t in bob:
        drafts.save(t, "t", "bob", {"rows": [], "dirty": True})
    assert drafts.load(ann, "t", "ann")[0]["rows"] == [["U1", "Z9", "urban", "mine"]]
    assert drafts.count("bob") == 3 and drafts.count("ann") == 1
    assert all(drafts.load(t, "t", "bob") for t in bob[-3:])  # bob keeps his newest three


def test_the_byte_quota_is_per_owner_and_keeps_the_draft_just_saved(drafts, monkeypatch):
    monkeypatch.setattr(dr, "MAX_OWNER_BYTES", 30_000)
    ann = dr.new_token()
    drafts.save(ann, "t", "ann", {"rows": [["U1", "Z" * 100, "urban", ""]] * 100, "dirty": True})  # ~11 kB
    big = {"rows": [["U1", "Z" * 100, "urban", ""]] * 120, "dirty": True}  # ~13 kB each
    toks = [dr.new_token() for _ in range(5)]
    for t in toks:
        drafts.save(t, "t", "bob", big)
    assert drafts.load(toks[-1], "t", "bob") is not None and drafts.count("bob") == 2  # 2 × 13 kB ≤ 30 kB
    assert drafts.load(ann, "t", "ann") is not None


def test_drafts_expire_by_the_injected_clock(drafts, fake_clock):
    old = dr.new_token()
    drafts.save(old, "t", "ann", {"rows": [], "dirty": True})
    fake_clock.advance(dr.MAX_AGE_DAYS * 86400 - 60)
    drafts.save(dr.new_token(), "t", "bob", {"rows": [], "dirty": True})
    assert drafts.load(old, "t", "ann") is not None  # a minute short of the age limit: kept
    fake_clock.advance(120)
    drafts.save(dr.new_token(), "t", "bob", {"rows": [], "dirty": True})
    assert drafts.load(old, "t", "ann") is None


# ------------------------------------------------------------------ §9 back-off in the store, injected clock
def test_the_back_off_counter_lives_in_the_store_so_it_holds_across_processes(any_store_url, users_file, fake_clock):
    """Two Store objects with their own engines stand for two processes (app workers, CLI runs): failures
    counted by one refuse the other; the clock decides when the back-off ends (no waiting)."""
    one, two = Store(any_store_url), Store(any_store_url)
    for _ in range(auth.MAX_FAILURES):
        assert (
            authenticate("ed", "bad", users_file, guard=one.login_guard(), on_failure=one.record_login_failure) is None
        )
    with pytest.raises(LoginRefused) as e:
        authenticate("ed", "pw-ed", users_file, guard=two.login_guard(), on_failure=two.record_login_failure)
    assert 0 < e.value.wait_s <= auth.BACKOFF_S
    assert authenticate("vic", "pw-vic", users_file, guard=two.login_guard()) == User("vic", "viewer")  # per name
    fake_clock.advance(auth.BACKOFF_S - 1)
    with pytest.raises(LoginRefused):
        authenticate("ed", "pw-ed", users_file, guard=two.login_guard())
    fake_clock.advance(2)
    assert authenticate("ed", "pw-ed", users_file, guard=two.login_guard()) == User("ed", "editor")
    log = one.as_user(User("ada", "admin")).login_failures()
    assert (log["who"] == "ed").sum() == auth.MAX_FAILURES + 1 and set(log["action"]) == {"login_failed"}


def test_the_back_off_doubles_and_the_count_restarts_after_the_window(any_store_url, users_file, fake_clock):
    g = Store(any_store_url).login_guard()
    for _ in range(auth.MAX_FAILURES):
        authenticate("ed", "bad", users_file, guard=g)
    fake_clock.advance(auth.BACKOFF_S + 1)
    assert authenticate("ed", "bad", users_file, guard=g) is None  # one more failure: twice the back-off
    assert auth.BACKOFF_S < g.wait_s("ed") <= 2 * auth.BACKOFF_S
    fake_clock.advance(auth.FAILURE_WINDOW_S)
    assert g.wait_s("ed") == 0
    assert authenticate("ed", "bad", users_file, guard=g) is None and g.wait_s("ed") == 0  # counting from 1 again


@pytest.fixture
def cli_env(any_store_url, users_file, monkeypatch):
    """The CLI's environment: this test's store and users file (in-process ``main``: a fresh Store each run)."""
    if any_store_url.startswith("sqlite:///"):
        monkeypatch.setenv("ZONEPLAN_STORE", any_store_url[len("sqlite:///") :])
        monkeypatch.delenv("ZONEPLAN_DB_URL", raising=False)
    else:
        monkeypatch.setenv("ZONEPLAN_DB_URL", any_store_url)
    monkeypatch.setenv("ZONEPLAN_USERS", str(users_file))
    return Store(any_store_url)


def cli(monkeypatch, capsys, user, pw, *args) -> tuple[int, str]:
    monkeypatch.setenv("ZONEPLAN_USER", user)
    monkeypatch.setenv("ZONEPLAN_PASSWORD", pw)
    rc = main(["scenario", *args])
    return rc, capsys.readouterr().err


def test_failed_cli_sign_ins_are_audited_and_throttled_through_the_store(cli_env, monkeypatch, capsys, fake_clock):
    """Before: a failed CLI sign-in was neither written to the audit log nor counted beyond its own process."""
    for _ in range(auth.MAX_FAILURES):
        rc, err = cli(monkeypatch, capsys, "ed", "wrong", "list", "--json")
        assert rc == 2 and "wrong password" in err
    rc, err = cli(monkeypatch, capsys, "ed", "pw-ed", "list", "--json")
    assert rc == 2 and "too many failed sign-ins" in err and len(err.strip().splitlines()) == 1
    log = cli_env.as_user(User("ada", "admin")).login_failures()
    assert (log["who"] == "ed").sum() == auth.MAX_FAILURES + 1
    assert "wrong password" in set(log["reason"]) and "refused during back-off" in set(log["reason"])
    fake_clock.advance(auth.BACKOFF_S + 1)
    assert cli(monkeypatch, capsys, "ed", "pw-ed", "list", "--json")[0] == 0


# ------------------------------------------------------------------ §7 one answer for "no such published version"
def test_one_answer_for_no_such_published_version_in_the_store_and_the_cli(cli_env, monkeypatch, capsys):
    ed = cli_env.as_user(User("ed", "editor"))
    hidden = ed.create("t", "Hidden", plan().assignments(), CARD.to_dict(), valid_units=VALID)
    shown = ed.create("t", "Shown", plan().assignments(), CARD.to_dict(), valid_units=VALID)
    cli_env.as_user(User("ada", "admin")).publish(shown.scenario_id, 1)
    viewer = cli_env.as_user(User("vic", "viewer"))
    asks = [
        (hidden.scenario_id + 1000, None),
        (hidden.scenario_id, None),
        (hidden.scenario_id, 1),
        (shown.scenario_id, 2),
        (shown.scenario_id, 99),
    ]
    answers = set()
    for sid, ver in asks:
        with pytest.raises(StoreError) as e:
            viewer.load(sid, ver)
        answers.add(str(e.value))
    assert answers == {NO_PUBLISHED_VERSION}  # before: "no scenario N" for a missing id, another for the rest
    cli_answers = set()
    for sid, ver in asks:
        rc, err = cli(monkeypatch, capsys, "vic", "pw-vic", "show", str(sid), *(["--version", str(ver)] if ver else []))
        assert rc == 2
        cli_answers.add(err.strip())
    assert cli_answers == {f"zoneplan scenario: error: {NO_PUBLISHED_VERSION}"}
    assert viewer.load(shown.scenario_id, 1).published  # the published version still opens


def test_report_and_suggest_sign_in_like_the_scenario_commands(cli_env, monkeypatch, capsys):
    """Before: `zoneplan report --scenario N` read any version and `zoneplan suggest --save` wrote as the local
    admin even with ZONEPLAN_USERS set. Both are refused before any council data is loaded."""
    sv = cli_env.as_user(User("ed", "editor")).create(
        "leicestershire", "Unpublished", plan().assignments(), CARD.to_dict(), valid_units=VALID
    )
    monkeypatch.setenv("ZONEPLAN_USER", "vic")
    monkeypatch.setenv("ZONEPLAN_PASSWORD", "pw-vic")
    assert main(["report", "leicestershire", "--scenario", str(sv.scenario_id), "--out", "r.html"]) == 2
    assert capsys.readouterr().err.strip() == f"zoneplan report: error: {NO_PUBLISHED_VERSION}"
    assert main(["suggest", "leicestershire", "--zones", "3", "--save", "Mine"]) == 2
    assert "may not change scenarios" in capsys.readouterr().err
    monkeypatch.delenv("ZONEPLAN_USER")
    assert main(["report", "leicestershire", "--scenario", str(sv.scenario_id), "--out", "r.html"]) == 2
    assert "sign in with ZONEPLAN_USER" in capsys.readouterr().err
