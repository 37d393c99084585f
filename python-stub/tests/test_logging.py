"""Every logging and reading call against the real server."""
import hashlib
import io
import math
import os

import numpy as np
import pytest

import labbook


class TorchLikeScalar:
    """Duck type of a 0-d torch tensor: no __float__, only .item()."""

    def __init__(self, v):
        self.v = v

    def item(self):
        return self.v


@pytest.fixture
def run(client, exp_name):
    r = labbook.Run(experiment=exp_name, name="logging", client=client).open()
    yield r
    r.close()


def test_metrics_steps_timestamps_and_scalar_types(run, client):
    import datetime

    run.log_metric("loss", 1.0)                          # auto step 0
    run.log_metric("loss", np.float32(0.5))              # numpy scalar, step 1
    run.log_metric("loss", TorchLikeScalar(0.25), step=10)
    run.log_metric("loss", np.int64(3))                  # next step after 10
    run.log("acc", 0.1)                                  # Azure style
    run.log_metrics({"acc": 0.2, "f1": np.float64(0.3)}, step=7)
    run.log_metric("t", 1.0, timestamp=datetime.datetime(2025, 1, 2, tzinfo=datetime.timezone.utc))
    run.log_metric("t", 2.0, timestamp=1_700_000_000.5)
    run.log_metric("special", float("nan"))
    run.log_metric("special", float("inf"))
    assert run.flush(30)
    steps, times, values = client.get_metric_history(run.id, "loss")
    assert steps == [0, 1, 10, 11] and values == [1.0, 0.5, 0.25, 3.0]
    assert client.get_metric_history(run.id, "acc")[0] == [0, 7]
    assert client.get_metric_history(run.id, "t")[1] == [1735776000000, 1700000000500]
    special = client.get_metric_history(run.id, "special")[2]
    assert math.isnan(special[0]) and special[1] == math.inf
    with pytest.raises(TypeError):
        run.log_metric("loss", "high")


def test_get_metrics_has_azure_shape(run):
    run.log("loss", 0.9)
    run.log("loss", 0.4)
    run.log_list("lr_schedule", [0.1, 0.05, np.float32(0.025)])
    run.log_row("per_class", cls="cat", precision=0.91)
    run.log_row("per_class", cls="dog", precision=np.float64(0.88))
    run.log_table("confusion", {"pred": ["cat", "dog"], "count": [5, 7]})
    metrics = run.get_metrics()
    assert metrics["loss"] == 0.4
    assert metrics["lr_schedule"] == pytest.approx([0.1, 0.05, 0.025])
    assert metrics["per_class"] == {"cls": ["cat", "dog"], "precision": [0.91, 0.88]}
    assert metrics["confusion"] == {"pred": ["cat", "dog"], "count": [5.0, 7.0]}
    assert run.get_metrics("loss") == {"loss": 0.4}
    with pytest.raises(labbook.InvalidArgumentError):
        run.log_table("ragged", {"a": [1, 2], "b": [1]})
    # a column type change: the server refuses the append, sent in the background; the refusal
    # is reported in run.errors (and logged), the rows after it go on
    run.log_row("per_class", cls=1.0, precision=0.5)
    run.log_row("per_class", cls="bird", precision=0.5)
    assert run.flush(30)
    [refused] = run.errors
    assert isinstance(refused, labbook.InvalidArgumentError) and refused.field
    assert run.get_metrics("per_class")["per_class"]["cls"] == ["cat", "dog", "bird"]


def test_metric_history_as_dataframe_and_list(run):
    for i in range(100):
        run.log_metric("loss", 1.0 / (i + 1))
    df = run.get_metric_history("loss")
    assert list(df.columns) == ["step", "timestamp_ms", "value"] and len(df) == 100
    assert df["step"].tolist() == list(range(100))
    points = run.get_metric_history("loss", as_dataframe=False)
    assert points[3] == labbook.MetricPoint(3, points[3].timestamp_ms, 0.25)
    small = run.get_metric_history("loss", as_dataframe=False, max_points=10)
    assert 2 <= len(small) <= 20
    with pytest.raises(labbook.NotFoundError):
        run.get_metric_history("missing")


