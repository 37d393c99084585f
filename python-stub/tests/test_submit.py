"""Submitting scripts as runs (issue 18): `experiment.submit(ScriptRunConfig)` to the local
target, `wait_for_completion` / `cancel` on the handle, the runner as a Kubernetes pod runs it
(`python -m labbook.runner --snapshot ... --requirement ... -- python train.py`, as a local
process with the pod's environment), and the snapshot's rules. Against the real server."""
import base64
import hashlib
import io
import os
import signal
import subprocess
import sys
import tarfile
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

import labbook
from labbook import _artifacts, _snapshot, runner
from labbook.v1 import log_pb2, run_pb2

TRAIN = textwrap.dedent("""
    import argparse, os, sys, time
    import labbook

    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--gate", default="")
    parser.add_argument("--exit-code", type=int, default=0)
    args = parser.parse_args()
    run = labbook.get_context()
    run.log_params({"epochs": args.epochs, "lr": args.lr})
    print(f"started epochs={args.epochs} lr={args.lr} seed={os.environ.get('SEED', '')} pid={os.getpid()}",
          flush=True)
    deadline = time.time() + 30
    while args.gate and not os.path.exists(args.gate) and time.time() < deadline:
        time.sleep(0.02)
    for epoch in range(args.epochs):
        run.log_metric("loss", 1.0 / (epoch + 1))
        print(f"epoch {epoch}")
    os.makedirs("outputs", exist_ok=True)
    with open("outputs/model.txt", "w") as f:
        f.write("weights")
    print("trained", file=sys.stderr)
    sys.exit(args.exit_code)
""")


@pytest.fixture(autouse=True)
def _submissions(monkeypatch, tmp_path):
    monkeypatch.setenv("LABBOOK_SUBMISSIONS_DIR", str(tmp_path / "submissions"))


