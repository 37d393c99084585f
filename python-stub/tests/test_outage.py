"""The server is SIGKILLed mid-run and restarted on the same data dir and port: every point
arrives exactly once (resend after GetWriterState, spool to disk during the outage, replay)."""
import os
import threading
import time

import pytest

import labbook
from server_process import ServerProcess


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(tmp_path / "own-server" / "data").start()
    yield proc
    proc.stop()


def test_kill_and_restart_keeps_every_point_exactly_once(own_server, tmp_path):
    client = labbook.Client(own_server.target)
    spool = tmp_path / "spool"
    run = labbook.Run("outage", "killed-mid-run", client=client, spool_dir=str(spool)).open()
    run._sender.spool_after_s = 2.0  # the restart takes longer: the spool path is exercised too
    total = 300_000
    logged = threading.Event()
    half = threading.Event()

    def train():
        for step in range(total):
            run.log_metric("loss", step * 0.5, step=step)
            run.log_metric("acc", 1.0, step=step) if step % 100 == 0 else None
            if step == total // 3:
                half.set()
            if step % 2000 == 0:
                time.sleep(0.01)  # spread the logging over the outage
        logged.set()

    trainer = threading.Thread(target=train)
    trainer.start()
    assert half.wait(60)
    own_server.kill()                 # SIGKILL while batches are in flight
    time.sleep(3)                     # longer than spool_after_s
    own_server.start()                # same port, same data dir
    trainer.join(120)
    assert logged.is_set()
    assert run.flush(180), "flush did not finish after the restart"
    assert run.errors == []
    steps, _, values = client.get_metric_history(run.id, "loss")
    assert len(steps) == total, f"{len(steps)} points stored for {total} logged"
    assert steps == list(range(total))
    assert values == [s * 0.5 for s in range(total)]
    assert client.get_metric_history(run.id, "acc")[0] == list(range(0, total, 100))
    run.complete()
    assert (spool / run.id).is_dir(), "the outage outlasted spool_after_s: batches went to the spool"
    leftovers = [f for _, _, files in os.walk(spool) for f in files]
    assert leftovers == [], "replayed spool files must be removed"


def test_spool_left_by_a_dead_process_is_replayed_exactly_once(client, exp_name, tmp_path):
    from labbook._sender import Spool
    from labbook.v1 import metric_pb2

    run = labbook.Run(exp_name, "died-offline", client=client).open()
    spool_root = str(tmp_path / "dead-spool")
    # What a process that died during an outage leaves: batches 1..3 of its writer on disk.
    spool = Spool(spool_root, run.id, "dead-writer")
    for seq in (1, 2, 3):
        spool.write(metric_pb2.MetricBatch(run_id=run.id, writer_id="dead-writer", sequence=seq,
                                           keys=["loss"], key_index=[0] * 10,
                                           step=list(range(seq * 10, seq * 10 + 10)),
                                           timestamp_ms=[1] * 10, value=[float(seq)] * 10))
    spool.unlock()  # the process died: the kernel released its writer lock
    # the server already had batch 1 before the process died
    client.log_metric_batches([metric_pb2.LogMetricsRequest(batch=spool.head(1)[0])])
    assert labbook.replay_spool(client, spool_root) == 3
    assert not os.path.exists(os.path.join(spool_root, run.id))
    assert labbook.replay_spool(client, spool_root) == 0
    steps, _, values = client.get_metric_history(run.id, "loss")
    assert steps == list(range(10, 40)) and values == [1.0] * 10 + [2.0] * 10 + [3.0] * 10
    run.complete()


def _dead_batch(run_id, writer, seq, bad=False):
    from labbook.v1 import metric_pb2
    return metric_pb2.MetricBatch(run_id=run_id, writer_id=writer, sequence=seq, keys=["loss"],
                                  key_index=[7 if bad else 0] * 10,
                                  step=list(range(seq * 10, seq * 10 + 10)),
                                  timestamp_ms=[1] * 10, value=[float(seq)] * 10)


def test_replay_skips_the_spool_of_a_writer_that_is_still_alive(client, exp_name, tmp_path):
    from labbook._sender import Spool

    run = labbook.Run(exp_name, "live-writer", client=client).open()
    root = str(tmp_path / "shared-spool")
    live = Spool(root, run.id, "live-writer")   # holds its writer lock, as a live sender does
    live.write(_dead_batch(run.id, "live-writer", 1))
    assert labbook.replay_spool(client, root) == 0
    assert len(live.head(1)) == 1, "a live writer's spooled batch must not be deleted"
    assert client.list_metrics(run.id) == []
    live.unlock()                                # the writer died
    assert labbook.replay_spool(client, root) == 1
    assert client.get_metric_history(run.id, "loss")[0] == list(range(10, 20))
    run.complete()


def test_replay_drops_only_the_batch_the_server_refuses(client, exp_name, tmp_path):
    from labbook._sender import Spool

    run = labbook.Run(exp_name, "one-bad-batch", client=client).open()
    root = str(tmp_path / "bad-spool")
    spool = Spool(root, run.id, "dead-writer")
    for seq in (1, 2, 3, 4):
        spool.write(_dead_batch(run.id, "dead-writer", seq, bad=(seq == 2)))
    spool.unlock()
    labbook.replay_spool(client, root)
    assert not os.path.exists(os.path.join(root, run.id))
    steps, _, values = client.get_metric_history(run.id, "loss")
    assert steps == list(range(10, 20)) + list(range(30, 50))
    run.complete()


def test_a_closed_runs_spool_is_replayed_in_process(client, exp_name, tmp_path):
    from labbook import _sender

    run = labbook.Run(exp_name, "closed-with-spool", client=client, spool_dir=str(tmp_path / "sp")).open()
    sender = run._sender
    # What close() leaves after a failed flush: batches in this writer's spool.
    sender._next_attempt = float("inf")  # as in an outage: the sender does not get to send it
    batch = _dead_batch(run.id, sender.writer_id, 1)
    sender.spool = _sender.Spool(str(tmp_path / "sp"), run.id, sender.writer_id)
    sender.spool.write(batch)
    sender.next_sequence = 2
    run.close(status=None, timeout=0.01)
    assert labbook.replay_spool(client, str(tmp_path / "sp")) >= 1
    assert client.get_metric_history(run.id, "loss")[0] == list(range(10, 20))


def test_a_sender_whose_spool_files_vanish_resyncs_and_goes_on(client, exp_name, tmp_path):
    from labbook import _sender

    run = labbook.Run(exp_name, "spool-deleted", client=client, spool_dir=str(tmp_path / "sp")).open()
    sender = run._sender
    sender._next_attempt = float("inf")  # an outage: nothing is sent for now
    spool = _sender.Spool(str(tmp_path / "sp"), run.id, sender.writer_id)
    spool.write(_dead_batch(run.id, sender.writer_id, 1))
    sender.spool = spool
    sender.next_sequence = 2
    os.remove(os.path.join(spool.dir, f"{1:020d}.batch"))  # someone else deleted it
    sender._next_attempt = 0.0                          # the server is back
    run.log_metric("after", 1.0, step=0)
    assert run.flush(20), "the sender must get past the vanished file"
    assert [type(e) for e in run.errors] == [FileNotFoundError]
    assert client.get_metric_history(run.id, "after")[0] == [0]
    run.complete()
