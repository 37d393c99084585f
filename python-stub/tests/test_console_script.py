"""The `labbook` console script of the Python package (labbook.cli): every command and format
against a real server, run as a subprocess (`python -m labbook.cli`, what the installed script
calls), and the same output as the Java CLI for the same run (issue 17, item 6)."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import labbook

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = Path(__file__).resolve().parents[2]
CLI_JAR = ROOT / "cli" / "target" / "labbook-cli-0.1.0-SNAPSHOT-all.jar"


def py_cli(server, *args, env=None, check=True, stdin=None):
    full_env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
                    LABBOOK_TRACKING_URI=server.target)
    full_env.pop("COLUMNS", None)   # piped output is not cut unless a test sets COLUMNS
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "labbook.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=60, stdin=stdin)
    if check and proc.returncode != 0:
        raise AssertionError(f"labbook {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def java_cli(server, *args, env=None):
    full_env = dict(os.environ, LABBOOK_NO_BUILD="1", LABBOOK_TRACKING_URI=server.target)
    full_env.pop("COLUMNS", None)
    full_env.update(env or {})
    proc = subprocess.run([str(ROOT / "bin" / "labbook"), *args], capture_output=True, text=True, env=full_env,
                          timeout=120)
    assert proc.returncode == 0, f"bin/labbook {' '.join(args)}: {proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def seeded(server, tmp_path_factory):
    """An experiment with two finished runs: `alpha` (params, tags, metrics, logs, a file) and a
    run with a long name."""
    exp = f"cli-{uuid.uuid4().hex[:8]}"
    model = tmp_path_factory.mktemp("files") / "model.bin"
    model.write_bytes(b"weights" * 1000)
    with labbook.Client(server.target) as client:
        with labbook.Run(exp, "alpha", client=client, tags={"team": "vision"}) as run:
            run.log_parameters({"lr": 0.001, "epochs": 7, "optimizer": "adam", "amp": True})
            for step in range(60):
                run.log_metric("loss", 1.0 / (step + 1), step=step)
            run.log_metric("acc", 0.5, step=0)
            run.log_text("hello from python")
            run.log_text("second line")
            run.log_file(str(model), name="outputs/model.bin")
        with labbook.Run(exp, "a-run-with-a-rather-long-name-that-tables-cut-" + "x" * 30,
                         client=client) as long_run:
            long_run.log_metric("loss", 2.0, step=0)
        alpha = client.get_run(experiment=exp, name="alpha", project="default")
    return {"exp": exp, "alpha": alpha.id, "long": long_run.id, "model": model}


def test_help_is_fast_and_loads_no_grpc():
    code = ("import sys, io, contextlib\nfrom labbook import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "    try: cli.main(['--help'])\n    except SystemExit: pass\n"
            "assert 'runs' in out.getvalue() and 'sync' in out.getvalue()\n"
            "assert 'grpc' not in sys.modules, 'labbook --help imported grpc'\n")
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ, PYTHONPATH=str(SRC)))


def test_runs_list_in_every_format(server, seeded):
    exp = seeded["exp"]
    table = py_cli(server, "runs", "list", "-e", exp, "--wide").stdout.splitlines()
    assert table[0].split() == ["ID", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION"]
    assert len(table) == 3
    alpha_row = next(line for line in table if " alpha " in line)
    assert alpha_row.startswith(seeded["alpha"][-8:] + "  ")          # short ids: the last 8
    assert "COMPLETED" in alpha_row
    long_ids = py_cli(server, "runs", "list", "-e", exp, "--long").stdout
    assert seeded["alpha"] in long_ids

    raw = subprocess.run([sys.executable, "-m", "labbook.cli", "runs", "list", "-e", exp, "--format", "csv"],
                         capture_output=True, timeout=60, check=True,
                         env=dict(os.environ, PYTHONPATH=str(SRC), LABBOOK_TRACKING_URI=server.target)).stdout
    assert raw.count(b"\r\n") == 3 and raw.count(b"\n") == 3   # CRLF line ends (RFC 4180)
    rows = list(csv.reader(io.StringIO(raw.decode())))
    assert rows[0] == ["ID", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION"]
    assert {r[0] for r in rows[1:]} == {seeded["alpha"], seeded["long"]}

    for flag in (["--json"], ["--format", "json"]):
        runs = json.loads(py_cli(server, "runs", "list", "-e", exp, *flag).stdout)
        alpha = next(r for r in runs if r["name"] == "alpha")
        assert alpha["id"] == seeded["alpha"] and alpha["status"] == "COMPLETED"
        assert alpha["params"] == {"lr": 0.001, "epochs": 7, "optimizer": "adam", "amp": True}
        assert alpha["tags"]["team"] == "vision"
    bad = py_cli(server, "runs", "list", "--json", "--format", "csv", check=False)
    assert bad.returncode == 1 and "contradict" in bad.stderr
    empty = py_cli(server, "runs", "list", "-e", exp, "--status", "RUNNING").stdout
    assert empty.splitlines()[-1] == "(no runs)"


def test_tables_fit_columns_and_ids_are_never_cut(server, seeded):
    out = py_cli(server, "runs", "list", "-e", seeded["exp"], env={"COLUMNS": "60"}).stdout.splitlines()
    assert all(len(line) <= 60 for line in out), out
    assert any("…" in line for line in out)
    assert any(line.startswith(seeded["long"][-8:] + "  ") for line in out)
    wide = py_cli(server, "runs", "list", "-e", seeded["exp"], "--wide", env={"COLUMNS": "60"}).stdout
    assert "x" * 30 in wide and "…" not in wide


def test_runs_show_by_suffix_prefix_and_name(server, seeded, client):
    alpha, exp = seeded["alpha"], seeded["exp"]
    by_name = py_cli(server, "runs", "show", f"{exp}/alpha").stdout
    for ref in (alpha, alpha.upper(), alpha[-8:], alpha[-6:], alpha[:13]):
        shown = py_cli(server, "runs", "show", ref, check=False)
        if ref == alpha[:13] and shown.returncode != 0:
            assert "ambiguous" in shown.stderr   # UUIDv7: runs made close together share a prefix
            continue
        assert shown.stdout.splitlines()[1:4] == by_name.splitlines()[1:4], ref
    assert by_name.splitlines()[0].split() == ["FIELD", "VALUE"]
    lines = [line.split(None, 1) for line in by_name.splitlines() if line]
    assert ["id", alpha] in lines and ["tags", "team=vision"] in lines
    assert ["lr", "0.001"] in lines and ["amp", "true"] in lines and ["epochs", "7"] in lines
    assert "METRIC" in by_name and "COMPLETED" in by_name.splitlines()[-1]
    doc = json.loads(py_cli(server, "runs", "show", alpha[-8:], "--json").stdout)
    assert doc["run"]["id"] == alpha and doc["experimentName"] == exp
    assert [m["key"] for m in doc["metrics"]] == ["acc", "loss"]
    assert doc["statusHistory"][-1]["to"] == "COMPLETED"

    # a prefix two runs share: the command fails and lists them
    other = client.create_run(experiment_id=client.get_experiment(exp).id, name="twin")
    client.finish_run(other.id)   # finished: its duration no longer changes between two listings
    prefix = os.path.commonprefix([other.id, seeded["long"]])
    if len(prefix.replace("-", "")) >= 6:
        ambiguous = py_cli(server, "runs", "show", prefix[:9], check=False)
        assert ambiguous.returncode == 1 and "ambiguous run id" in ambiguous.stderr
        assert other.id in ambiguous.stderr
    missing = py_cli(server, "runs", "show", "ffffff0000", check=False)
    assert missing.returncode == 1 and missing.stderr.startswith("labbook: error: NOT_FOUND: no run of project")
    no_run = py_cli(server, "runs", "show", f"{exp}/nope", check=False)
    assert no_run.stderr.strip() == f"labbook: error: NOT_FOUND: no run 'nope' in experiment '{exp}' of project 'default'"
    bad = py_cli(server, "runs", "show", "abc", check=False)
    assert bad.returncode == 1 and "RUN must be a run id" in bad.stderr


def test_logs_metrics_and_artifacts(server, seeded, tmp_path):
    ref = seeded["alpha"][-8:]
    assert py_cli(server, "logs", ref).stdout == "hello from python\nsecond line\n"
    assert py_cli(server, "logs", ref, "-f").stdout == "hello from python\nsecond line\n"   # finished: returns
    assert py_cli(server, "logs", ref, "--level", "error").stdout == ""
    ndjson = [json.loads(line) for line in py_cli(server, "logs", ref, "--json").stdout.splitlines()]
    assert [(l["offset"], l["text"]) for l in ndjson] == [(0, "hello from python"), (1, "second line")]

    table = py_cli(server, "metrics", ref).stdout.splitlines()
    assert table[0].split() == ["METRIC", "LAST", "STEP", "MIN", "MAX", "COUNT", "TREND"]
    loss = next(line for line in table if line.startswith("loss"))
    assert loss.split()[:6] == ["loss", "0.0166667", "59", "0.0166667", "1", "60"]
    assert loss.split()[6].endswith("▁") and len(loss.split()[6]) == 24   # the trend, 24 columns
    rows = list(csv.reader(io.StringIO(py_cli(server, "metrics", ref, "--format", "csv").stdout)))
    assert rows[0] == ["METRIC", "LAST", "STEP", "MIN", "MAX", "COUNT"] and rows[2][0] == "loss"
    summaries = json.loads(py_cli(server, "metrics", ref, "--json").stdout)
    assert summaries[1]["key"] == "loss" and summaries[1]["count"] == 60
    plot = py_cli(server, "metrics", ref, "loss", "--width", "30", "--height", "5").stdout.splitlines()
    assert plot[0] == "loss  (60 points shown, steps 0..59)" and plot[-1] == "last 0.0166667 at step 59"
    assert len(plot) == 7 and plot[1] == "        1 ┤" and plot[2] == "          ┤•"   # labels: max, min
    assert plot[5].startswith("0.0166667 ┤│││•••")
    series = json.loads(py_cli(server, "metrics", ref, "loss", "--json", "--points", "0").stdout)
    assert series["steps"] == list(range(60)) and series["values"][0] == 1.0 and not series["downsampled"]

    listed = py_cli(server, "artifacts", ref).stdout.splitlines()
    assert listed[0].split() == ["PATH", "SIZE", "DIRECTION", "TYPE", "SHA256", "CREATED"]
    assert listed[1].startswith("outputs/model.bin  6.8 KiB  OUTPUT")
    target = tmp_path / "back.bin"
    py_cli(server, "artifacts", ref, "get", "outputs/model.bin", "-o", str(target))
    assert target.read_bytes() == seeded["model"].read_bytes()
    to_stdout = subprocess.run([sys.executable, "-m", "labbook.cli", "artifacts", ref, "get", "outputs/model.bin",
                                "-o", "-"], capture_output=True, timeout=60,
                               env=dict(os.environ, PYTHONPATH=str(SRC), LABBOOK_TRACKING_URI=server.target))
    assert to_stdout.stdout == seeded["model"].read_bytes()
    usage = py_cli(server, "artifacts", ref, "put", "x", check=False)
    assert usage.returncode == 1 and "usage: labbook artifacts RUN [get PATH [-o FILE]]" in usage.stderr


def test_sync_uploads_an_offline_run_once(server, client, tmp_path):
    exp = f"sync-{uuid.uuid4().hex[:8]}"
    root = tmp_path / "offline"
    model = tmp_path / "m.bin"
    model.write_bytes(os.urandom(50_000))
    with labbook.Run(exp, "off", offline=True, offline_dir=str(root)) as run:
        run.log_parameters({"lr": 0.5, "layers": 3})
        for i in range(250):
            run.log_metric("loss", 1.0 / (i + 1))
        run.log_metric("loss", float("nan"))
        run.log_row("cm", pred="cat", count=3)
        run.logger.info("line one")
        run.logger.critical("line two")
        run.log_file(str(model), name="outputs/m.bin")
        run.log_artifact("dataset", "s3://bucket/train.csv", is_output=False)
    first = json.loads(py_cli(server, "sync", str(root), "--json").stdout)
    assert first["failures"] == []
    done = first["synced"][0]
    assert (done["metricPointsStored"], done["tableRowsAppended"], done["logLinesAppended"],
            done["filesUploaded"], done["referencesCreated"], done["status"]) == (251, 1, 2, 1, 1, "COMPLETED")
    again = py_cli(server, "sync", str(root)).stdout.splitlines()
    assert again[-1] == "1 run(s) synced, 0 failed"
    assert "0 metric points in 0 batches, 0 table rows, 0 log lines, 0 files uploaded (2 already there), " \
           "0 references, status COMPLETED" in again[0]
    server_run = client.get_run(experiment=exp, name="off")
    assert labbook.v1.run_pb2.RunStatus.Name(server_run.status) == "RUN_STATUS_COMPLETED"
    assert [l.text for l in client.read_logs(server_run.id)] == ["line one", "line two"]
    assert client.list_metrics(server_run.id)[0].count == 251
    empty = py_cli(server, "sync", str(tmp_path), check=False)
    assert empty.returncode == 1 and "no offline runs" in empty.stderr


def test_upload_progress_uses_tqdm_only_on_a_terminal_when_installed(monkeypatch, tmp_path):
    from labbook import _progress
    made = []

    class FakeTqdm:
        def __init__(self, **kwargs):
            made.append(kwargs)

    fake = type(sys)("tqdm")
    fake.tqdm = FakeTqdm
    monkeypatch.setitem(sys.modules, "tqdm", fake)
    monkeypatch.delenv("LABBOOK_PROGRESS", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert isinstance(_progress.bar(5 << 20, "outputs/model.pt"), FakeTqdm)
    assert made[0]["total"] == 5 << 20 and made[0]["unit"] == "B" and made[0]["desc"] == "outputs/model.pt"
    assert _progress.bar(1000, "small") is None                      # small: no flash of a bar
    monkeypatch.setenv("LABBOOK_PROGRESS", "0")
    assert _progress.bar(5 << 20, "off") is None
    monkeypatch.delenv("LABBOOK_PROGRESS")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert _progress.bar(5 << 20, "piped") is None                   # not a terminal
    monkeypatch.setitem(sys.modules, "tqdm", None)                   # not installed
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert _progress.bar(5 << 20, "missing") is None


def test_upload_drives_the_progress_bar(server, client, monkeypatch, tmp_path):
    from labbook import _artifacts, _progress
    updates = []

    class Bar:
        n = 0

        def update(self, k):
            updates.append(k)

        def refresh(self):
            pass

        def close(self):
            updates.append("closed")

    monkeypatch.setattr(_progress, "bar", lambda total, desc: Bar())
    run = client.create_run(experiment_id=client.create_experiment(f"tqdm-{uuid.uuid4().hex[:8]}").id)
    data = os.urandom(3 << 20)
    _artifacts.upload(client, run.id, "big.bin", data)
    assert sum(u for u in updates if u != "closed") == len(data) and updates[-1] == "closed"


@pytest.mark.skipif(not CLI_JAR.exists(), reason=f"{CLI_JAR} is missing: the Java CLI is built by `mvn verify` "
                    "(bin/test and CI build it first)")
def test_python_and_java_clis_print_the_same(server, seeded):
    exp, alpha = seeded["exp"], seeded["alpha"]
    same_text = [(["runs", "list", "-e", exp, "--format", "csv"], {}),
                 (["runs", "list", "-e", exp], {"COLUMNS": "60"}),          # the table cut to 60 columns
                 (["runs", "show", f"{exp}/alpha"], {})]
    same_json = [["runs", "show", alpha[-8:], "--json"], ["metrics", alpha, "loss", "--json"]]
    # JVM start-ups dominate (a few seconds each on a loaded machine): few calls, run concurrently
    with ThreadPoolExecutor(max_workers=4) as pool:
        java_text = list(pool.map(lambda a: java_cli(server, *a[0], env=a[1]), same_text))
        java_json = list(pool.map(lambda a: java_cli(server, *a), same_json))
    for (args, env), java in zip(same_text, java_text):
        assert py_cli(server, *args, env=env).stdout == java, args
    for args, java in zip(same_json, java_json):
        assert json.loads(py_cli(server, *args).stdout) == json.loads(java), args


@pytest.mark.skipif(not CLI_JAR.exists(), reason=f"{CLI_JAR} is missing: the Java CLI is built by `mvn verify` "
                    "(bin/test and CI build it first)")
def test_python_sync_and_java_sync_agree_on_what_is_stored(server, client, tmp_path):
    # The same idempotency keys (offline id tag, writer offline-<local_id>, counts, upload ids):
    # what the Python sync stored, the Java sync finds and sends nothing again.
    exp = f"xsync-{uuid.uuid4().hex[:8]}"
    root = tmp_path / "offline"
    with labbook.Run(exp, "both", offline=True, offline_dir=str(root)) as run:
        run.log_parameters({"lr": 0.25})
        for i in range(30):
            run.log_metric("loss", 1.0 / (i + 1))
        run.log_row("t", a=1, b="x")
        run.logger.warning("careful")
        run.log_artifact("data", "s3://b/k", is_output=False)
    py = json.loads(py_cli(server, "sync", str(root), "--json").stdout)["synced"][0]
    java = json.loads(java_cli(server, "sync", str(root), "--json"))["synced"][0]
    assert py["runId"] == java["runId"] and py["createdRun"] and not java["createdRun"]
    assert (java["metricPointsStored"], java["tableRowsAppended"], java["logLinesAppended"],
            java["filesUploaded"], java["referencesCreated"]) == (0, 0, 0, 0, 0)
    assert (py["metricPointsStored"], py["tableRowsAppended"], py["logLinesAppended"],
            py["referencesCreated"]) == (30, 1, 1, 1)
    assert set(py) == set(java)   # the same fields as OfflineSync.RunResult
