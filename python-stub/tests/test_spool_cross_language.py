"""One spool format for both SDKs (labbook-spool/1, docs/sdk-protocol.md): what one language
spools during an outage, the other replays, and every point, line, row, param and tag is stored
exactly once.

- Python spools → Java replays: the Python child of test_spool.py (params, tags, a description,
  lines, rows, points; an outage longer than the spool window; SIGKILL) → `labbook sync --spool`.
- Java spools → Python replays: a small Java SDK program (run with the CLI jar on its class
  path) does the same → `labbook.replay_spool`;
- the writer lock: `labbook sync --spool` leaves a live Python writer's directory alone.

Needs the jars `mvn verify` packages."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import labbook
from fault_proxy import FaultProxy
from labbook.v1 import run_pb2
from test_cross_language import CLI_JAR, labbook_cli
from test_spool import CHILD, LINES, POINTS, ROWS

PHASES = range(3)

JAVA_SPOOLER = """
import dev.labbook.sdk.*;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.Map;

public class Spooler {
    static final int LINES = %(LINES)d, ROWS = %(ROWS)d, POINTS = %(POINTS)d;

    public static void main(String[] args) throws Exception {
        LabbookOptions options = LabbookOptions.defaults().withSpoolAfter(Duration.ofSeconds(1));
        Labbook labbook = Labbook.connect(args[0], options);
        Run run = labbook.startRun(NewRun.in(args[1]).withName(args[2]));
        phase(run, 0);
        if (!run.flush(30_000)) {
            throw new IllegalStateException("not delivered");
        }
        System.out.println("up " + run.id());
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine(); // the server is cut off
        phase(run, 1);
        run.setDescription("written during the outage");
        Thread.sleep(1500);   // longer than the spool window
        phase(run, 2);
        Thread.sleep(2500);   // the sender's flush interval is 1 s
        System.out.println("logged");
        System.out.flush();
        Thread.sleep(600_000); // SIGKILLed
    }

