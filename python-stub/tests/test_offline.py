"""Offline runs write exactly the directory format of docs/offline-format.md."""
import hashlib
import json
import math
import os
import re

import numpy as np
import pytest

import labbook


def _no_bare_constants(name):
    raise AssertionError(f"bare {name} in an offline file: JSON has no such value")


def read_jsonl(path):
    """Strict JSON: a bare NaN / Infinity (Python's json extension) fails the test."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert text.endswith("\n"), f"{path}: every line ends with \\n"
    return [json.loads(line, parse_constant=_no_bare_constants) for line in text.split("\n")[:-1]]


def test_offline_run_directory_format(tmp_path, monkeypatch):
    monkeypatch.setenv("LABBOOK_EXPERIMENT", "mnist")
    root = tmp_path / "offline"
    src = tmp_path / "model.pt"
    src.write_bytes(b"weights" * 1000)
    with labbook.start_run(name="my-offline", tags={"team": "vision"}, description="d0") as run:
        assert run.offline_dir is not None and run.client is None
        run.log_parameters({"lr": 0.001, "epochs": 10, "optimizer": "adam", "amp": True,
                            "bad": float("nan")})
        for i in range(12_345):
            run.log_metric("loss", 1.0 / (i + 1))
        run.log_metric("acc", 0.5, step=3)
        run.log_metric("acc", np.float32("nan"))
        run.log_metric("acc", float("-inf"))
        run.log_list("lr_schedule", [0.1, 0.05])
        run.log_row("per_class", cls="cat", precision=0.91)
        run.log_table("cm", {"pred": ["cat", "dog"], "count": [1, float("inf")]})
        run.logger.info("epoch 1 done")
        run.logger.critical("on fire")
        run.log_text("out", stream="STDOUT")
        run.log_file(str(src), name="outputs/model.pt")
        run.upload_file("inputs/data.csv", b"a,b\n1,2\n", is_output=False)
        run.log_artifact("dataset", "s3://bucket/train.csv", is_output=False)
        run.set_tags({"stage": "dev"})
        run.description = "final words"
        run_dir = run.offline_dir

    # Where: LABBOOK_OFFLINE_DIR/<yyyyMMdd-HHmmss>-<first 8 hex of local_id>
    assert os.path.dirname(run_dir) == str(root)
    meta = json.load(open(os.path.join(run_dir, "run.json"), encoding="utf-8"))
    name = os.path.basename(run_dir)
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{8}", name)
    assert name.endswith(meta["local_id"].replace("-", "")[:8])
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", meta["local_id"])

    # run.json
    assert set(meta) == {"format", "local_id", "project", "experiment", "name", "description", "tags",
                         "status", "start_time_ms", "end_time_ms", "source", "sdk"}
    assert meta["format"] == "labbook-offline/1"
    assert (meta["project"], meta["experiment"], meta["name"]) == ("default", "mnist", "my-offline")
    assert meta["description"] == "final words"
    assert meta["tags"] == {"team": "vision", "stage": "dev"}
    assert meta["status"] == "COMPLETED"
    assert 0 < meta["start_time_ms"] <= meta["end_time_ms"]
    assert set(meta["source"]) == {"script", "args", "git_commit", "git_dirty", "host", "working_dir"}
    assert meta["sdk"] == "python/0.1.0"
    assert not os.path.exists(os.path.join(run_dir, "run.json.tmp"))
    assert not os.path.exists(os.path.join(run_dir, ".sync.json"))

    # params.jsonl: exactly one typed value field per line
    assert read_jsonl(os.path.join(run_dir, "params.jsonl")) == [
        {"key": "lr", "double": 0.001}, {"key": "epochs", "int": 10},
        {"key": "optimizer", "string": "adam"}, {"key": "amp", "bool": True},
        {"key": "bad", "double": "NaN"}]

    # metrics.jsonl: columnar batches of at most 10,000 points, explicit steps
    batches = read_jsonl(os.path.join(run_dir, "metrics.jsonl"))
    points = {}
    for b in batches:
        assert set(b) == {"keys", "key_index", "step", "timestamp_ms", "value"}
        n = len(b["value"])
        assert 0 < n <= 10_000
        assert len(b["key_index"]) == len(b["step"]) == len(b["timestamp_ms"]) == n
        for k, s, t, v in zip(b["key_index"], b["step"], b["timestamp_ms"], b["value"]):
            assert isinstance(t, int) and t > 0
            points.setdefault(b["keys"][k], []).append((s, v))
    assert len(batches) >= 2
    assert [s for s, _ in points["loss"]] == list(range(12_345))
    assert points["loss"][1] == (1, 0.5)
    assert points["acc"] == [(3, 0.5), (4, "NaN"), (5, "-Infinity")]

    # tables.jsonl: one line per append
    assert read_jsonl(os.path.join(run_dir, "tables.jsonl")) == [
        {"table": "lr_schedule", "rows": [{"value": 0.1}, {"value": 0.05}]},
        {"table": "per_class", "rows": [{"cls": "cat", "precision": 0.91}]},
        {"table": "cm", "rows": [{"pred": "cat", "count": 1.0}, {"pred": "dog", "count": "Infinity"}]}]

    # logs.jsonl
    logs = read_jsonl(os.path.join(run_dir, "logs.jsonl"))
    assert [(l["level"], l["stream"], l["text"]) for l in logs] == [
        ("INFO", "USER", "epoch 1 done"), ("CRITICAL", "USER", "on fire"), ("INFO", "STDOUT", "out")]
    assert all(set(l) == {"timestamp_ms", "level", "stream", "text"} for l in logs)

    # artifacts.jsonl and the copies in files/
    arts = read_jsonl(os.path.join(run_dir, "artifacts.jsonl"))
    model = arts[0]
    assert model["kind"] == "file" and model["path"] == "outputs/model.pt"
    assert model["file"] == "files/outputs/model.pt" and model["direction"] == "OUTPUT"
    assert model["size_bytes"] == 7000 and model["step"] is None
    assert model["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert open(os.path.join(run_dir, model["file"]), "rb").read() == src.read_bytes()
    assert arts[1]["direction"] == "INPUT" and arts[1]["path"] == "inputs/data.csv"
    assert open(os.path.join(run_dir, "files", "inputs", "data.csv"), "rb").read() == b"a,b\n1,2\n"
    assert arts[2] == {"kind": "reference", "path": "dataset", "uri": "s3://bucket/train.csv",
                       "direction": "INPUT"}


def test_offline_run_reads_back_locally_and_failed_status(tmp_path):
    with pytest.raises(RuntimeError):
        with labbook.Run("exp", offline=True, offline_dir=str(tmp_path / "o")) as run:
            run.log("loss", 2.0)
            run.log("loss", 1.0)
            run.log_row("t", a=1, b="x")
            run.log_parameter("lr", 0.5)
            assert run.get_metrics() == {"loss": 1.0, "t": {"a": [1.0], "b": ["x"]}}
            assert run.get_metric_history("loss", as_dataframe=False)[1].value == 1.0
            assert run.get_parameters() == {"lr": 0.5}
            assert run.name.startswith("offline-") and len(run.name) == len("offline-") + 8
            raise RuntimeError("stop")
    meta = json.load(open(os.path.join(run.offline_dir, "run.json")))
    assert meta["status"] == "FAILED" and meta["end_time_ms"] > 0
    assert meta["experiment"] == "exp"


def test_image_in_offline_run_records_step(tmp_path):
    with labbook.Run("exp", offline=True) as run:
        run.log_image("sample", path=_png(tmp_path), step=4)
    arts = read_jsonl(os.path.join(run.offline_dir, "artifacts.jsonl"))
    assert arts == [{"kind": "file", "path": "images/sample/00000004.png",
                     "file": "files/images/sample/00000004.png", "direction": "OUTPUT",
                     "media_type": "image/png", "size_bytes": arts[0]["size_bytes"],
                     "sha256": arts[0]["sha256"], "step": 4}]


def _png(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig = plt.figure()
    path = tmp_path / "s.png"
    fig.savefig(path)
    plt.close(fig)
    return str(path)


def test_non_finite_values_are_strings_never_bare_nan(tmp_path):
    with labbook.Run("exp", offline=True) as run:
        run.log_metric("x", math.nan)
        run.log_metric("x", math.inf)
        run.log_metric("x", -math.inf)
        run.log_row("t", a=math.nan)
        run.log_parameter("p", math.inf)
    values = [v for b in read_jsonl(os.path.join(run.offline_dir, "metrics.jsonl")) for v in b["value"]]
    assert values == ["NaN", "Infinity", "-Infinity"]
    assert read_jsonl(os.path.join(run.offline_dir, "tables.jsonl")) == [{"table": "t", "rows": [{"a": "NaN"}]}]
    assert read_jsonl(os.path.join(run.offline_dir, "params.jsonl")) == [{"key": "p", "double": "Infinity"}]


def test_concurrent_tag_edits_keep_run_json_whole(tmp_path):
    import sys
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often: an unlocked edit races the rewrite
    try:
        _tag_concurrently(tmp_path)
    finally:
        sys.setswitchinterval(old)


def _tag_concurrently(tmp_path):
    import threading

    with labbook.Run("exp", offline=True, offline_dir=str(tmp_path)) as run:
        def tagger(t):
            for i in range(500):
                run.set_tags({f"t{t}-{i}": str(i)})
        threads = [threading.Thread(target=tagger, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    meta = json.load(open(os.path.join(run.offline_dir, "run.json")))
    assert len(meta["tags"]) == 2000 and meta["status"] == "COMPLETED"


def test_runs_started_in_the_same_second_get_their_own_directories_and_names(tmp_path):
    root = str(tmp_path / "o")
    runs = [labbook.Run("exp", offline=True, offline_dir=root).open() for _ in range(20)]
    for i, run in enumerate(runs):
        run.log_metric("rank", float(i), step=0)
    for run in runs:
        run.complete()
    assert len({r.offline_dir for r in runs}) == 20
    assert len({r.name for r in runs}) == 20
    assert len(os.listdir(root)) == 20
    for i, run in enumerate(runs):
        meta = json.load(open(os.path.join(run.offline_dir, "run.json")))
        assert meta["local_id"][14] == "4", "local_id is a random (version 4) UUID"
        assert [b["value"] for b in read_jsonl(os.path.join(run.offline_dir, "metrics.jsonl"))] == [[float(i)]]


def test_a_directory_clash_draws_a_new_local_id(tmp_path, monkeypatch):
    import uuid as uuid_module
    root = str(tmp_path / "o")
    first = labbook.Run("exp", offline=True, offline_dir=root).open()
    fixed = uuid_module.UUID(first.id)
    fresh = uuid_module.uuid4
    draws = iter([fixed, fixed])
    monkeypatch.setattr(uuid_module, "uuid4", lambda: next(draws, None) or fresh())
    # Same second (the clock is frozen to the first run's start) and the same id twice: the
    # third draw must be used, never the first run's directory.
    from labbook import _ids
    frozen = json.load(open(os.path.join(first.offline_dir, "run.json")))["start_time_ms"]
    monkeypatch.setattr(_ids, "now_ms", lambda: frozen)
    second = labbook.Run("exp", offline=True, offline_dir=root).open()
    assert second.offline_dir != first.offline_dir and second.id != first.id
    second.complete()
    first.complete()
    assert json.load(open(os.path.join(first.offline_dir, "run.json")))["local_id"] == first.id


def test_reopening_an_offline_run_by_name_continues_its_directory(tmp_path):
    root = str(tmp_path / "offline")
    with labbook.Run("exp", "resume-me", offline=True, offline_dir=root, tags={"a": "1"}) as first:
        for _ in range(5):
            first.log_metric("loss", 1.0)
        first_dir, first_id = first.offline_dir, first.id
    assert json.load(open(os.path.join(first_dir, "run.json")))["status"] == "COMPLETED"
    with open(os.path.join(first_dir, "metrics.jsonl"), "a") as f:
        f.write('{"keys": ["loss"], "key_in')  # what a writer that died mid-line leaves

    with labbook.Run("EXP", "RESUME-ME", offline=True, offline_dir=root, tags={"b": "2"}) as again:
        assert again.resumed and again.offline_dir == first_dir and again.id == first_id
        assert json.load(open(os.path.join(first_dir, "run.json")))["status"] == "RUNNING"
        again.log_metric("loss", 2.0)  # the automatic step continues after the last one
        # A second writer of the same name while this one is open gets a directory of its own.
        with labbook.Run("exp", "resume-me", offline=True, offline_dir=root) as rival:
            assert not rival.resumed and rival.offline_dir != first_dir
    meta = json.load(open(os.path.join(first_dir, "run.json")))
    assert meta["status"] == "COMPLETED" and meta["tags"] == {"a": "1", "b": "2"}
    steps = [s for line in read_jsonl(os.path.join(first_dir, "metrics.jsonl")) for s in line["step"]]
    assert steps == [0, 1, 2, 3, 4, 5]
    assert len(os.listdir(root)) == 2


def test_resume_policies_offline(tmp_path):
    root = str(tmp_path / "offline")
    with pytest.raises(labbook.RunNotFoundError):
        labbook.Run("exp", "later", offline=True, offline_dir=root, resume="must").open()
    assert os.listdir(root) == [], "a refused open leaves no directory"
    with labbook.Run("exp", "later", offline=True, offline_dir=root, resume="never") as first:
        first.log_metric("loss", 1.0)
    with pytest.raises(labbook.RunAlreadyExistsError):
        labbook.Run("exp", "LATER", offline=True, offline_dir=root, resume="never").open()
    with labbook.Run("exp", "later", offline=True, offline_dir=root, resume="must") as again:
        assert again.resumed and again.offline_dir == first.offline_dir
    with pytest.raises(ValueError):
        labbook.Run("exp", offline=True, offline_dir=root, resume="must")
    with pytest.raises(ValueError):
        labbook.Run("exp", "x", offline=True, offline_dir=root, resume="sometimes")


def test_repeated_steps_after_an_offline_resume_warn_once(tmp_path, caplog):
    root = str(tmp_path / "offline")
    with labbook.Run("exp", "rerun", offline=True, offline_dir=root) as first:
        first.log_metric("loss", 1.0, step=0)
        first.log_metric("loss", 2.0, step=1)
    caplog.set_level("WARNING", logger="labbook")
    with labbook.Run("exp", "rerun", offline=True, offline_dir=root) as again:
        again.log_metric("loss", 3.0, step=0)
        again.log_metric("loss", 4.0, step=1)
        points = again.get_metric_history("loss", as_dataframe=False)
    assert len([r for r in caplog.records if "logged again" in r.getMessage()]) == 1
    assert sorted((p.step, p.value) for p in points) == [(0, 1.0), (0, 3.0), (1, 2.0), (1, 4.0)]


def test_rename_and_step_range_offline(tmp_path):
    with labbook.Run("exp", "old-name", offline=True, offline_dir=str(tmp_path)) as run:
        for step in range(10):
            run.log_metric("loss", float(step))
        run.rename("new-name")
        assert run.name == "new-name"
        points = run.get_metric_history("loss", as_dataframe=False, start_step=3, end_step=5)
        assert [p.step for p in points] == [3, 4, 5]
        assert run.get_metric_history("loss", as_dataframe=False, start_step=20) == []
    assert json.load(open(os.path.join(run.offline_dir, "run.json")))["name"] == "new-name"
