"""The SDK's side of the append protocol, without a server: which writer ids and sequences the
sender puts on log-line appends, and what it sends again after a failed call. (The server's side
— a resent sequence is acknowledged, not stored twice — is tested against the real server in
test_api_v1.py.)"""
import concurrent.futures
import threading
import time
import types

import grpc

from labbook import _sender


class Unavailable(grpc.RpcError):
    def code(self):
        return grpc.StatusCode.UNAVAILABLE

    def details(self):
        return "connection lost"


class RecordingTransport(_sender.Transport):
    """Keeps what a server would: the last committed sequence per writer and the lines. `faults`
    is consumed one per send_lines call: None (answer normally), "before" (fails before the
    commit) or "after" (commits, then the answer is lost)."""

    spools = True

    def __init__(self, faults=()):
        self.faults = list(faults)
        self.calls = []
        self.state_queries = []
        self.last = {}
        self.stored = []
        self.lock = threading.Lock()

    def send_batches(self, writer_id, batches):
        pass

    def last_sequence(self, writer_id):
        self.state_queries.append(writer_id)
        return self.last.get(writer_id, 0)

    def send_lines(self, writer_id, sequence, lines):
        with self.lock:
            self.calls.append((writer_id, sequence, [t for _, _, _, t in lines]))
            fault = self.faults.pop(0) if self.faults else None
            if fault == "before":
                raise Unavailable()
            if sequence > self.last.get(writer_id, 0):
                self.last[writer_id] = sequence
                self.stored.extend(t for _, _, _, t in lines)
            if fault == "after":
                raise Unavailable()


def sender_with(transport, tmp_path):
    return _sender.Sender(transport, [], run_id="run-under-test", spool_dir=str(tmp_path))


def test_lines_carry_their_own_writer_id_and_rising_sequences(tmp_path, monkeypatch):
    monkeypatch.setattr(_sender, "LINES_PER_APPEND", 2)
    transport = RecordingTransport()
    sender = sender_with(transport, tmp_path)
    for i in range(5):
        sender.add_line(1, 2, 1, f"l{i}")
    assert sender.flush(10)
    sender.close(5)
    writers = {w for w, _, _ in transport.calls}
    assert writers == {sender.lines_writer_id}
    assert sender.lines_writer_id not in (sender.writer_id, sender.tables.writer_id)
    assert [s for _, s, _ in transport.calls] == [1, 2, 3]
    assert transport.stored == [f"l{i}" for i in range(5)]


def test_an_append_whose_answer_was_lost_is_not_sent_again_when_the_server_has_it(tmp_path):
    transport = RecordingTransport(faults=["after"])
    sender = sender_with(transport, tmp_path)
    sender.add_line(1, 2, 1, "once")
    assert sender.flush(10)
    sender.add_line(1, 2, 1, "next")
    assert sender.flush(10)
    sender.close(5)
    assert transport.state_queries == [sender.lines_writer_id], "asked GetWriterState after the failure"
    assert [(s, t) for _, s, t in transport.calls] == [(1, ["once"]), (2, ["next"])]
    assert transport.stored == ["once", "next"] and sender.errors == []


def test_an_append_that_failed_before_the_commit_is_resent_unchanged(tmp_path):
    transport = RecordingTransport(faults=["before"])
    sender = sender_with(transport, tmp_path)
    gate = threading.Event()
    real = transport.send_lines

    def slow_first(writer_id, sequence, lines):
        try:
            real(writer_id, sequence, lines)
        finally:
            gate.set()
    transport.send_lines = slow_first
    sender.add_line(1, 2, 1, "a")
    assert gate.wait(10)
    sender.add_line(1, 2, 1, "b")  # queued while the first append waits for its retry
    assert sender.flush(10)
    sender.close(5)
    # the resend repeats sequence 1 with exactly its lines; "b" goes in the next append
    assert [(s, t) for _, s, t in transport.calls][:2] == [(1, ["a"]), (1, ["a"])]
    assert transport.stored == ["a", "b"]


def test_a_forked_child_gets_new_writer_ids_for_every_kind(tmp_path):
    sender = sender_with(RecordingTransport(), tmp_path)
    before = (sender.writer_id, sender.lines_writer_id, sender.tables.writer_id)
    sender._reset_writer()  # what after_fork_in_child does to the writer state
    after = (sender.writer_id, sender.lines_writer_id, sender.tables.writer_id)
    assert not set(before) & set(after) and len(set(after)) == 3
    sender.close(5)


class LeaseTransport(RecordingTransport):
    """Its lease renewals stay in flight until the test answers them."""

    def __init__(self):
        super().__init__()
        self.renewals = []

    def start_renew_lease(self):
        future = concurrent.futures.Future()
        self.renewals.append(future)
        return future


def _await(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.005)


def test_a_fork_waits_for_the_lease_renewal_in_flight_and_the_sender_stays_parked_until_it_is_done(
        tmp_path, monkeypatch):
    # gRPC skips its own fork handlers while a thread is inside gRPC (the channel's poller runs
    # while a future call is in flight); the child then shares the parent's pollers and its calls
    # can hang. So the fork hook parks the senders once their renewal is answered.
    transport = LeaseTransport()
    sender = sender_with(transport, tmp_path)
    _await(lambda: len(transport.renewals) == 1)
    answer = types.SimpleNamespace(lease_expire_time_ms=int(time.time() * 1000) + 300_000)
    threading.Timer(0.3, transport.renewals[0].set_result, [answer]).start()
    started = time.monotonic()
    _sender._before_fork()
    assert 0.25 <= time.monotonic() - started < _sender.FORK_QUIESCE_S
    assert sender._parked.is_set() and transport.renewals[0].done()
    sender.add_line(1, 1, 1, "while parked")
    sender._wake.set()
    time.sleep(0.2)
    assert transport.calls == []   # parked: nothing sent until the fork is done
    _sender._after_fork_in_parent()
    assert sender.flush(5)
    assert transport.stored == ["while parked"]

    # A renewal that is never answered holds a fork up FORK_QUIESCE_S at most.
    monkeypatch.setattr(_sender, "FORK_QUIESCE_S", 0.3)
    _await(lambda: sender._lease_call is None)   # the first answer is taken in
    sender._lease_due = 0.0
    sender._wake.set()
    _await(lambda: len(transport.renewals) == 2)
    started = time.monotonic()
    _sender._before_fork()
    assert time.monotonic() - started < 1.0
    _sender._after_fork_in_parent()
    sender.add_line(2, 1, 1, "after")
    assert sender.flush(5)
    assert transport.stored == ["while parked", "after"]
    sender.close(5)
