"""Nothing lost, nothing doubled, for every kind of data (issue 14, item 4): a child process logs
params, tags, a description, log lines, table rows and metric points through a fault proxy; the
proxy is cut (an outage) for longer than the spool window (LABBOOK_SPOOL_AFTER_SECONDS=1 in the
child); the child keeps logging, then is SIGKILLed; the server comes back and `replay_spool`
replays what the dead process spooled. Everything is read back and counted exactly.

Also: the spool file names and lock (labbook-spool/1), the old `%016d.pb` batches still replayed,
and a refused spooled call dropped alone with a warning."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import labbook
from fault_proxy import FaultProxy
from labbook import _sender
from labbook.v1 import metric_pb2, run_pb2, spool_pb2

LINES, ROWS, POINTS = 40, 7, 300   # per phase

CHILD = textwrap.dedent('''
    import sys, time
    import labbook

    target, experiment, name, close = sys.argv[1:5]
    run = labbook.Run(experiment, name, target=target).open()

    def phase(k):
        run.log_parameters({f"p{k}_{i}": k * 10 + i for i in range(3)})
        run.set_tags({f"t{k}": f"v{k}"})
        for i in range(LINES):
            run.log_text(f"{k}:{i}")
        for i in range(ROWS):
            run.log_row("rows", phase=k, i=i)
        for i in range(POINTS):
            run.log_metric("m", float(i), step=k * POINTS + i)

    phase(0)
    assert run.flush(30)
    print("up", run.id, flush=True)
    sys.stdin.readline()                 # the parent cut the server off
    phase(1)                             # in memory: the outage is younger than the spool window
    run.set_description("written during the outage")
    time.sleep(1.5)                      # > LABBOOK_SPOOL_AFTER_SECONDS=1: the queues go to disk
    phase(2)                             # straight to disk, behind what was queued
    if close == "close":
        run.close("COMPLETED", timeout=1)  # cannot deliver: spools the rest and the status
    time.sleep(0.5)                      # the sender thread writes what was queued last
    print("logged", flush=True)
    time.sleep(600)                      # SIGKILLed by the parent
''').replace("LINES", str(LINES)).replace("ROWS", str(ROWS)).replace("POINTS", str(POINTS))


@pytest.fixture
def proxy(server):
    p = FaultProxy(server.target).start()
    yield p
    p.stop()


def _spool_files(root):
    return sorted(f for _, _, files in os.walk(root) for f in files)


@pytest.mark.parametrize("close", ["kill", "close"])
def test_every_kind_of_data_survives_a_kill_during_an_outage(client, proxy, exp_name, tmp_path, close):
    spool_root = tmp_path / "spool"
    env = dict(os.environ, LABBOOK_SPOOL_AFTER_SECONDS="1", LABBOOK_SPOOL_DIR=str(spool_root))
    child = subprocess.Popen([sys.executable, "-c", CHILD, proxy.target, exp_name, "spooled", close],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        first = child.stdout.readline().split()
        assert first[:1] == ["up"], first
        run_id = first[1]
        proxy.cut()
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "logged"
        files = _spool_files(spool_root / run_id)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        proxy.restore()
    # what the dead process left: its writer directory, batches and calls, no temporary files
    [writer_dir] = os.listdir(spool_root / run_id)
    assert "writer.lock" in files
    assert any(f.endswith(".batch") for f in files) and any(f.endswith(".call") for f in files)
    assert all(len(f.split(".")[0]) == 20 for f in files if f != "writer.lock"), files
    assert not [f for f in files if f.endswith(".tmp")]
    first_call = spool_pb2.SpooledCall.FromString(
        (spool_root / run_id / writer_dir / sorted(f for f in files if f.endswith(".call"))[0]).read_bytes())
    assert first_call.spooled_at_ms > 0 and first_call.WhichOneof("call")

    sent = labbook.replay_spool(client, str(spool_root))
    assert sent > 0
    assert not (spool_root / run_id).exists(), "replayed files and directories are removed"
    assert labbook.replay_spool(client, str(spool_root)) == 0

    phases = range(3)
    lines = [line.text for line in client.read_logs(run_id)]
    assert lines == [f"{k}:{i}" for k in phases for i in range(LINES)], "0 lost, 0 doubled, in order"
    _, rows = client.get_table(run_id, "rows")
    assert [(r.cells["phase"].number_value, r.cells["i"].number_value) for r in rows] == \
        [(k, i) for k in phases for i in range(ROWS)]
    steps, _, values = client.get_metric_history(run_id, "m")
    assert steps == list(range(3 * POINTS)) and values == [float(i) for _ in phases for i in range(POINTS)]
    stored = client.get_run(run_id)
    assert {p.key: p.value.int_value for p in stored.params} == \
        {f"p{k}_{i}": k * 10 + i for k in phases for i in range(3)}
    assert dict(stored.tags) == {f"t{k}": f"v{k}" for k in phases}
    assert stored.description == "written during the outage"
    if close == "close":
        assert stored.status == run_pb2.RUN_STATUS_COMPLETED
        assert 0 < stored.end_time_ms < time.time() * 1000 - 200, "the end time is the close, not the replay"
    else:
        assert stored.status in (run_pb2.RUN_STATUS_RUNNING, run_pb2.RUN_STATUS_CRASHED)


def test_the_next_run_open_replays_the_spool_and_drops_the_reopened_runs_old_status(
        client, proxy, exp_name, tmp_path, monkeypatch):
    spool_root = tmp_path / "spool"
    monkeypatch.setenv("LABBOOK_SPOOL_DIR", str(spool_root))
    env = dict(os.environ, LABBOOK_SPOOL_AFTER_SECONDS="1")
    child = subprocess.Popen([sys.executable, "-c", CHILD, proxy.target, exp_name, "spooled", "close"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        run_id = child.stdout.readline().split()[1]
        proxy.cut()
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "logged"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        proxy.restore()
    assert list((spool_root / run_id).rglob("*.call"))
    run = labbook.Run(exp_name, "spooled", client=client).open()   # resumes it; replays in the background
    assert run.id == run_id and run.resumed
    deadline = time.monotonic() + 60
    while (spool_root / run_id).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not (spool_root / run_id).exists(), "the open replayed the dead writer's spool"
    assert [line.text for line in client.read_logs(run_id)] == [f"{k}:{i}" for k in range(3) for i in range(LINES)]
    assert client.list_tables(run_id)[0].row_count == 3 * ROWS
    assert client.get_metric_history(run_id, "m")[0] == list(range(3 * POINTS))
    # the dead writer's COMPLETED is not applied to the run this process reopened
    assert client.get_run(run_id).status == run_pb2.RUN_STATUS_RUNNING
    run.complete()
    assert client.get_run(run_id).status == run_pb2.RUN_STATUS_COMPLETED


def test_the_live_writer_drains_its_call_spool_in_order_when_the_server_returns(client, proxy, exp_name,
                                                                              tmp_path):
    proxied = labbook.Client(proxy.target, retry_deadline_s=5)
    run = labbook.Run(exp_name, "drains", client=proxied, spool_dir=str(tmp_path / "sp")).open()
    run._sender.spool_after_s = 0.3
    proxy.cut()
    run.log_parameter("lr", 0.1)
    run.log_text("a")
    time.sleep(1.0)
    run.log_row("t", x=1)
    run.log_text("b")
    run.set_tag("k", "v")
    assert not run.flush(0.5)
    spooled = [f for f in _spool_files(tmp_path / "sp") if f.endswith(".call")]
    assert len(spooled) >= 3, spooled
    proxy.restore()
    assert run.flush(30)
    run.complete()
    assert run.errors == []
    assert [line.text for line in client.read_logs(run.id)] == ["a", "b"]
    assert client.list_tables(run.id)[0].row_count == 1
    assert dict(client.get_run(run.id).tags) == {"k": "v"}
    assert client.get_run(run.id).status == run_pb2.RUN_STATUS_COMPLETED
    assert _spool_files(tmp_path / "sp") == []


def test_old_pb_batches_are_replayed_and_a_refused_call_is_dropped_with_a_warning(client, exp_name, tmp_path,
                                                                                caplog):
    run = labbook.Run(exp_name, "old-files", client=client).open()
    root = tmp_path / "old"
    writer = root / run.id / "dead-writer"
    writer.mkdir(parents=True)
    batch = metric_pb2.MetricBatch(run_id=run.id, writer_id="dead-writer", sequence=1, keys=["x"],
                                   key_index=[0, 0], step=[0, 1], timestamp_ms=[1, 1], value=[1.0, 2.0])
    (writer / f"{1:016d}.pb").write_bytes(batch.SerializeToString())   # the previous Python name
    calls = [
        spool_pb2.SpooledCall(log_params=run_pb2.LogParamsRequest(run_id=run.id, params=[
            run_pb2.Param(key="bad key!", value=labbook.v1.common_pb2.Value(int_value=1))])),
        spool_pb2.SpooledCall(set_run_tags=run_pb2.SetRunTagsRequest(run_id=run.id, tags={"ok": "1"})),
    ]
    for n, call in enumerate(calls, 1):
        (writer / f"{n:020d}.call").write_bytes(call.SerializeToString())
    (writer / f"{3:020d}.call.tmp").write_bytes(b"half written")        # ignored
    with caplog.at_level(logging.WARNING, logger="labbook"):
        assert labbook.replay_spool(client, str(root)) == 2             # one batch, one call
    refused = [r.getMessage() for r in caplog.records if "dropping spooled call" in r.getMessage()]
    assert len(refused) == 1 and f"{1:020d}.call" in refused[0] and "INVALID_ARGUMENT" in refused[0]
    assert client.get_metric_history(run.id, "x")[0] == [0, 1]
    assert dict(client.get_run(run.id).tags) == {"ok": "1"}
    run.complete()


def test_a_spool_is_locked_with_a_posix_record_lock_while_its_writer_lives(tmp_path):
    import fcntl

    spool = _sender.Spool(str(tmp_path), "run", "writer")
    spool.write_call(spool_pb2.SpooledCall(set_run_tags=run_pb2.SetRunTagsRequest(run_id="run")))
    assert os.listdir(spool.dir) == ["writer.lock", f"{1:020d}.call"] or \
        sorted(os.listdir(spool.dir)) == sorted(["writer.lock", f"{1:020d}.call"])
    # another process cannot take it (lockf, as Java's FileChannel.tryLock would)
    probe = subprocess.run([sys.executable, "-c", textwrap.dedent(f'''
        import fcntl, os
        fd = os.open({os.path.join(spool.dir, "writer.lock")!r}, os.O_RDWR)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            print("taken")
        except OSError:
            print("held")
    ''')], capture_output=True, text=True, timeout=30)
    assert probe.stdout.strip() == "held"
    assert not _sender.Spool(str(tmp_path), "run", "writer").lock(), "nor another Spool of this process"
    spool.unlock()
    assert fcntl is not None


def test_queued_calls_still_check_their_arguments_at_the_call(client, exp_name):
    """Online, params, tags, names, descriptions and rows are sent in the background, but what
    the SDK can check is refused at once, in the caller's thread; what only the server knows is
    reported in run.errors."""
    run = labbook.Run(exp_name, "checked", client=client).open()
    bad = [
        lambda: run.log_parameters({"bad key!": 1}),
        lambda: run.log_parameter("big", "x" * (256 * 1024 + 1)),
        lambda: run.set_tags({"bad key!": "v"}),
        lambda: run.set_tag("k", "x" * (8 * 1024 + 1)),
        lambda: run.set_tags({f"k{i}": i for i in range(101)}),
        lambda: run.remove_tags(["bad key!"]),
        lambda: run.rename(" padded "),
        lambda: run.rename(""),
        lambda: run.set_description("x" * (64 * 1024 + 1)),
        lambda: run.log_row("bad table!", x=1),
        lambda: run.log_table("ragged", {"a": [1, 2], "b": [1]}),
    ]
    for call in bad:
        with pytest.raises(labbook.InvalidArgumentError):
            call()
    run.set_tags({})                     # nothing to change: no call at all
    run.rename("checked-2")
    assert run.name == "checked-2" and run.flush(30)
    assert client.get_run(run.id).name == "checked-2"
    other = labbook.Run(exp_name, "taken", client=client).open()
    other.rename("checked-2")            # taken: only the server knows
    assert other.name == "checked-2"     # (as asked; the refusal is reported)
    assert other.flush(30)
    [refused] = other.errors
    assert isinstance(refused, labbook.AlreadyExistsError)
    assert client.get_run(other.id).name == "taken"
    other.complete()
    run.complete()
    assert run.errors == []


def test_an_append_whose_answer_was_lost_then_spooled_is_stored_once(client, proxy, exp_name, tmp_path):
    """The server committed the append, the answer was lost, the server became unreachable
    before GetWriterState could tell: the append goes to the spool with its writer id and
    sequence, and its replay is acknowledged as a duplicate."""
    proxied = labbook.Client(proxy.target, retry_deadline_s=5)
    run = labbook.Run(exp_name, "lost-then-spooled", client=proxied, spool_dir=str(tmp_path / "sp")).open()
    run._sender.spool_after_s = 0.3
    proxy.lose_answer("AppendLogLines")
    run.log_text("once")
    deadline = time.monotonic() + 10
    while not proxy.requests.get("AppendLogLines") and time.monotonic() < deadline:
        time.sleep(0.001)
    proxy.cut()                                   # before the sender can ask GetWriterState
    run.log_row("t", x=1)
    time.sleep(1.0)
    run.close(status=None, timeout=1)
    spooled = [spool_pb2.SpooledCall.FromString(p.read_bytes())
               for p in sorted((tmp_path / "sp").rglob("*.call"))]
    assert [c.WhichOneof("call") for c in spooled] == ["append_log_lines", "append_table_rows"]
    assert spooled[0].append_log_lines.sequence == 1 and spooled[0].append_log_lines.writer_id
    proxy.restore()
    assert labbook.replay_spool(client, str(tmp_path / "sp")) == 2
    assert [line.text for line in client.read_logs(run.id)] == ["once"]
    assert client.list_tables(run.id)[0].row_count == 1
