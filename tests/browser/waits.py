"""Wait for conditions, never for a time (issue 22).

Streamlit tells its browser, over the page's websocket, when a script run starts and when it finishes
(``ForwardMsg``: ``new_session``, ``script_finished``, ``session_status_changed``). ``Runs`` decodes those frames
as Playwright sees them, so a test can wait for *the run its own action caused* to finish instead of sleeping and
hoping the rerun has started (the running indicator is absent both before a rerun starts and after it ends).

- ``track(pg)``: attach a ``Runs`` to a page (the browser fixtures do it for every page they make);
- ``settle(pg)``: the last run has finished (none pending) and the DOM shows it (no running indicator, no stale
  elements);
- ``rerun(pg, action)``: settle, do ``action()``, then wait for a run that started after it to finish;
- ``goto(pg, url, ready)`` / ``reload(pg, ready)``: a new page load whose first run has finished (and ``ready``
  text shown);
- ``wait_for(cond, what)``: poll any condition (pumping Playwright's events) until truthy, or fail naming it.

Timeouts are generous (a fresh server builds a council's workspace on its first run; the machine may be busy):
they bound a failure, they never pace a passing test.
"""

from __future__ import annotations

import time

from google.protobuf.message import DecodeError
from playwright.sync_api import expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

LOAD_S = 240.0  # a page load or page link (the first run of a council builds its workspace)
RUN_S = 120.0  # a rerun after a widget action
POLL_MS = 50  # how often a condition is checked (Playwright's events are pumped meanwhile)
RUNNING = '[data-testid="stStatusWidget"]'
STALE = '[data-stale="true"]'
_EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")


class Runs:
    """Script runs of one page's Streamlit session(s), read from the websocket frames the page receives."""

    def __init__(self, pg):
        self.pg = pg
        self.sockets = 0  # websockets opened (a reload or goto opens a new one)
        self.finished = 0  # runs finished on any socket (monotonic; interrupted runs are not counted)
        self.finished_here = 0  # runs finished on the current socket
        self.running = False
        self.pending = False  # a run was interrupted for a rerun that has not started yet
        pg.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        if "/_stcore/stream" not in ws.url:
            return
        self.sockets += 1
        self.finished_here, self.running, self.pending = 0, False, False
        gen = self.sockets
        ws.on("framereceived", lambda payload: self._frame(gen, payload))

    def _frame(self, gen: int, payload) -> None:
        if gen != self.sockets or isinstance(payload, str):
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except DecodeError:
            return
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.running, self.pending = True, False
        elif kind == "session_status_changed":
            self.running = msg.session_status_changed.script_is_running
        elif kind == "script_finished":
            self.running = False
            if msg.script_finished == _EARLY:
                self.pending = True
            else:
                self.finished += 1
                self.finished_here += 1

    def idle(self) -> bool:
        return self.sockets > 0 and self.finished_here > 0 and not self.running and not self.pending

    def __repr__(self) -> str:
        return (
            f"Runs(sockets={self.sockets}, finished={self.finished}, here={self.finished_here}, "
            f"running={self.running}, pending={self.pending})"
        )


def track(pg) -> Runs:
    """Attach a run tracker to ``pg`` (before its first navigation) and return it; also ``pg.runs``."""
    pg.runs = Runs(pg)
    return pg.runs


def wait_for(cond, what: str, timeout_s: float = RUN_S, pg=None):
    """Poll ``cond()`` until it is truthy (returned) or fail naming ``what``. With ``pg``, Playwright's event loop
    runs between checks (so websocket frames are seen); exceptions from ``cond`` (an element mid-rerun) count as
    not yet."""
    end = time.monotonic() + timeout_s
    last = None
    while True:
        try:
            last = cond()
        except Exception as exc:  # noqa: BLE001 - an element re-rendered between calls: try again
            last = exc
        if last and not isinstance(last, Exception):
            return last
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what} (last: {last!r})")
        if pg is not None:
            pg.wait_for_timeout(POLL_MS)
        else:
            time.sleep(POLL_MS / 1000)


def settle(pg, timeout_s: float = RUN_S) -> None:
    """The page's last script run has finished, none is pending, and the page shows it (no running indicator,
    no greyed-out stale elements)."""
    runs = pg.runs
    wait_for(runs.idle, f"Streamlit's script run to finish ({runs!r})", timeout_s, pg)
    expect(pg.locator(RUNNING)).to_have_count(0, timeout=timeout_s * 1000)
    expect(pg.locator(STALE)).to_have_count(0, timeout=timeout_s * 1000)


def rerun(pg, action, timeout_s: float = RUN_S):
    """Settle, do ``action()`` (a click, a key, a fill that makes Streamlit rerun), then wait until a run that
    started after it has finished. Returns ``action()``'s value."""
    settle(pg, timeout_s)
    runs = pg.runs
    n0, sock0 = runs.finished, runs.sockets
    out = action()
    wait_for(
        lambda: (runs.finished > n0 or runs.sockets > sock0) and runs.idle(),
        f"the rerun after the action to finish ({runs!r})",
        timeout_s,
        pg,
    )
    settle(pg, timeout_s)
    return out


def goto(pg, url: str, ready: str | None = None, timeout_s: float = LOAD_S) -> None:
    """Open ``url`` and wait for its first script run to finish (and for ``ready`` text, if given)."""
    sock0 = pg.runs.sockets
    pg.goto(url)
    wait_for(lambda: pg.runs.sockets > sock0 and pg.runs.idle(), f"the first run of {url}", timeout_s, pg)
    settle(pg, timeout_s)
    if ready:
        expect(pg.get_by_text(ready).first).to_be_visible(timeout=timeout_s * 1000)


def reload(pg, ready: str | None = None, timeout_s: float = LOAD_S) -> None:
    """Reload the page and wait for the new session's first run to finish (and ``ready`` text)."""
    sock0 = pg.runs.sockets
    pg.reload()
    wait_for(lambda: pg.runs.sockets > sock0 and pg.runs.idle(), "the first run after the reload", timeout_s, pg)
    settle(pg, timeout_s)
    if ready:
        expect(pg.get_by_text(ready).first).to_be_visible(timeout=timeout_s * 1000)


def nav(pg, name: str, timeout_s: float = LOAD_S) -> None:
    """Follow the sidebar's page link ``name`` and wait for that page's run to finish."""
    link = pg.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name, exact=True)
    rerun(pg, link.click, timeout_s)


def act_until(pg, action, cond, what: str, timeout_s: float = RUN_S):
    """Settle, do ``action()``, wait until ``cond()`` is truthy (its value is returned), then settle again: for an
    action whose effect is known (a metric that changes) but that may or may not need a rerun to show it."""
    settle(pg, timeout_s)
    action()
    got = wait_for(cond, what, timeout_s, pg)
    settle(pg, timeout_s)
    return got


def choose(pg, label: str, option: str, timeout_s: float = RUN_S) -> None:
    """Choose ``option`` in the selectbox ``label`` and wait for the rerun it causes. A selectbox that already
    shows ``option`` is left alone: choosing the same value again makes no rerun to wait for."""
    settle(pg, timeout_s)
    box = pg.get_by_role("combobox", name=label, exact=True).first
    if box.input_value() == option:
        return
    box.click()
    rerun(pg, pg.get_by_role("option", name=option, exact=True).click, timeout_s)