def test_parameters_keep_their_types_and_overwrite(run):
    run.log_parameters({"lr": 0.001, "epochs": 10, "optimizer": "adam", "amp": True,
                        "np_float": np.float32(0.5), "np_int": np.int64(7)})
    run.log_parameter("lr", 0.01)
    params = run.get_parameters()
    assert params == {"lr": 0.01, "epochs": 10, "optimizer": "adam", "amp": True,
                      "np_float": 0.5, "np_int": 7}
    assert type(params["epochs"]) is int and type(params["amp"]) is bool


def test_tags_and_description(run, client):
    run.set_tags({"team": "vision", "gpu": 8})
    run.tag("baseline")
    run.set_tag("stage", "dev")
    run.remove_tags(["stage"])
    run.description = "resnet baseline"
    assert run.tags == {"team": "vision", "gpu": "8", "baseline": ""}  # known before the server has them
    assert run.flush(30)                                             # sent in the background, in order
    got = client.get_run(run.id)
    assert dict(got.tags) == {"team": "vision", "gpu": "8", "baseline": ""}
    assert got.description == "resnet baseline" and run.description == "resnet baseline"
    assert run.get_tags() == dict(got.tags)


def test_text_logs_and_levels(run):
    import logging

    run.log_text("plain line")
    run.log_text("two\nlines", level="WARNING")
    run.logger.debug("d %s", 1)
    run.logger.info("i")
    run.logger.warning("w")
    run.logger.error("e")
    run.logger.critical("c")
    std = logging.getLogger("test-labbook-handler")
    std.addHandler(run.logger.handler())
    std.setLevel(logging.INFO)
    std.info("from stdlib")
    logging.addLevelName(25, "NOTICE")   # custom levels map to the standard level below them
    std.log(25, "custom notice")
    std.log(45, "unnamed 45")
    lines = run.read_logs()
    assert [(l["level"], l["text"]) for l in lines] == [
        ("INFO", "plain line"), ("WARNING", "two"), ("WARNING", "lines"), ("DEBUG", "d 1"),
        ("INFO", "i"), ("WARNING", "w"), ("ERROR", "e"), ("ERROR", "c"), ("INFO", "from stdlib"),
        ("INFO", "custom notice"), ("ERROR", "unnamed 45")]
    assert all(l["stream"] == "USER" for l in lines)
    with pytest.raises(labbook.InvalidArgumentError):
        run.log_text("x", level="LOUD")


