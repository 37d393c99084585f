"""The sender never loses points it did not have to, and flush() always returns: a chunk that
cannot become a batch, or a text line that cannot be encoded, is dropped and reported in
`run.errors`; everything else is delivered."""
import json
import os

import pytest

import labbook


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def offline_points(run):
    out = []
    for b in read_jsonl(os.path.join(run.offline_dir, "metrics.jsonl")):
        out.extend((b["keys"][k], s) for k, s in zip(b["key_index"], b["step"]))
    return out


def test_step_or_timestamp_outside_int64_is_refused_at_the_call(tmp_path):
    with labbook.Run("exp", offline=True, offline_dir=str(tmp_path)) as run:
        with pytest.raises(ValueError, match="step"):
            run.log_metric("loss", 1.0, step=2 ** 63)
        with pytest.raises(ValueError, match="step"):
            run.log_metric("loss", 1.0, step=-(2 ** 63) - 1)
        with pytest.raises(ValueError, match="timestamp"):
            run.log_metric("loss", 1.0, step=0, timestamp=1e300)
        run.log_metric("loss", 1.0, step=1)
        assert run.flush(10)
        assert run.errors == []
    assert offline_points(run) == [("loss", 1)]


def test_a_chunk_the_sender_cannot_pack_is_dropped_and_flush_still_returns(tmp_path):
    with labbook.Run("exp", offline=True, offline_dir=str(tmp_path)) as run:
        run.log_metric("loss", 1.0, step=0)
        assert run.flush(10)
        run.log_metric("loss", 2.0, step=1)
        run._points.append((0, 2 ** 64, 1, 3.0))  # past the call's check: protobuf refuses it
        assert run.flush(10), "flush must return even though the chunk was dropped"
        assert len(run.errors) == 1
        run.log_metric("loss", 4.0, step=2)
        assert run.flush(10)
    assert offline_points(run) == [("loss", 0), ("loss", 2)]


def test_lone_surrogate_nul_and_huge_lines_are_delivered_online(client, exp_name):
    run = labbook.Run(exp_name, "odd-lines", client=client).open()
    run.log_text("bad byte \udcff here")
    run.log_text("nul\0inside")
    big = "é" * 40_000  # 80,000 bytes of UTF-8: over the server's 64 KiB per line
    run.log_text(big)
    run.log_text("after")
    assert run.flush(20), "flush must return True"
    assert run.errors == []
    texts = [l.text for l in client.read_logs(run.id)]
    assert texts[0] == "bad byte \\udcff here"
    assert texts[1] == "nul\ufffdinside"
    assert "".join(texts[2:-1]) == big and len(texts) == 5
    assert all(len(t.encode()) <= 64 * 1024 for t in texts)
    assert texts[-1] == "after"
    run.complete()


def test_lone_surrogate_offline(tmp_path):
    with labbook.Run("exp", offline=True, offline_dir=str(tmp_path)) as run:
        run.log_text("x\udcffy")
        assert run.flush(10)
    assert [l["text"] for l in read_jsonl(os.path.join(run.offline_dir, "logs.jsonl"))] == ["x\\udcffy"]


def test_a_refused_append_drops_only_its_own_lines(client, exp_name, monkeypatch):
    import grpc
    from labbook import _sender

    run = labbook.Run(exp_name, "refused-chunk", client=client).open()
    transport = run._sender.transport
    real = transport.send_lines

    class Refused(grpc.RpcError):
        def code(self):
            return grpc.StatusCode.INVALID_ARGUMENT

        def details(self):
            return "refused for the test"

    def send_lines(writer_id, sequence, lines):
        if any(t == "poison" for _, _, _, t in lines):
            raise Refused()
        real(writer_id, sequence, lines)
    monkeypatch.setattr(transport, "send_lines", send_lines)
    monkeypatch.setattr(_sender, "LINES_PER_APPEND", 10)
    for i in range(10):
        run.log_text(f"a{i}")
    run.log_text("poison")
    for i in range(9):
        run.log_text(f"b{i}")
    for i in range(10):
        run.log_text(f"c{i}")
    assert run.flush(20)
    assert len(run.errors) == 1
    texts = [l.text for l in client.read_logs(run.id)]
    # appends of 10: a0-a9 delivered, [poison, b0..b8] refused, c0-c9 delivered
    assert sorted(texts) == sorted([f"a{i}" for i in range(10)] + [f"c{i}" for i in range(10)])
    run.complete()


