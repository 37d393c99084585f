"""The SDK's side of the append protocol, without a server: which writer ids and sequences the
sender puts on log-line appends, and what it sends again after a failed call. (The server's side
— a resent sequence is acknowledged, not stored twice — is tested against the real server in
test_api_v1.py.)"""
import threading

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