    static void phase(Run run, int k) {
        run.logParams(Map.of("p" + k + "_0", k * 10, "p" + k + "_1", k * 10 + 1, "p" + k + "_2", k * 10 + 2));
        run.setTags(Map.of("t" + k, "v" + k));
        for (int i = 0; i < LINES; i++) {
            run.log(k + ":" + i);
        }
        for (int i = 0; i < ROWS; i++) {
            run.logRow("rows", Map.of("phase", k, "i", i));
        }
        for (int i = 0; i < POINTS; i++) {
            run.logMetric("m", i, (long) k * POINTS + i);
        }
    }
}
""" % {"LINES": LINES, "ROWS": ROWS, "POINTS": POINTS}


@pytest.fixture
def cli_jar():
    assert CLI_JAR.exists(), f"{CLI_JAR} is missing: run `mvn -B verify` (bin/test does) first"


@pytest.fixture
def proxy(server):
    p = FaultProxy(server.target).start()
    yield p
    p.stop()


def _files(root: Path, suffix: str):
    return sorted(str(p.relative_to(root)) for p in root.rglob(f"*{suffix}")) if root.exists() else []


def _spool_and_kill(command, proxy, env):
    """Runs a writer until it says it is up, cuts the server off, lets it log through the outage
    and SIGKILLs it; returns the run id."""
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        first = child.stdout.readline().split()
        assert first[:1] == ["up"], first
        proxy.cut()
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "logged"
        return first[1]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        proxy.restore()


def _assert_points(client, run_id):
    steps, _, values = client.get_metric_history(run_id, "m")
    assert steps == list(range(3 * POINTS)), f"{len(steps)} points stored for {3 * POINTS} logged"
    assert values == [float(i) for _ in PHASES for i in range(POINTS)]


def _assert_calls(client, run_id):
    lines = [line.text for line in client.read_logs(run_id)]
    assert lines == [f"{k}:{i}" for k in PHASES for i in range(LINES)], "0 lost, 0 doubled, in order"
    _, rows = client.get_table(run_id, "rows")
    assert sorted((r.cells["phase"].number_value, r.cells["i"].number_value) for r in rows) == \
        [(k, i) for k in PHASES for i in range(ROWS)]
    stored = client.get_run(run_id)
    assert {p.key: p.value.int_value for p in stored.params} == \
        {f"p{k}_{i}": k * 10 + i for k in PHASES for i in range(3)}
    assert dict(stored.tags) == {f"t{k}": f"v{k}" for k in PHASES}
    assert stored.description == "written during the outage"


def test_python_spool_is_replayed_by_labbook_sync_spool(server, client, proxy, exp_name, tmp_path, cli_jar):
    spool = tmp_path / "py-spool"
    env = dict(os.environ, LABBOOK_SPOOL_AFTER_SECONDS="1", LABBOOK_SPOOL_DIR=str(spool))
    run_id = _spool_and_kill([sys.executable, "-c", CHILD, proxy.target, exp_name, "py-spooled", "kill"],
                             proxy, env)
    batches, calls = _files(spool, ".batch"), _files(spool, ".call")
    assert batches and calls, "the Python writer spooled both kinds"

    labbook_cli("sync", "--spool", str(spool), "--target", server.target)   # the Java SpoolReplayer
    _assert_points(client, run_id)
    left = _files(spool, ".call")
    assert left == [], f"spooled calls left after labbook sync --spool: {left}"
    _assert_calls(client, run_id)
    assert not (spool / run_id).exists(), "replayed writer directories are removed"
    labbook_cli("sync", "--spool", str(spool), "--target", server.target)   # again: nothing doubled
    _assert_points(client, run_id)
    _assert_calls(client, run_id)


def test_java_spool_is_replayed_by_python_replay_spool(server, client, proxy, exp_name, tmp_path, cli_jar):
    source = tmp_path / "Spooler.java"
    source.write_text(JAVA_SPOOLER)
    spool = tmp_path / "java-spool"
    env = dict(os.environ, LABBOOK_SPOOL_AFTER_SECONDS="1", LABBOOK_SPOOL_DIR=str(spool))
    run_id = _spool_and_kill(["java", "-cp", str(CLI_JAR), str(source), proxy.target, exp_name, "java-spooled"],
                             proxy, env)
    batches, calls = _files(spool, ".batch"), _files(spool, ".call")
    assert batches and calls, "the Java writer spooled both kinds"
    assert all(len(Path(b).name.split(".")[0]) == 20 for b in batches + calls)

    labbook.replay_spool(client, str(spool))
    _assert_points(client, run_id)
    _assert_calls(client, run_id)
    assert not (spool / run_id).exists(), "replayed writer directories are removed"
    assert labbook.replay_spool(client, str(spool)) == 0
    _assert_points(client, run_id)
    _assert_calls(client, run_id)
    assert client.get_run(run_id).status in (run_pb2.RUN_STATUS_RUNNING, run_pb2.RUN_STATUS_CRASHED)


def test_labbook_sync_spool_leaves_a_live_python_writer_alone(server, client, proxy, exp_name, tmp_path, cli_jar):
    """The writer.lock of a live Python writer (fcntl.lockf) is one Java's FileChannel.tryLock
    sees: `labbook sync --spool` skips the directory, and the writer delivers it itself."""
    import time

    proxied = labbook.Client(proxy.target, retry_deadline_s=5)
    spool = tmp_path / "live"
    run = labbook.Run(exp_name, "live", client=proxied, spool_dir=str(spool)).open()
    run._sender.spool_after_s = 0.2
    proxy.cut()
    for i in range(100):
        run.log_metric("m", float(i), step=i)
    run.log_text("kept")
    time.sleep(1.5)
    before = _files(spool, ".batch") + _files(spool, ".call")
    assert _files(spool, ".batch") and _files(spool, ".call")
    labbook_cli("sync", "--spool", str(spool), "--target", server.target)   # skips it, no failure
    assert _files(spool, ".batch") + _files(spool, ".call") == before, "a live writer's spool is left alone"
    assert client.list_metrics(run.id) == []
    proxy.restore()
    assert run.flush(30)
    run.complete()
    assert client.get_metric_history(run.id, "m")[0] == list(range(100))
    assert [line.text for line in client.read_logs(run.id)] == ["kept"]
    assert _files(spool, ".batch") + _files(spool, ".call") == []
