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


def assert_both_clis_print_the_same(server, same_text, same_json):
    """Each (args, env) of same_text prints the same text, each args of same_json the same JSON, in
    both CLIs. JVM start-ups dominate (a few seconds each on a loaded machine): the Java ones run
    concurrently."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        java_text = list(pool.map(lambda a: java_cli(server, *a[0], env=a[1]), same_text))
        java_json = list(pool.map(lambda a: java_cli(server, *a), same_json))
    for (args, env), java in zip(same_text, java_text):
        assert py_cli(server, *args, env=env).stdout == java, args
    for args, java in zip(same_json, java_json):
        assert json.loads(py_cli(server, *args).stdout) == json.loads(java), args


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
    return {"exp": exp, "exp_id": alpha.experiment_id, "alpha": alpha.id, "long": long_run.id, "model": model}


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
    # the experiment by its short id (the last 8 characters) and its full id
    for ref in (seeded["exp_id"][-8:], seeded["exp_id"]):
        by_id = json.loads(py_cli(server, "runs", "list", "-e", ref, "--json").stdout)
        assert {r["id"] for r in by_id} == {seeded["alpha"], seeded["long"]}, ref
    unknown = py_cli(server, "runs", "list", "-e", "abcdef0123", check=False)
    assert unknown.returncode == 1 and "NOT_FOUND" in unknown.stderr and "'abcdef0123'" in unknown.stderr


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
    assert loss.split()[6] == "⠧⠤" + "⣀" * 22   # the trend: 1.0 and 0.5 in the first column, then near the minimum
    rows = list(csv.reader(io.StringIO(py_cli(server, "metrics", ref, "--format", "csv").stdout)))
    assert rows[0] == ["METRIC", "LAST", "STEP", "MIN", "MAX", "COUNT"] and rows[2][0] == "loss"
    summaries = json.loads(py_cli(server, "metrics", ref, "--json").stdout)
    assert summaries[1]["key"] == "loss" and summaries[1]["count"] == 60
    plot = py_cli(server, "metrics", ref, "loss", "--width", "30", "--height", "5").stdout.splitlines()
    assert plot[0] == "loss  (60 points shown, steps 0..59)" and plot[-1] == "last 0.0166667 at step 59"
    assert len(plot) == 9 and plot[1] == "        1 ┤█" and plot[5].startswith("0.0166667 ┤ ")   # max, min
    assert len(plot[6]) == 30 and plot[7].split() == ["0", "59"]                           # the step axis
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
                 (["runs", "list", "-e", seeded["exp_id"][-8:]], {"COLUMNS": "60"}),  # cut to 60 columns
                 (["runs", "show", f"{exp}/alpha"], {})]
    same_json = [["runs", "show", alpha[-8:], "--json"], ["metrics", alpha, "loss", "--json"]]
    assert_both_clis_print_the_same(server, same_text, same_json)


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


# -- the metric plot (labbook._plot, the Java CLI's render/Plot.java) -------------------------------
HEIGHT = 10


@pytest.fixture(scope="module")
def plotted(server):
    """An experiment of two runs to overlay: `lr-big`, 1000 points near 1.0 with one spike (50 at step
    537) and one dip (-5 at step 800), and `lr-small` (10, 20, 30 at steps 0, 500, 999); and a run
    elsewhere whose `loss` has NaN and infinities, whose `void` is only NaN and whose `ties` needs
    Java's rounding."""
    exp = f"plot-{uuid.uuid4().hex[:8]}"
    # rising by 1e-6 a step: each downsampling bucket's maximum is its last point, so step 999 is kept
    values = [1.0 + step * 1e-6 for step in range(1000)]
    values[537], values[800] = 50.0, -5.0
    with labbook.Client(server.target) as client:
        with labbook.Run(exp, "lr-big", client=client) as big:
            for step, v in enumerate(values):
                big.log_metric("loss", v, step=step)
        with labbook.Run(exp, "lr-small", client=client) as small:
            for step, v in ((0, 10.0), (500, 20.0), (999, 30.0)):
                small.log_metric("loss", v, step=step)
        with labbook.Run(f"{exp}-gaps", "gaps", client=client) as gaps:
            for step, v in enumerate([1.0, float("nan"), 3.0, float("inf"), 2.0, float("-inf")]):
                gaps.log_metric("loss", v, step=step)
            gaps.log_metric("void", float("nan"), step=0)
            gaps.log_metric("ties", 0.1234565, step=0)   # 6 digits: Java rounds 0.123457, "%.6g" 0.123456
            gaps.log_metric("ties", 123456.5, step=1)
    return {"exp": exp, "big": big.id, "small": small.id, "gaps": gaps.id}


