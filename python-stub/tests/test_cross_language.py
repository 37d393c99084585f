"""Cross-language: what one SDK writes, the other reads, through a real server process.

- the Java SDK (the java-training example in script mode, under `labbook run`) → read from Python;
- the Python SDK → read by the Java SDK (the `labbook` CLI's --json output is the Java SDK's
  value types);
- a Python offline run → `labbook sync` (the Java SDK's OfflineSync) → read from Python, twice
  synced and still stored once;
- a Python script in script mode with argparse under `labbook run` (args, logs, params, metrics,
  outputs, exit code → status).

They need the jars `mvn verify` packages (bin/test runs Maven first)."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import labbook

ROOT = Path(__file__).resolve().parents[2]
CLI_JAR = ROOT / "cli" / "target" / "labbook-cli-0.1.0-SNAPSHOT-all.jar"
EXAMPLE_CLASSES = ROOT / "examples" / "java-training" / "target" / "classes"


def labbook_cli(*args, env=None, check=True, timeout=180):
    full_env = dict(os.environ, LABBOOK_NO_BUILD="1", **(env or {}))
    proc = subprocess.run([str(ROOT / "bin" / "labbook"), *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"labbook {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def history(run, key):
    """(steps, values) of a series, as the SDK reads it."""
    points = run.get_metric_history(key, as_dataframe=False)
    return [p.step for p in points], [p.value for p in points]


def attach(client, experiment, name):
    """The run `experiment/name`, found read-only and attached by id (load_run): reading it
    neither resumes it nor changes its status (opening it by name would resume it)."""
    return labbook.load_run(experiment, name, client=client)


def status(client, run):
    return labbook.v1.run_pb2.RunStatus.Name(client.get_run(run.id).status)


def cli_json(server, *args):
    return json.loads(labbook_cli(*args, "--target", server.target, "--json").stdout)


@pytest.fixture
def cli_ready():
    for path in (CLI_JAR, EXAMPLE_CLASSES):
        assert path.exists(), f"{path} is missing: run `mvn -B verify` (bin/test does) first"


def test_java_sdk_run_is_read_back_from_python(server, client, exp_name, cli_ready, tmp_path):
    # The Java example trains in script mode (Run.getContext()) inside `labbook run`, which owns
    # the run: the Java SDK attaches by LABBOOK_RUN_ID and the CLI sets the final status.
    classpath = f"{CLI_JAR}{os.pathsep}{EXAMPLE_CLASSES}"
    labbook_cli("run", "--target", server.target, "--experiment", exp_name, "--name", "java-run",
                       "--", "java", "-cp", classpath, "dev.labbook.examples.training.TrainMain", "0.1",
                       env={"LABBOOK_OFFLINE_DIR": str(tmp_path / "offline")})

    run = attach(client, exp_name, "java-run")
    try:
        params = run.get_parameters()
        assert params["lr"] == 0.1 and isinstance(params["epochs"], int)
        steps, values = history(run, "train/batch_loss")
        assert len(values) > 100
        assert all(math.isfinite(v) for v in values)
        assert steps == list(range(len(steps)))
        metrics = run.get_metrics()
        epochs = metrics["epochs"]  # the Java logRow table, read as columns
        assert epochs["epoch"] == [float(e) for e in range(params["epochs"])]
        assert metrics["val/acc"] == epochs["val_acc"][-1]
        assert isinstance(metrics["weights"], list) and len(metrics["weights"]) > 0
        assert "outputs/model.txt" in run.get_file_names()
    finally:
        run.close(status=None)
    assert status(client, run) == "RUN_STATUS_COMPLETED"


def test_python_sdk_run_is_read_back_by_the_java_sdk(server, client, exp_name, cli_ready):
    values = [1.0 / (i + 1) for i in range(5000)] + [float("nan"), float("inf")]
    with labbook.Run(exp_name, "py-run", client=client, tags={"lang": "python"}) as run:
        run.log_parameters({"lr": 0.001, "epochs": 7, "optimizer": "adam", "amp": True})
        for step, value in enumerate(values):
            run.log_metric("loss", value, step=step)
        run.log_row("per_class", cls="cat", precision=0.91)
        run.log_row("per_class", cls="dog", precision=0.88)
        run.log_text("hello from python")
    shown = cli_json(server, "runs", "show", f"{exp_name}/py-run")["run"]
    assert shown["name"] == "py-run"
    assert shown["status"] == "COMPLETED"
    assert shown["tags"]["lang"] == "python"
    assert shown["params"] == {"lr": 0.001, "epochs": 7, "optimizer": "adam", "amp": True}
    series = cli_json(server, "metrics", f"{exp_name}/py-run", "loss", "--points", "0")
    assert series["key"] == "loss" and not series["downsampled"]
    assert series["steps"] == list(range(len(values)))
    got = series["values"]
    assert len(got) == len(values)
    for want, have in zip(values[:5000], got[:5000]):
        assert have == want  # doubles cross the wire and the JSON bit-exactly (repr round trip)
    assert got[5000] == "NaN" and got[5001] == "Infinity"
    logs = labbook_cli("logs", f"{exp_name}/py-run", "--target", server.target).stdout
    assert "hello from python" in logs


def test_python_offline_run_synced_by_labbook_sync_is_stored_once(server, client, exp_name, cli_ready,
                                                                   tmp_path):
    offline_root = tmp_path / "offline-root"
    model = tmp_path / "model.bin"
    model.write_bytes(os.urandom(300_000))
    with labbook.Run(exp_name, "offline-run", offline=True, offline_dir=str(offline_root)) as run:
        run.log_parameters({"lr": 0.5, "layers": 3})
        for i in range(25_000):
            run.log_metric("loss", 1.0 / (i + 1))
        run.log_metric("loss", float("nan"))
        run.log_list("lrs", [0.5, 0.25])
        run.log_table("cm", {"pred": ["cat", "dog"], "count": [3, 4]})
        run.logger.info("line one")
        run.logger.critical("line two")
        run.log_file(str(model), name="outputs/model.bin")
        run.log_artifact("dataset", "s3://bucket/train.csv", is_output=False)

    first = cli_json(server, "sync", str(offline_root))
    assert first["failures"] == [] and len(first["synced"]) == 1
    assert first["synced"][0]["metricPointsStored"] == 25_001
    assert first["synced"][0]["filesUploaded"] == 1
    second = cli_json(server, "sync", str(offline_root))  # stores nothing twice
    assert second["failures"] == []
    again = second["synced"][0]
    # (params are sent again each time: an upsert of the same values)
    assert (again["metricPointsStored"], again["tableRowsAppended"],
            again["logLinesAppended"], again["filesUploaded"], again["referencesCreated"]) == (0, 0, 0, 0, 0)

    # Reopened offline by name (as online: resume), more logged, synced again: only the new part.
    # It ends FAILED this time: the server run (COMPLETED by the first sync) follows.
    run = labbook.Run(exp_name, "offline-run", offline=True, offline_dir=str(offline_root)).open()
    assert run.resumed
    run.log_metric("loss", 0.125)
    run.logger.info("line three")
    run.close("FAILED")
    third = cli_json(server, "sync", str(offline_root))
    assert third["failures"] == [] and third["synced"][0]["metricPointsStored"] == 1
    assert third["synced"][0]["logLinesAppended"] == 1

    run = attach(client, exp_name, "offline-run")
    try:
        steps, values = history(run, "loss")
        assert len(values) == 25_002
        assert steps == list(range(25_002))
        assert math.isnan(values[-2]) and values[-1] == 0.125
        assert run.get_parameters() == {"lr": 0.5, "layers": 3}
        metrics = run.get_metrics()
        assert metrics["lrs"] == [0.5, 0.25]
        assert metrics["cm"] == {"pred": ["cat", "dog"], "count": [3.0, 4.0]}
        lines = run.read_logs()
        assert [l["text"] for l in lines] == ["line one", "line two", "line three"]
        assert lines[1]["level"] == "ERROR"
        target = tmp_path / "back.bin"
        run.download_file("outputs/model.bin", str(target))
        assert target.read_bytes() == model.read_bytes()
        assert "dataset" in run.get_file_names() or any("dataset" in f for f in run.get_file_names())
    finally:
        run.close(status=None)
    assert status(client, run) == "RUN_STATUS_FAILED"


SCRIPT = textwrap.dedent('''
    import argparse, os, sys
    import labbook

    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--fail", action="store_true")
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args()

    run = labbook.Run.get_context()
    run.log_parameters({"lr": args.lr, "epochs": args.epochs, "rest": " ".join(args.rest)})
    for epoch in range(args.epochs):
        run.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
        print(f"epoch {epoch}", flush=True)
    print("to stderr", file=sys.stderr, flush=True)
    os.makedirs("outputs", exist_ok=True)
    with open("outputs/result.txt", "w") as f:
        f.write(f"lr={args.lr}")
    run.flush()
    sys.exit(3 if args.fail else 0)
''')


@pytest.mark.parametrize("fail", [False, True])
def test_labbook_run_tracks_a_python_script_in_script_mode(server, client, exp_name, cli_ready, tmp_path,
                                                           fail):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    args = ["--lr", "0.01", "--epochs", "4"] + (["--fail"] if fail else []) + ["a b", "--", "c"]
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        [str(ROOT / "bin" / "labbook"), "run", "--target", server.target, "--experiment", exp_name,
         "--name", "script", "--param", "seed=42", "--", sys.executable, str(script), *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=180,
        env=dict(os.environ, LABBOOK_NO_BUILD="1", **env))
    assert proc.returncode == (3 if fail else 0), proc.stderr
    assert "epoch 3" in proc.stdout and "to stderr" in proc.stderr  # teed live to the terminal

    run = attach(client, exp_name, "script")
    try:
        params = run.get_parameters()
        assert params["lr"] == 0.01 and params["epochs"] == 4 and params["seed"] == 42
        assert params["rest"] == "a b c"  # argparse saw the arguments unchanged, `--` included
        steps, _ = history(run, "loss")
        assert steps == [0, 1, 2, 3]
        texts = [l["text"] for l in run.read_logs()]
        assert texts.index("epoch 0") < texts.index("epoch 3")
        assert "to stderr" in texts
        assert "outputs/result.txt" in run.get_file_names()
        source = client.get_run(run.id).source
        assert list(source.args)[-len(args):] == args
    finally:
        run.close(status=None)
    want = "RUN_STATUS_FAILED" if fail else "RUN_STATUS_COMPLETED"
    assert status(client, run) == want
