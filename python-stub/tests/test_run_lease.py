"""Run leases: an open run renews its lease in the background (the heartbeat), so it stays
RUNNING; when its process dies, or it is closed without a status, the server marks it CRASHED;
a writer that comes back makes it RUNNING again. Against a server of its own with a 2 s lease."""
import subprocess
import sys
import textwrap
import time

import pytest

import labbook
from labbook.v1 import run_pb2
from server_process import ServerProcess

LEASE_S = 2


@pytest.fixture(scope="module")
def lease_server(tmp_path_factory):
    proc = ServerProcess(tmp_path_factory.mktemp("labbook-lease-server") / "data",
                         extra_args=["--run-lease-seconds", str(LEASE_S)]).start()
    yield proc
    proc.stop()


@pytest.fixture
def lease_client(lease_server):
    with labbook.Client(lease_server.target) as c:
        yield c


def _status(client, run_id):
    return run_pb2.RunStatus.Name(client.get_run(run_id).status)


def _await_crashed(client, run_id, timeout=4 * LEASE_S + 2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _status(client, run_id) == "RUN_STATUS_CRASHED":
            return
        time.sleep(0.1)
    assert _status(client, run_id) == "RUN_STATUS_CRASHED"


def _reasons(client, run_id):
    return [c.reason for c in client.call("runs", "GetRun", run_pb2.GetRunRequest(run_id=run_id)).status_history]


def test_an_open_run_stays_running_and_crashes_once_closed_without_a_status(lease_client, exp_name):
    run = labbook.Run(exp_name, "alive", client=lease_client).open()
    for step in range(50):
        run.log_metric("loss", 1.0 / (step + 1))
        time.sleep(0.1)
    assert _status(lease_client, run.id) == "RUN_STATUS_RUNNING"  # 5 s, 2.5 leases
    run.close(status=None)  # detached: no status, no heartbeat
    _await_crashed(lease_client, run.id)
    assert _reasons(lease_client, run.id)[-1] == "lease_expired"

    # The writer comes back: its renewal makes the run RUNNING again.
    response = lease_client.renew_run_lease(run.id)
    assert response.status == run_pb2.RUN_STATUS_RUNNING and response.resumed
    assert _reasons(lease_client, run.id)[-2:] == ["lease_expired", "resume"]
    lease_client.finish_run(run.id, "COMPLETED")


def test_a_finished_run_is_not_crashed(lease_client, exp_name):
    with labbook.Run(exp_name, "done", client=lease_client) as run:
        run.log_metric("loss", 0.5)
    time.sleep(LEASE_S + 1)
    assert _status(lease_client, run.id) == "RUN_STATUS_COMPLETED"


def test_a_killed_process_leaves_its_run_crashed(lease_server, lease_client, exp_name, tmp_path):
    script = textwrap.dedent(f"""
        import sys, time
        import labbook
        run = labbook.Run({exp_name!r}, "killed", target={lease_server.target!r}).open()
        print(run.id, flush=True)
        while True:
            run.log_metric("loss", 0.1)
            time.sleep(0.05)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        run_id = proc.stdout.readline().strip()
        assert run_id, "the child did not open its run"
        time.sleep(2 * LEASE_S + 0.5)
        assert _status(lease_client, run_id) == "RUN_STATUS_RUNNING"  # the heartbeat works
    finally:
        proc.kill()
        proc.wait(30)
    _await_crashed(lease_client, run_id)
    assert _reasons(lease_client, run_id)[-1] == "lease_expired"


def test_a_killed_labbook_run_leaves_its_run_crashed(lease_server, lease_client, exp_name, tmp_path):
    """The Java side of the heartbeat: `labbook run` (the CLI's JVM, through the Java SDK) renews
    the lease while its command runs; killing the JVM and its command together (kill -9 of the
    process group: a node lost) leaves the run CRASHED once the lease is over."""
    import os
    import signal
    from pathlib import Path
    id_file = tmp_path / "run-id"
    child = f"import os, time; open({str(id_file)!r}, 'w').write(os.environ['LABBOOK_RUN_ID']); time.sleep(120)"
    labbook_cli = Path(__file__).resolve().parents[2] / "bin" / "labbook"
    proc = subprocess.Popen(
        [str(labbook_cli), "run", "--target", lease_server.target, "-e", exp_name, "-n", "cli-killed",
         "--", sys.executable, "-c", child],
        env=dict(os.environ, LABBOOK_NO_BUILD="1"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (id_file.exists() and id_file.read_text()) and time.monotonic() < deadline:
            assert proc.poll() is None, "labbook run ended early"
            time.sleep(0.1)
        run_id = id_file.read_text()
        time.sleep(2 * LEASE_S + 0.5)
        assert _status(lease_client, run_id) == "RUN_STATUS_RUNNING"  # the CLI's heartbeat works
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    _await_crashed(lease_client, run_id)
    assert _reasons(lease_client, run_id)[-1] == "lease_expired"


def test_a_submitted_run_keeps_its_lease_and_crashes_with_its_runner(lease_client, exp_name, tmp_path, monkeypatch):
    """The runner (python -m labbook.runner) renews the lease while the script runs; killed with
    its script, the run becomes CRASHED and wait_for_completion reports it (issue 18)."""
    import os
    import signal
    monkeypatch.setenv("LABBOOK_SUBMISSIONS_DIR", str(tmp_path / "submissions"))
    (tmp_path / "quiet.py").write_text("import os, time\nprint('pid', os.getpid(), flush=True)\ntime.sleep(60)\n")
    run = labbook.submit(labbook.ScriptRunConfig(str(tmp_path), "quiet.py"), exp_name, client=lease_client)
    deadline = time.monotonic() + 20
    while not any(l.text.startswith("pid ") for l in lease_client.read_logs(run.id)):
        assert time.monotonic() < deadline, "the script did not start"
        time.sleep(0.05)
    pid = int(next(l.text for l in lease_client.read_logs(run.id) if l.text.startswith("pid ")).split()[1])
    time.sleep(2 * LEASE_S)  # no output meanwhile: only the heartbeat keeps it RUNNING
    assert _status(lease_client, run.id) == "RUN_STATUS_RUNNING"
    run._runner.send_signal(signal.SIGKILL)
    os.killpg(pid, signal.SIGKILL)
    with pytest.raises(labbook.RunFailedError) as raised:
        run.wait_for_completion(show_output=False, timeout=4 * LEASE_S + 2)
    assert raised.value.status == "CRASHED" and "(lease_expired" in raised.value.message
    assert _reasons(lease_client, run.id)[-1] == "lease_expired"