def plot_area(lines):
    """The plot rows' characters right of the axis (lines[0] is the header)."""
    return [line[max(line.find("┤"), line.find("│")) + 1:] for line in lines[1:HEIGHT + 1]]


def test_metrics_plot_draws_the_true_maximum_and_minimum_at_their_rows(server, plotted):
    lines = py_cli(server, "metrics", plotted["big"], "loss", "--width", "60", "--height", str(HEIGHT)
                   ).stdout.splitlines()
    assert lines[0].startswith("loss  (") and lines[0].endswith(" steps 0..999, downsampled to min/max per column)")
    area = plot_area(lines)
    # The server keeps each bucket's min and max; the plot draws them: only the spike's column
    # reaches the top row, only the dip's the bottom row, and they carry the exact labels.
    assert area[0].strip() == "█" and area[HEIGHT - 1].strip() == "█"
    assert lines[1].lstrip().startswith("50 ┤") and lines[HEIGHT].lstrip().startswith("-5 ┤")
    axis = lines[HEIGHT + 1]
    columns = len(axis) - axis.index("└") - 1
    spike, dip = area[0].index("█"), area[HEIGHT - 1].index("█")
    assert (spike, dip) == (537 * columns // 1000, 800 * columns // 1000)
    # The spike's column spans its whole range: from about 1.0 (its other points, row 8) up to 50.
    one = round((50 - 1) / 55 * (HEIGHT - 1))
    assert [row[spike] for row in area[:one + 1]] == ["█"] * (one + 1)
    assert area[one].strip("█") == ""                      # about 1.0: every column has it
    assert lines[HEIGHT + 2].split()[0] == "0" and lines[HEIGHT + 2].split()[-1] == "999"
    assert lines[-1] == "last 1.001 at step 999" and len(lines) == HEIGHT + 4


def test_metrics_plot_follows_the_width(server, plotted):
    for args, env, width in ((["--width", "44"], {}, 44), ([], {"COLUMNS": "52"}, 52), ([], {}, 80),
                             (["--width", "5"], {}, 12)):   # at least 12
        lines = py_cli(server, "metrics", plotted["big"], "loss", *args, env=env).stdout.splitlines()[1:-1]
        assert all(len(line) <= width for line in lines), (args, env, lines)
        assert len(lines[12]) == width, (args, env)           # the x axis spans it (default height 12)


def test_metrics_plot_skips_and_counts_nan_and_infinities(server, plotted):
    lines = py_cli(server, "metrics", plotted["gaps"], "loss", "--width", "40", "--height", "5").stdout.splitlines()
    assert lines[1].startswith("3 ┤") and lines[5] == "1 ┤█"
    assert "NaN" not in "".join(lines[1:8]) and "Infinity" not in "".join(lines[1:8])
    assert lines[8:] == ["(3 NaN/Inf points not drawn)", "last -Infinity at step 5"]
    void = py_cli(server, "metrics", plotted["gaps"], "void").stdout.splitlines()
    assert void[1:] == ["(no finite values to plot)", "(1 NaN/Inf point not drawn)", "last NaN at step 0"]


def test_metrics_overlays_the_runs_of_an_experiment(server, plotted):
    exp, big, small = plotted["exp"], plotted["big"], plotted["small"]
    lines = py_cli(server, "metrics", "-e", exp, "loss", "--width", "60", "--height", str(HEIGHT)).stdout.splitlines()
    assert lines[0] == "loss  (2 of 2 runs have it)"
    # newest first: lr-small is drawn first (•), lr-big over it (×); a legend names them
    assert [line.strip() for line in lines[-2:]] == [f"• {small[-8:]} lr-small", f"× {big[-8:]} lr-big"]
    area = plot_area(lines)
    assert lines[1].lstrip().startswith("50 ┤") and area[0].strip() == "×" and area[HEIGHT - 1].strip() == "×"
    joined = "".join(area)
    assert "•" in joined and "█" not in joined
    long_ids = py_cli(server, "metrics", "-e", exp, "loss", "--long").stdout
    assert f"• {small} lr-small" in long_ids
    filtered = py_cli(server, "metrics", "-e", exp, "--filter", "name = 'lr-big'", "loss").stdout.splitlines()
    assert filtered[0] == "loss  (1 of 1 runs have it)" and "×" not in "".join(filtered)

    doc = json.loads(py_cli(server, "metrics", "-e", exp, "loss", "--json", "--points", "50").stdout)
    assert list(doc) == [small, big]
    assert doc[small] == {"key": "loss", "steps": [0, 500, 999], "timestampsMs": doc[small]["timestampsMs"],
                          "values": [10.0, 20.0, 30.0], "downsampled": False}
    assert doc[big]["downsampled"] and 50.0 in doc[big]["values"] and -5.0 in doc[big]["values"]

    missing = py_cli(server, "metrics", "-e", exp, "nope", check=False)
    assert missing.returncode == 1
    assert missing.stderr == "labbook: error: NOT_FOUND: none of the 2 runs found has metric 'nope'\n"
    no_key = py_cli(server, "metrics", "-e", exp, check=False)
    assert no_key.returncode == 1 and "give KEY alone" in no_key.stderr


def test_trend_draws_each_columns_range_in_braille():
    # the Java CLI's ValuesAndRenderingTest, the same expectations
    from labbook._plot import sparkline
    nan = float("nan")
    assert sparkline(range(8), [0, 1, 2, 3, 4, 5, 6, 7], 4) == "⣀⠤⠒⠉"   # two columns a character
    assert sparkline([0, 1, 2], [1, nan, 3], 10) == "⡀⠁"
    assert sparkline([0], [nan], 10) == ""
    assert sparkline([0, 1], [5, 5], 10) == "⠤"
    spike, dip = [1.0] * 1000, [1.0] * 1000
    spike[537], dip[800] = 50.0, -5.0
    assert sparkline(range(1000), spike, 20) == "⣀" * 10 + "⣸" + "⣀" * 9   # 1.0 up to 50: every row
    assert sparkline(range(1000), dip, 20) == "⠉" * 16 + "⡏" + "⠉" * 3     # 1.0 down to -5


def test_metrics_plot_is_coloured_on_a_terminal_only(server, plotted):
    import pty

    def on_terminal(*args):
        main, side = pty.openpty()
        env = dict(os.environ, PYTHONPATH=str(SRC), LABBOOK_TRACKING_URI=server.target, TERM="xterm",
                   COLUMNS="60")
        env.pop("NO_COLOR", None)
        proc = subprocess.Popen([sys.executable, "-m", "labbook.cli", "metrics", "-e", plotted["exp"], "loss",
                                 *args], stdin=side, stdout=side, stderr=side, env=env)
        os.close(side)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:   # EIO: the other side closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=60)
        os.close(main)
        return b"".join(chunks).decode()

    coloured = on_terminal()
    assert "\x1b[34m•" in coloured and "\x1b[31m×" in coloured and "\x1b[0m" in coloured
    assert "\x1b[" not in on_terminal("--no-color")


@pytest.mark.skipif(not CLI_JAR.exists(), reason=f"{CLI_JAR} is missing: the Java CLI is built by `mvn verify` "
                    "(bin/test and CI build it first)")
def test_python_and_java_clis_plot_the_same(server, seeded, plotted):
    exp, big, gaps = plotted["exp"], plotted["big"], plotted["gaps"]
    same_text = [(["metrics", big, "loss", "--width", "60", "--height", str(HEIGHT)], {}),
                 (["metrics", big, "loss"], {"COLUMNS": "71"}),                # the width from COLUMNS
                 (["metrics", big[-8:], "loss"], {}),                          # 80 columns, height 12
                 (["metrics", "-e", exp, "loss", "--width", "70", "--height", "8"], {}),
                 (["metrics", gaps, "loss", "--width", "40", "--height", "5"], {}),
                 (["metrics", gaps, "void"], {}),
                 (["metrics", seeded["alpha"], "loss", "--width", "33", "--height", "7"], {}),
                 (["metrics", seeded["alpha"]], {}),                           # the table with TREND
                 (["metrics", big], {}),
                 (["metrics", gaps], {}),                                      # NaN, ties in the table
                 (["metrics", gaps, "ties", "--width", "30", "--height", "4"], {})]
    same_json = [["metrics", "-e", exp, "loss", "--json", "--points", "50"]]
    assert_both_clis_print_the_same(server, same_text, same_json)
