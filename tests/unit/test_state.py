"""Issue 14 §1 below the browser: drafts (owner isolation, unguessable tokens, size bound, pruning), reopened
plans keep every reason, the store audits a new scenario's changes, published links carry the council, download
names, the shared-deployment guard and the base URL of links."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from geodata.datadir import DataError
from zones.impact import compare
from zones.outputs.naming import file_name, identity_text, slug
from zones.plan import Plan
from zones.rates import RateCard
from zones.service import deployment as dep
from zones.service import drafts as dr
from zones.service.store import Store, published_link

BANDS = ("urban", "rural")
CARD = RateCard(year="test", rates={"urban": Decimal("20.00"), "rural": Decimal("30.50")})


def tiny() -> Plan:
    return Plan.build(
        "t",
        ["A", "B", "C"],
        ["Alpha", "Bravo", "Charlie"],
        [10, 5.5, 2.25],
        ["Z1", "Z1", "Z2"],
        ["urban", "urban", "rural"],
        CARD,
        band_names=BANDS,
        computed_bands=["urban", "urban", "rural"],
    )


# ------------------------------------------------------------------ reasons and moves
def test_reopened_plan_keeps_zone_move_and_band_move_reasons():
    base = tiny()
    p = base.move("A", zone="Z9", reason="rounds run north").move("C", band="urban", reason="next to town")
    p = p.move("B", zone="Z2", band="urban", reason="zone and computed band")  # band == computed: reason kept
    back = Plan.from_assignments(base, p.assignments())
    a = back.assignments().set_index("unit_code")
    assert a.loc["A", "reason"] == "rounds run north" and a.loc["A", "zone"] == "Z9"
    assert a.loc["C", "reason"] == "next to town" and a.loc["C", "band"] == "urban"
    assert a.loc["B", "reason"] == "zone and computed band"
    assert [r["reason"] for r in compare(base, back).rows] == [r["reason"] for r in compare(base, p).rows]


# ------------------------------------------------------------------ drafts
@pytest.fixture
def drafts(tmp_path):
    return dr.DraftStore(Store(f"sqlite:///{tmp_path / 's.sqlite'}").engine)


def test_draft_round_trip_is_per_token_council_and_user(drafts, monkeypatch):
    from zones.service import clock

    saved_at = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "utc_now", lambda: saved_at)  # the time source drafts read (issue 22)
    base = tiny()
    p = base.move("A", zone="Z9", reason="north").move("C", band="urban", reason="town")
    tok = dr.new_token()
    assert dr.valid_token(tok) and len(tok) >= 32 and tok != dr.new_token()
    drafts.save(tok, "t", "ann", {"rows": dr.changed_rows(base, p), "dirty": True})
    payload, when = drafts.load(tok, "t", "ann")
    assert when == saved_at
    back = dr.plan_from_rows(base, payload["rows"])
    assert dr.fingerprint(back) == dr.fingerprint(p) != dr.fingerprint(base)
    assert len(payload["rows"]) == 2  # only the units that differ from the base plan
    # another user with the same token (a shared URL), another council, another token: nothing
    assert drafts.load(tok, "t", "bob") is None
    assert drafts.load(tok, "other", "ann") is None
    assert drafts.load(dr.new_token(), "t", "ann") is None
    drafts.save(tok, "t", "bob", {"rows": [], "dirty": False})  # bob's own draft never overwrites ann's
    assert drafts.load(tok, "t", "ann")[0]["rows"] == payload["rows"]
    drafts.discard(tok, "t", "ann")
    assert drafts.load(tok, "t", "ann") is None and drafts.load(tok, "t", "bob") is not None


@pytest.mark.parametrize("token", ["", "short", "../../etc/passwd", "a" * 65, "x' OR '1'='1" + "a" * 20, None, 12345])
def test_draft_tokens_are_checked(drafts, token):
    assert not dr.valid_token(token)
    assert drafts.load(token, "t", "ann") is None
    with pytest.raises(DataError):
        drafts.save(token, "t", "ann", {"rows": []})


def test_drafts_are_bounded_in_size_count_and_age(drafts, monkeypatch):
    with pytest.raises(DataError, match="over the limit"):
        drafts.save(dr.new_token(), "t", "ann", {"rows": [["A", "Z" * 1000, "urban", ""]] * 1000})
    monkeypatch.setattr(dr, "MAX_DRAFTS_PER_OWNER", 5)
    toks = [dr.new_token() for _ in range(8)]
    for t in toks:
        drafts.save(t, "t", "ann", {"rows": []})
    assert drafts.count("ann") <= 5 and drafts.load(toks[-1], "t", "ann") is not None
    with drafts.engine.begin() as c:  # a draft older than MAX_AGE_DAYS goes at the next new draft
        c.execute(
            dr.drafts.update()
            .where(dr.drafts.c.token == toks[-1])
            .values(updated=dt.datetime.now(dt.UTC) - dt.timedelta(days=dr.MAX_AGE_DAYS + 1))
        )
    drafts.save(dr.new_token(), "t", "ann", {"rows": []})
    assert drafts.load(toks[-1], "t", "ann") is None


def test_a_malformed_draft_raises_a_data_error():
    with pytest.raises(DataError):
        dr.plan_from_rows(tiny(), [["A", "Z1"]])
    with pytest.raises(DataError):
        dr.plan_from_rows(tiny(), [["NOPE", "Z1", "urban", ""]])
    with pytest.raises(DataError):
        dr.plan_from_rows(tiny(), [["A", "Z1\x00", "urban", ""]])


# ------------------------------------------------------------------ store: audit of a new scenario, links
def test_a_new_scenario_audits_its_changes_against_the_base_with_reasons(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    base = tiny()
    p = base.move("A", zone="Z9", reason="rounds run north")
    sv = s.create("t", "Reopen", p.assignments(), CARD.to_dict(), base=base.assignments())
    log = s.audit_log(sv.scenario_id)
    assert list(log["action"]) == ["create", "change"]
    row = log.iloc[1]
    assert (row["unit_code"], row["from_zone"], row["to_zone"], row["reason"]) == ("A", "Z1", "Z9", "rounds run north")
    assert Plan.from_assignments(base, s.load(sv.scenario_id, 1).assignments).reasons == p.reasons
    assert sv.link() == f"?council=t&scenario={sv.scenario_id}&version=1&readonly=1"
    assert published_link(3, 2, "coventry") == "?council=coventry&scenario=3&version=2&readonly=1"


# ------------------------------------------------------------------ names
def test_download_names_come_from_council_scenario_and_version():
    assert file_name("leicestershire", "Para 47", 2, "impact", "xlsx") == "leicestershire-para-47-v2-impact.xlsx"
    assert file_name("leicestershire", None, None, "report", "pdf") == "leicestershire-unsaved-report.pdf"
    assert file_name("merton", "Para 47", 2, "report", "pdf", modified=True) == "merton-para-47-v2-edited-report.pdf"
    evil = file_name("coventry", "../../etc/passwd <img src=x>\x00 Ünïcödé", 3, "impact", "csv")
    assert evil == "coventry-etc-passwd-img-src-x-unicode-v3-impact.csv"
    assert slug("—") == "" and file_name("c", "—", 1, "x", "csv") == "c-scenario-v1-x.csv"
    assert identity_text("Para 47", 2) == "Para 47 v2" and identity_text(None, None) == "unsaved plan"
    assert identity_text("P", 1, published=True) == "P v1 (published)"
    assert identity_text("P", 1, modified=True) == "P v1 + unsaved changes"


# ------------------------------------------------------------------ shared deployment
@pytest.mark.parametrize(
    "address,loop",
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("", False),
        (None, False),
        ("192.168.1.4", False),
        ("::", False),
        ("planner.council.gov.uk", False),
    ],
)
def test_loopback_addresses(address, loop):
    assert dep.is_loopback(address) is loop


def test_editing_refused_on_a_shared_server_without_login():
    assert dep.editing_refusal("127.0.0.1", {}) is None  # make app: single user
    msg = dep.editing_refusal("0.0.0.0", {})
    assert msg and "Editing is turned off" in msg and "0.0.0.0" in msg and "ZONEPLAN_USERS" in msg
    assert "every network interface" in dep.editing_refusal(None, {})
    assert "ZONEPLAN_SHARED=1" in dep.editing_refusal("127.0.0.1", {"ZONEPLAN_SHARED": "1"})
    assert dep.editing_refusal("0.0.0.0", {"ZONEPLAN_USERS": "users.toml"}) is None
    assert dep.editing_refusal("0.0.0.0", {"ZONEPLAN_SHARED": "1"}, oidc=True) is None


def test_base_url_of_links():
    assert dep.base_url("http://10.0.0.5:8501/scenarios", {}, {}) == "http://10.0.0.5:8501"
    assert dep.base_url(None, {"Host": "planner.example:8080"}, {}) == "http://planner.example:8080"
    assert dep.base_url(None, {"Host": "p.example", "X-Forwarded-Proto": "https"}, {}, "zp") == "https://p.example/zp"
    assert (
        dep.base_url(None, {"Host": "evil/<script>"}, {"ZONEPLAN_BASE_URL": "https://zp.example/"})
        == "https://zp.example"
    )
    assert dep.base_url(None, {}, {}) == "http://127.0.0.1:8501"
