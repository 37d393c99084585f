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