def test_files_folders_references_and_download(run, tmp_path):
    model = tmp_path / "model.bin"
    model.write_bytes(os.urandom(3 * 1024 * 1024 + 17))  # several chunks
    info = run.log_file(str(model))
    assert info["sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    run.log_file(str(model), name="inputs/base.bin", is_output=False)
    run.upload_file("outputs/notes.txt", io.BytesIO(b"stream content"))
    run.upload_file("outputs/raw.txt", b"bytes content")
    folder = tmp_path / "ckpt"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a")
    (folder / "sub" / "b.txt").write_text("b")
    assert run.upload_folder("checkpoints", str(folder)) == ["checkpoints/a.txt", "checkpoints/sub/b.txt"]
    run.log_artifact("dataset", "s3://bucket/train.csv", is_output=False)
    names = run.get_file_names()
    assert names == sorted(["model.bin", "inputs/base.bin", "outputs/notes.txt", "outputs/raw.txt",
                            "checkpoints/a.txt", "checkpoints/sub/b.txt", "dataset"])
    assert run.get_file_names("checkpoints/") == ["checkpoints/a.txt", "checkpoints/sub/b.txt"]
    out = run.download_file("model.bin", str(tmp_path / "down" / "m.bin"))
    assert open(out, "rb").read() == model.read_bytes()
    assert open(run.download_file("outputs/notes.txt", str(tmp_path)), "rb").read() == b"stream content"
    with pytest.raises(labbook.NotFoundError):
        run.download_file("nope.txt", str(tmp_path / "nope"))
    assert not (tmp_path / "nope").exists() and not (tmp_path / "nope.part").exists(), \
        "a failed download leaves no file behind"
    (tmp_path / "keep.txt").write_bytes(b"mine")
    with pytest.raises(labbook.NotFoundError):
        run.download_file("nope.txt", str(tmp_path / "keep.txt"))
    assert (tmp_path / "keep.txt").read_bytes() == b"mine", "an existing file survives a failed download"
    inputs = [a for a in run.client.list_artifacts(run.id) if a.direction == 1]
    assert sorted(a.path for a in inputs) == ["dataset", "inputs/base.bin"]


def test_images_from_path_and_matplotlib(run, tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    plt.plot([1, 2, 3], [3, 1, 2])
    png = tmp_path / "curve.png"
    fig.savefig(png)
    assert run.log_image("curve", path=str(png)) == "images/curve.png"
    assert run.log_image("live", plot=fig, step=1) == "images/live/00000001.png"
    assert run.log_image("live", plot=plt, step=2) == "images/live/00000002.png"
    plt.close(fig)
    images = run.client.list_artifacts(run.id, media_type_prefix="image/")
    assert sorted((a.path, a.HasField("step"), a.step) for a in images) == [
        ("images/curve.png", False, 0), ("images/live/00000001.png", True, 1),
        ("images/live/00000002.png", True, 2)]
    data = run.download_file("images/live/00000001.png", str(tmp_path / "x.png"))
    assert open(data, "rb").read()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(labbook.InvalidArgumentError):
        run.log_image("none")


def test_search_runs_rows_and_dataframe(client, exp_name):
    for i, lr in enumerate([0.1, 0.01, 0.001]):
        with labbook.start_run(experiment=exp_name, name=f"lr-{lr}", client=client,
                               tags={"team": "vision"}) as r:
            r.log_parameter("lr", lr)
            r.log_metric("val_acc", 0.5 + i * 0.1)
    rows = labbook.search_runs("params.lr < 0.05 AND tags.team = 'vision'", ["metrics.val_acc DESC"],
                               experiment=exp_name, client=client, as_dataframe=False)
    assert [r["name"] for r in rows] == ["lr-0.001", "lr-0.01"]
    assert rows[0]["params.lr"] == 0.001 and rows[0]["metrics.val_acc"] == pytest.approx(0.7)
    assert rows[0]["status"] == "COMPLETED" and rows[0]["tags.team"] == "vision"
    best = labbook.search_runs(f"experiment = '{exp_name}'", ["metrics.val_acc DESC"], max_results=1,
                               client=client)
    assert best["name"].tolist() == ["lr-0.001"]
    with pytest.raises(labbook.InvalidArgumentError) as info:
        labbook.search_runs("params.lr <", client=client)
    assert info.value.field == "filter"


def test_backpressure_keeps_every_point_with_a_small_buffer(client, exp_name):
    with labbook.Run(exp_name, "small-buffer", client=client, capacity=1000) as run:
        for step in range(50_000):
            run.log_metric("x", step, step=step)
            assert len(run._sender.points) <= 1002
    assert client.list_metrics(run.id)[0].count == 50_000


def test_refused_batches_are_reported_not_retried(client, exp_name):
    from labbook.v1 import run_pb2

    run = labbook.Run(exp_name, "deleted-under-us", client=client).open()
    run.log_metric("x", 1.0)
    assert run.flush(30)
    client.call("runs", "DeleteRun", run_pb2.DeleteRunRequest(run_id=run.id))
    run.log_metric("x", 2.0)
    assert run.flush(30)  # the refused batch is dropped, not retried forever
    assert len(run.errors) == 1 and isinstance(run.errors[0], labbook.FailedPreconditionError)
    run.complete()  # the refused status is reported, not raised: it is sent in the background
    assert len(run.errors) == 2 and isinstance(run.errors[1], labbook.FailedPreconditionError)