@pytest.fixture
def source(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(TRAIN)
    return src


def status(client, run_id):
    return run_pb2.RunStatus.Name(client.get_run(run_id).status).replace("RUN_STATUS_", "")


def wait_for(predicate, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# -- local target -------------------------------------------------------------------------------
NOTEBOOK = textwrap.dedent("""
    import sys
    import labbook
    target, experiment, source, gate = sys.argv[1:5]
    exp = labbook.Experiment(labbook.Client(target), experiment)
    config = labbook.ScriptRunConfig(source_directory=source, script="train.py",
                                     arguments=["--epochs", 3, "--lr", 0.5, "--gate", gate])
    run = exp.submit(config)
    print("SUBMITTED", run.id, run.status, flush=True)
    details = run.wait_for_completion(show_output=True)
    print("STATUS", details["status"], flush=True)
""")


def test_local_submit_prints_the_output_live_and_completes(server, client, exp_name, source, tmp_path):
    gate = tmp_path / "gate"
    notebook = tmp_path / "notebook.py"
    notebook.write_text(NOTEBOOK)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABBOOK_")}
    env["LABBOOK_SUBMISSIONS_DIR"] = str(tmp_path / "submissions")
    proc = subprocess.Popen([sys.executable, str(notebook), server.target, exp_name, str(source), str(gate)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        submitted = proc.stdout.readline().split()
        assert submitted[0] == "SUBMITTED" and submitted[2] in ("QUEUED", "RUNNING"), submitted
        run_id = submitted[1]
        first = proc.stdout.readline()
        # the script's first line reached the notebook while the script still waits for the gate
        assert first.startswith("started epochs=3 lr=0.5 seed= pid="), first
        assert status(client, run_id) == "RUNNING"
        gate.write_text("go")
        rest, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    lines = rest.splitlines()
    # stdout in order; stderr's line may come anywhere (two pipes, read side by side)
    assert [l for l in lines if l != "trained"][:3] == ["epoch 0", "epoch 1", "epoch 2"], lines
    assert "trained" in lines, lines
    assert lines[-1] == "STATUS COMPLETED"

    run = client.get_run(run_id)
    assert run.tags["labbook.compute_target"] == "local"
    assert run.source.script == "train.py"
    assert list(run.source.args) == ["--epochs", "3", "--lr", "0.5", "--gate", str(gate)]
    params = {p.key: p.value for p in run.params}
    assert params["epochs"].int_value == 3 and params["lr"].double_value == 0.5
    _steps, _times, values = client.get_metric_history(run_id, "loss")
    assert values == [1.0, 0.5, 1.0 / 3]
    assert [a.path for a in client.list_artifacts(run_id, path_prefix="outputs/")] == ["outputs/model.txt"]
    logs = client.read_logs(run_id)
    streams = {line.text: line.stream for line in logs}
    assert streams["epoch 1"] == log_pb2.LOG_STREAM_STDOUT
    assert streams["trained"] == log_pb2.LOG_STREAM_STDERR
    # the runner's own console went to the submissions directory
    console = (tmp_path / "submissions" / f"{run_id}.log").read_text()
    assert f"run {run_id} COMPLETED (exit code 0)" in console


def test_local_failure_raises_or_returns_failed(client, exp_name, source):
    # Azure's command= form: `python` is this interpreter locally
    config = labbook.ScriptRunConfig(source_directory=str(source),
                                     command=["python", "train.py", "--epochs", 1, "--lr", 1, "--exit-code", 3])
    run = labbook.submit(config, exp_name, client=client)
    source_info = client.get_run(run.id).source
    assert (source_info.script, list(source_info.args)) == ("train.py", ["--epochs", "1", "--lr", "1", "--exit-code", "3"])
    with pytest.raises(labbook.RunFailedError) as raised:
        run.wait_for_completion(show_output=False)
    assert raised.value.status == "FAILED" and raised.value.run_id == run.id
    assert raised.value.message.startswith(f"run {run.id} ({run.name}) ended FAILED; the local runner's console: ")
    details = run.wait_for_completion(show_output=False, raise_on_error=False)
    assert details["status"] == "FAILED" and details.run.status == run_pb2.RUN_STATUS_FAILED
    assert run._runner.wait(15) == 3  # the runner exits with the script's code


def test_wait_times_out_and_the_run_goes_on(client, exp_name, source, tmp_path, capsys):
    gate = tmp_path / "gate"
    config = labbook.ScriptRunConfig(source_directory=str(source), script="train.py",
                                     arguments=["--epochs", 1, "--lr", 1, "--gate", gate])
    config.environment = labbook.Environment(variables={"SEED": 7})  # variables apply locally
    run = labbook.Experiment(client, exp_name).submit(config, name="slow", tags={"k": "v"})
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        run.wait_for_completion(timeout=1.0)
    assert time.monotonic() - started < 5
    assert status(client, run.id) == "RUNNING"
    gate.write_text("go")
    details = run.wait_for_completion(timeout=30)
    assert (details["status"], details["runId"], details["name"], details["target"]) == \
        ("COMPLETED", run.id, "slow", "local")
    assert details["params"] == {"epochs": 1, "lr": 1.0} and details["tags"]["k"] == "v"
    assert details["startTimeUtc"] <= details["endTimeUtc"] and details["endTimeUtc"].endswith("Z")
    assert details["runUrl"].endswith(f"/runs/{run.id}")
    out = capsys.readouterr().out
    assert "seed=7 pid=" in out
    assert out.count("started epochs=1") == 1 and "epoch 0" in out  # no line printed twice
    assert client.get_run(run.id).tags["k"] == "v"
    # the handle reads as any run
    assert run.get_metrics() == {"loss": 1.0} and run.get_file_names("outputs/") == ["outputs/model.txt"]
    assert run.get_status() == "COMPLETED"


def test_cancel_stops_the_script(client, exp_name, source, tmp_path):
    gate = tmp_path / "never"
    config = labbook.ScriptRunConfig(source_directory=str(source), script="train.py",
                                     arguments=["--epochs", 1, "--lr", 1, "--gate", gate])
    run = labbook.submit(config, exp_name, client=client)
    wait_for(lambda: any(l.text.startswith("started") for l in client.read_logs(run.id)), what="the script")
    pid = int(next(l.text for l in client.read_logs(run.id) if l.text.startswith("started")).split("pid=")[1])
    assert alive(pid)
    run.cancel()
    assert run.status == "CANCELED"
    assert run.wait_for_completion(show_output=False)["status"] == "CANCELED"
    assert run._runner.wait(15) == 128 + signal.SIGTERM
    assert not alive(pid)
    assert status(client, run.id) == "CANCELED"  # the runner did not override it


SUBMIT_AND_EXIT = textwrap.dedent("""
    import sys
    import labbook
    target, experiment, source, gate = sys.argv[1:5]
    run = labbook.Experiment(labbook.Client(target), experiment).submit(labbook.ScriptRunConfig(
        source, "train.py", arguments=["--epochs", 1, "--lr", 1, "--gate", gate]))
    print(run.id, flush=True)
""")


def test_the_run_outlives_the_process_that_submitted_it(server, client, exp_name, source, tmp_path):
    gate = tmp_path / "gate"
    notebook = tmp_path / "submit_and_exit.py"
    notebook.write_text(SUBMIT_AND_EXIT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABBOOK_")}
    env["LABBOOK_SUBMISSIONS_DIR"] = str(tmp_path / "submissions")
    proc = subprocess.run([sys.executable, str(notebook), server.target, exp_name, str(source), str(gate)],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    run_id = proc.stdout.strip()
    wait_for(lambda: any(l.text.startswith("started") for l in client.read_logs(run_id)), what="the script")
    assert status(client, run_id) == "RUNNING"  # the handle set nothing at its interpreter's exit
    gate.write_text("go")
    wait_for(lambda: status(client, run_id) == "COMPLETED", what="COMPLETED")


def test_the_runner_needs_an_existing_run(server, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABBOOK_")}
    env.update(LABBOOK_TRACKING_URI=server.target, LABBOOK_RUN_ID="0190a0a0-0000-7000-8000-000000000000")
    proc = subprocess.run([sys.executable, "-m", "labbook.runner", "--", sys.executable, "-c", "print('never')"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "never" not in proc.stdout
    assert "cannot start run 0190a0a0-0000-7000-8000-000000000000" in proc.stderr


def test_local_refuses_image_and_pip_requirements(client, exp_name, source):
    for env, field in ((labbook.Environment(image="python:3.12"), "Environment.image"),
                       (labbook.Environment(pip_requirements=["numpy"]), "Environment.pip_requirements")):
        with pytest.raises(ValueError, match=field):
            labbook.submit(labbook.ScriptRunConfig(str(source), "train.py", environment=env), exp_name,
                           client=client)
    with pytest.raises(ValueError, match="script='missing.py': no such file"):
        labbook.submit(labbook.ScriptRunConfig(str(source), "missing.py"), exp_name, client=client)
    with pytest.raises(labbook.ExperimentNotFoundError):
        client.get_experiment(exp_name, "default")  # nothing was created


# -- server targets -------------------------------------------------------------------------------
def test_unknown_server_target_is_refused_before_any_run(client, exp_name, source):
    config = labbook.ScriptRunConfig(str(source), "train.py", compute_target="gpu")
    with pytest.raises(labbook.FailedPreconditionError) as raised:
        labbook.submit(config, exp_name, client=client)
    assert "compute_target 'gpu'" in raised.value.message and "known: local" in raised.value.message
    with pytest.raises(labbook.ExperimentNotFoundError):
        client.get_experiment(exp_name, "default")  # no QUEUED run (nor experiment) left behind


def test_oversized_snapshot_is_refused_while_building(tmp_path):
    src = tmp_path / "big"
    src.mkdir()
    (src / "train.py").write_text("print(1)\n")
    (src / "weights.bin").write_bytes(os.urandom(64 * 1024))
    archive = tmp_path / "source.tar.gz"
    with pytest.raises(labbook.ResourceExhaustedError) as raised:
        _snapshot.build_snapshot(str(src), str(archive), max_bytes=16 * 1024, target_name="gpu")
    assert raised.value.field == "source_directory"
    assert "compute target 'gpu'" in raised.value.message and "16384 bytes" in raised.value.message
    assert not archive.exists()
    (src / ".labbookignore").write_text("*.bin\n")
    files, size = _snapshot.build_snapshot(str(src), str(archive), max_bytes=16 * 1024)
    assert files == 2 and size < 16 * 1024  # train.py and .labbookignore


def test_snapshot_honours_gitignore_and_labbookignore(tmp_path):
    src = tmp_path / "proj"
    for path, text in {
        ".git/config": "x", ".gitignore": "*.log\nbuild/\n!keep.log\n", ".labbookignore": "data/big.bin\n",
        "train.py": "", "keep.log": "", "run.log": "", "build/out.o": "", "data/big.bin": "",
        "data/small.csv": "", "pkg/.gitignore": "secret.txt\n", "pkg/secret.txt": "", "pkg/mod.py": "",
        "pkg/sub/.git": "gitdir: elsewhere", "pkg/sub/x.py": "",
    }.items():
        (src / path).parent.mkdir(parents=True, exist_ok=True)
        (src / path).write_text(text)
    os.symlink("/etc/passwd", src / "link")
    expected = [".gitignore", ".labbookignore", "data/small.csv", "keep.log", "pkg/.gitignore", "pkg/mod.py",
                "pkg/sub/x.py", "train.py"]
    assert _snapshot.snapshot_files(str(src)) == expected
    archive = tmp_path / "s.tar.gz"
    _snapshot.build_snapshot(str(src), str(archive))
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == expected


def test_snapshot_ignore_precedence_is_gits(tmp_path):
    """The deepest ignore file with a matching rule decides (as git, and the Java SDK's JGit)."""
    src = tmp_path / "proj"
    for path, text in {
        ".gitignore": "*.log\nscratch/\n", "a.log": "", "pkg/.gitignore": "!keep.log\n", "pkg/keep.log": "",
        "pkg/other.log": "", "pkg/.labbookignore": "keep.log\n", "sub/.labbookignore": "!x.log\n", "sub/x.log": "",
        "scratch/.gitignore": "!y.txt\n", "scratch/y.txt": "",
    }.items():
        (src / path).parent.mkdir(parents=True, exist_ok=True)
        (src / path).write_text(text)
    # pkg/.labbookignore comes after pkg/.gitignore: keep.log is ignored again; an excluded
    # directory (scratch/) is not entered, so its own re-include cannot act
    assert _snapshot.snapshot_files(str(src)) == [".gitignore", "pkg/.gitignore", "pkg/.labbookignore",
                                                  "sub/.labbookignore", "sub/x.log"]


# -- the runner as a pod runs it ------------------------------------------------------------------
def tiny_wheel(folder: Path) -> Path:
    """A pure-Python wheel built by hand (a zip with dist-info), so that pip installs offline."""
    name, version = "labbook_tiny_req", "1.0"
    info = f"{name}-{version}.dist-info"
    files = {f"{name}.py": b"VALUE = 42\n",
             f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
             f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for path, data in files.items():
            z.writestr(path, data)
        z.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return wheel


POD_TRAIN = textwrap.dedent("""
    import argparse, os
    import labbook, labbook_tiny_req
    parser = argparse.ArgumentParser()
    parser.add_argument("--x", type=int)
    args = parser.parse_args()
    labbook.get_context().log_param("x", args.x)
    print(f"x={args.x} tiny={labbook_tiny_req.VALUE} data={open('data/input.txt').read()}")
    os.makedirs("outputs", exist_ok=True)
    open("outputs/result.txt", "w").write("ok")
""")


def queued_run(client, exp_name):
    exp = client.create_experiment(exp_name, "default", return_existing=True)
    return client.create_run(experiment_id=exp.id, name="pod", queued=True)


def pod_env(server, exp_name, run, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABBOOK_")}
    site = tmp_path / "site"
    env.update(LABBOOK_TRACKING_URI=server.target, LABBOOK_PROJECT="default", LABBOOK_EXPERIMENT=exp_name,
               LABBOOK_RUN_ID=run.id, LABBOOK_RUN_NAME=run.name, PYTHONUNBUFFERED="1",
               # `python` is this interpreter; pip installs offline into a directory of the test
               PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
               PIP_TARGET=str(site), PIP_NO_INDEX="1", PYTHONPATH=str(site))
    return env


def test_runner_as_the_pod_runs_it(server, client, exp_name, tmp_path):
    src = tmp_path / "src"
    (src / "data").mkdir(parents=True)
    (src / "train.py").write_text(POD_TRAIN)
    (src / "data" / "input.txt").write_text("hello")
    (src / ".labbookignore").write_text("outputs/\n")
    archive = tmp_path / "source.tar.gz"
    _snapshot.build_snapshot(str(src), str(archive))
    run = queued_run(client, exp_name)
    _artifacts.upload(client, run.id, "snapshot/source.tar.gz", str(archive), is_output=False)
    wheel = tiny_wheel(tmp_path)
    workdir = tmp_path / "workspace"
    workdir.mkdir()
    proc = subprocess.run([sys.executable, "-m", "labbook.runner", "--snapshot", "snapshot/source.tar.gz",
                           "--requirement", str(wheel), "--", "python", "train.py", "--x", "1"],
                          cwd=workdir, env=pod_env(server, exp_name, run, tmp_path), capture_output=True,
                          text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr
    assert "x=1 tiny=42 data=hello" in proc.stdout
    assert status(client, run.id) == "COMPLETED"
    texts = [line.text for line in client.read_logs(run.id)]
    assert any("Successfully installed labbook_tiny_req" in t or "Successfully installed labbook-tiny-req" in t
               for t in texts), texts
    assert "x=1 tiny=42 data=hello" in texts
    assert {p.key: p.value.int_value for p in client.get_run(run.id).params} == {"x": 1}
    paths = sorted(a.path for a in client.list_artifacts(run.id))
    assert paths == ["outputs/result.txt", "snapshot/source.tar.gz"]


def test_runner_fails_the_run_when_pip_fails(server, client, exp_name, tmp_path):
    run = queued_run(client, exp_name)
    marker = tmp_path / "started"
    proc = subprocess.run([sys.executable, "-m", "labbook.runner", "--requirement", "no-such-package-xyz==1",
                           "--", sys.executable, "-c", f"open({str(marker)!r}, 'w')"],
                          cwd=tmp_path, env=pod_env(server, exp_name, run, tmp_path), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode != 0
    assert status(client, run.id) == "FAILED"
    assert not marker.exists()  # the script never started
    texts = [line.text for line in client.read_logs(run.id)]
    assert any("pip install failed" in t for t in texts), texts


def test_runner_refuses_a_snapshot_leaving_the_directory(server, client, exp_name, tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        data = b"owned"
        info = tarfile.TarInfo("../escaped.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    run = queued_run(client, exp_name)
    _artifacts.upload(client, run.id, "snapshot/source.tar.gz", buffer.getvalue(), is_output=False)
    workdir = tmp_path / "workspace"
    workdir.mkdir()
    proc = subprocess.run([sys.executable, "-m", "labbook.runner", "--snapshot", "snapshot/source.tar.gz",
                           "--", sys.executable, "-c", "print('never')"],
                          cwd=workdir, env=pod_env(server, exp_name, run, tmp_path), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1
    assert not (tmp_path / "escaped.txt").exists()
    assert status(client, run.id) == "FAILED"
    assert any("'../escaped.txt'" in line.text and "refused" in line.text for line in client.read_logs(run.id))


@pytest.mark.parametrize("name,kind,link", [
    ("/etc/x", tarfile.REGTYPE, ""), ("a/../../x", tarfile.REGTYPE, ""),
    ("ok/link", tarfile.SYMTYPE, "../../outside"), ("abs", tarfile.SYMTYPE, "/etc/passwd"),
    ("hard", tarfile.LNKTYPE, "../x"), ("dev", tarfile.CHRTYPE, ""),
])
def test_snapshot_members_that_leave_the_directory_are_refused(tmp_path, name, kind, link):
    member = tarfile.TarInfo(name)
    member.type = kind
    member.linkname = link
    with pytest.raises(runner.RunnerError):
        runner.check_member(member, tmp_path)


def test_snapshot_members_inside_the_directory_pass(tmp_path):
    for name, kind, link in (("a/b.txt", tarfile.REGTYPE, ""), ("a", tarfile.DIRTYPE, ""),
                             ("a/link", tarfile.SYMTYPE, "b.txt"), ("a/up", tarfile.SYMTYPE, "../c.txt")):
        member = tarfile.TarInfo(name)
        member.type = kind
        member.linkname = link
        runner.check_member(member, tmp_path)


def test_outputs_older_than_the_run_are_skipped_and_named(tmp_path):
    out = tmp_path / "outputs"
    (out / "sub").mkdir(parents=True)
    old, new, edge = out / "old.txt", out / "sub" / "new.txt", out / "edge.txt"
    for f in (old, new, edge):
        f.write_text("x")
    started_ms = int(time.time() * 1000)
    os.utime(old, (started_ms / 1000 - 60, started_ms / 1000 - 60))
    os.utime(edge, (started_ms / 1000 - 1.5, started_ms / 1000 - 1.5))  # inside the 2 s tolerance
    fresh, stale = runner.select_outputs(str(out), started_ms)
    assert fresh == [str(edge), str(new)] and stale == [str(old)]
    assert runner.skipped_message(str(out), stale, "outputs/") == (
        "skipped 1 file in outputs/ older than this run: old.txt (use --upload-all-outputs to include them)")
    assert runner.select_outputs(str(out), started_ms, upload_all=True)[0] == [str(edge), str(old), str(new)]


def test_script_run_config_validates_and_stringifies_arguments(source):
    config = labbook.ScriptRunConfig(str(source), "train.py", arguments=["--lr", 0.1, "--n", 3, "--flag", True])
    config.validate()
    assert config.script_and_arguments() == ("train.py", ["--lr", "0.1", "--n", "3", "--flag", "True"])
    assert labbook.ScriptRunConfig(command="python train.py --x 1").script_and_arguments() == \
        ("train.py", ["--x", "1"])
    with pytest.raises(ValueError, match="source_directory"):
        labbook.ScriptRunConfig("/no/such/dir", "train.py").validate()
    with pytest.raises(ValueError, match="relative to source_directory"):
        labbook.ScriptRunConfig(str(source), "../train.py").validate()
    with pytest.raises(ValueError, match="script= .* or command="):
        labbook.ScriptRunConfig(str(source), "train.py", command=["python", "x.py"]).validate()
    with pytest.raises(ValueError, match="LABBOOK_"):
        labbook.Environment(variables={"LABBOOK_RUN_ID": "x"})
    req = source / "requirements.txt"
    req.write_text("# deps\nnumpy==2.1  # pinned\n\n-r other.txt\ntorch\n")
    assert labbook.Environment.from_pip_requirements("env", str(req)).pip_requirements == ["numpy==2.1", "torch"]


def test_a_signal_to_the_runner_reaches_the_script_and_cancels_the_run(server, client, exp_name, source, tmp_path):
    run = queued_run(client, exp_name)
    proc = subprocess.Popen([sys.executable, "-m", "labbook.runner", "--", sys.executable, "train.py", "--epochs",
                             "1", "--lr", "1", "--gate", str(tmp_path / "never")],
                            cwd=source, env=pod_env(server, exp_name, run, tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("started epochs=1")
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGINT, err  # Python ends an uncaught KeyboardInterrupt by SIGINT
    assert status(client, run.id) == "CANCELED"
    assert f"run {run.id} CANCELED" in err


def test_runner_arguments_after_the_double_dash_reach_the_command_unchanged():
    args = runner.parse_args(["--snapshot", "snapshot/source.tar.gz", "--requirement", "a", "--requirement", "b",
                              "--", "python", "train.py", "--snapshot", "x", "--", "y"])
    assert (args.snapshot, args.requirement) == ("snapshot/source.tar.gz", ["a", "b"])
    assert args.command == ["python", "train.py", "--snapshot", "x", "--", "y"]