def test_flush_returns_while_another_thread_keeps_logging_text(client, exp_name):
    import threading
    import time

    run = labbook.Run(exp_name, "chatty", client=client).open()
    stop = threading.Event()

    def chatter():
        while not stop.is_set():
            run.log_text("tick")
            time.sleep(0.0005)
    t = threading.Thread(target=chatter)
    t.start()
    try:
        time.sleep(0.3)
        run.log_metric("loss", 1.0, step=0)
        started = time.monotonic()
        assert run.flush(15), "flush waits only for what was queued before it"
        assert time.monotonic() - started < 10
    finally:
        stop.set()
        t.join()
    run.complete()


def test_a_steady_stream_of_text_does_not_starve_metric_points_or_flush(client, exp_name, monkeypatch):
    """Each append takes 20 ms while another thread logs a line every millisecond, so the call
    queue never empties: the sender still delivers the metric point logged meanwhile and releases
    flush (it used to deliver calls for as long as any were queued, and a flush waited forever)."""
    import threading
    import time

    run = labbook.Run(exp_name, "chatty-slow", client=client).open()
    transport = run._sender.transport
    real = transport.send_unit

    def slow_send_unit(unit):
        time.sleep(0.02)
        return real(unit)
    monkeypatch.setattr(transport, "send_unit", slow_send_unit)
    stop = threading.Event()

    def chatter():
        while not stop.is_set():
            run.log_text("tick")
            time.sleep(0.001)
    t = threading.Thread(target=chatter)
    t.start()
    try:
        time.sleep(0.3)
        run.log_metric("loss", 1.0, step=0)
        assert run.flush(10), "flush waits only for what was queued before it"
        assert {m.key: m.count for m in client.list_metrics(run.id)} == {"loss": 1}
    finally:
        stop.set()
        t.join()
    run.complete()


def test_internal_transport_failures_are_retried_before_a_batch_counts_as_refused(client, exp_name, monkeypatch):
    import grpc

    run = labbook.Run(exp_name, "flaky-proxy", client=client).open()
    transport = run._sender.transport
    real = transport.start_send
    failures = []

    class Broken(grpc.RpcError):
        def code(self):
            return grpc.StatusCode.INTERNAL

        def details(self):
            return "proxy reset"

    def start_send(writer_id, batches):
        if len(failures) < 3:
            failures.append(1)
            raise Broken()
        return real(writer_id, batches)
    monkeypatch.setattr(transport, "start_send", start_send)
    for step in range(1000):
        run.log_metric("loss", float(step), step=step)
    assert run.flush(30)
    assert run.errors == [] and len(failures) == 3
    assert client.get_metric_history(run.id, "loss")[0] == list(range(1000))
    run.complete()


def test_a_busy_server_is_an_outage_not_a_refusal(client, exp_name, monkeypatch):
    """RESOURCE_EXHAUSTED with reason SERVER_BUSY (every database connection of the server in use)
    is retried like UNAVAILABLE: no batch is dropped, everything arrives once the server has room."""
    import grpc
    from google.protobuf import any_pb2
    from google.rpc import error_details_pb2, status_pb2

    run = labbook.Run(exp_name, "busy-server", client=client).open()
    transport = run._sender.transport
    real = transport.start_send
    failures = []
    status = status_pb2.Status(code=grpc.StatusCode.RESOURCE_EXHAUSTED.value[0], message="server busy")
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason="SERVER_BUSY", domain="labbook.dev"))
    status.details.append(info)

    class Busy(grpc.RpcError):
        def code(self):
            return grpc.StatusCode.RESOURCE_EXHAUSTED

        def details(self):
            return "server busy: every database connection is in use; retry later"

        def trailing_metadata(self):
            return (("grpc-status-details-bin", status.SerializeToString()),)

    def start_send(writer_id, batches):
        # More than the bounded retries of unexpected failures: only an outage survives this.
        if len(failures) < 7:
            failures.append(1)
            raise Busy()
        return real(writer_id, batches)
    monkeypatch.setattr(transport, "start_send", start_send)
    for step in range(1000):
        run.log_metric("loss", float(step), step=step)
    assert run.flush(60)
    assert run.errors == [] and len(failures) == 7
    assert client.get_metric_history(run.id, "loss")[0] == list(range(1000))
    run.complete()
