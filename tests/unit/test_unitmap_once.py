"""pages/unitmap.py (issue 19 §17): a keyed text is sent once per session, sent again when the browser asks for it
(``need``), and a hostile ``need`` event changes nothing else. Session state is a plain dict here."""

from __future__ import annotations

import pytest

from pages import unitmap


@pytest.fixture
def ss(monkeypatch):
    state: dict = {}
    monkeypatch.setattr(unitmap.st, "session_state", state)
    return state


def test_text_goes_once_then_only_its_key(ss):
    assert unitmap.once("merton-abc", "{...}") == "{...}"
    assert unitmap.once("merton-abc", "{...}") is None
    assert unitmap.once("coventry-def", "{,,,}") == "{,,,}"  # another council's geometry: its own first time


def test_need_event_sends_the_text_again_and_is_not_a_page_event(ss):
    unitmap.once("merton-abc", "{...}")
    ss["map"] = {"id": "n1", "event": "need", "keys": ["merton-abc"]}
    assert unitmap.pending_event("map") is None  # handled inside: the page sees no event
    assert unitmap.once("merton-abc", "{...}") == "{...}"
    assert unitmap.once("merton-abc", "{...}") is None
    assert unitmap.pending_event("map") is None  # the same event (same id) is not handled twice
    assert unitmap.once("merton-abc", "{...}") is None


def test_unit_map_takes_a_need_the_page_did_not_read(ss):
    unitmap.once("k", "t")
    ss["map"] = {"id": "n2", "event": "need", "keys": ["k"]}
    unitmap._take_need("map")
    assert unitmap.once("k", "t") == "t"
    ss["map"] = {"id": "s1", "event": "selection", "codes": ["E1"]}
    unitmap._take_need("map")  # leaves other events to the page
    assert unitmap.pending_event("map") == ss["map"]


@pytest.mark.parametrize("keys", [None, "merton-abc", [1, {"a": 1}], ["x" * 10_000], {"merton-abc": 1}])
def test_hostile_need_keys_are_ignored(ss, keys):
    unitmap.once("merton-abc", "{...}")
    ss["map"] = {"id": "h", "event": "need", "keys": keys}
    assert unitmap.pending_event("map") is None
    assert unitmap.once("merton-abc", "{...}") is None


def test_sent_keys_are_bounded(ss):
    for i in range(unitmap.MAX_SENT + 10):
        unitmap.once(f"k{i}", "t")
    assert len(ss[unitmap.SENT]) == unitmap.MAX_SENT
    assert unitmap.once("k0", "t") == "t"  # forgotten (oldest): sent again, never wrongly withheld


def test_a_key_in_use_is_not_forgotten_for_newer_ones(ss):
    unitmap.once("geometry", "g")
    for i in range(unitmap.MAX_SENT * 2):  # many edits, each with new outlines, the geometry drawn every run
        unitmap.once(f"outlines-{i}", "o")
        assert unitmap.once("geometry", "g") is None
