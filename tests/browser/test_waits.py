"""The run tracker the browser tests wait on (tests/browser/waits.py), fed Streamlit's own ForwardMsg frames in the
order a server sends them (no browser needed): idle only once a run has finished and no rerun is pending."""

from __future__ import annotations

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser.waits import Runs


class FakeSocket:
    def __init__(self, url: str):
        self.url, self.handlers = url, {}

    def on(self, event, fn):
        self.handlers[event] = fn

    def receive(self, msg: ForwardMsg) -> None:
        self.handlers["framereceived"](msg.SerializeToString())


class FakePage:
    def on(self, event, fn):
        self.attach = fn


def new_session() -> ForwardMsg:
    m = ForwardMsg()
    m.new_session.page_script_hash = "abc"
    return m


def status(running: bool) -> ForwardMsg:
    m = ForwardMsg()
    m.session_status_changed.script_is_running = running
    return m


def finished(how: str) -> ForwardMsg:
    m = ForwardMsg()
    m.script_finished = ForwardMsg.ScriptFinishedStatus.Value(how)
    return m


def test_idle_only_after_a_finished_run_and_not_between_an_interrupted_run_and_its_rerun():
    pg = FakePage()
    runs = Runs(pg)
    assert not runs.idle()  # no page loaded yet
    pg.attach(FakeSocket("ws://127.0.0.1:1/other"))  # not Streamlit's stream: ignored
    assert runs.sockets == 0
    ws = FakeSocket("ws://127.0.0.1:1/_stcore/stream")
    pg.attach(ws)
    assert not runs.idle()  # connected, no run finished yet
    ws.receive(new_session())
    ws.receive(status(True))
    assert not runs.idle()
    ws.receive(finished("FINISHED_EARLY_FOR_RERUN"))  # st.rerun(): the server says "not running" in between
    ws.receive(status(False))
    assert not runs.idle() and runs.pending and runs.finished == 0
    ws.receive(new_session())
    ws.receive(status(True))
    assert not runs.idle()
    ws.receive(finished("FINISHED_SUCCESSFULLY"))
    ws.receive(status(False))
    assert runs.idle() and runs.finished == 1


def test_a_reload_needs_a_run_finished_on_the_new_socket_and_old_frames_are_ignored():
    pg = FakePage()
    runs = Runs(pg)
    old = FakeSocket("ws://h/_stcore/stream")
    pg.attach(old)
    for m in (new_session(), status(True), finished("FINISHED_SUCCESSFULLY"), status(False)):
        old.receive(m)
    assert runs.idle()
    new = FakeSocket("ws://h/_stcore/stream")
    pg.attach(new)
    assert not runs.idle() and runs.sockets == 2
    old.receive(finished("FINISHED_SUCCESSFULLY"))  # a late frame of the closed socket
    assert not runs.idle() and runs.finished == 1
    for m in (new_session(), status(True), finished("FINISHED_SUCCESSFULLY"), status(False)):
        new.receive(m)
    assert runs.idle() and runs.finished == 2
