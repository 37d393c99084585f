"""The real MLflow client's artifact repository (mlflow-artifacts:/..., i.e. MLflow's proxied-artifact
API) against a Labbook server: uploads, listings and downloads as `MlflowClient.log_artifact(s)`,
`log_text`, `log_dict`, `log_figure`, `log_image` and `mlflow.artifacts` make them, cross-checked with
Labbook's own API. The run is made through Labbook's API and the client's repository is pointed at
`mlflow-artifacts:/<experiment id>/<run id>/artifacts`, the artifact URI the MLflow API gives a run."""
from __future__ import annotations

import hashlib
import json
import os

import pytest

mlflow = pytest.importorskip("mlflow")

from labbook._artifacts import upload  # noqa: E402


@pytest.fixture
def mlflow_env(server, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{server.http_port}")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    yield


@pytest.fixture
def run_repo(client, exp_name, mlflow_env):
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository
    from mlflow.tracking._tracking_service import utils

    exp = client.create_experiment(exp_name)
    run = client.create_run(experiment_id=exp.id)
    uri = f"mlflow-artifacts:/{exp.id}/{run.id}/artifacts"
    repo = get_artifact_repository(uri)
    # What MlflowClient caches from runs/get's artifact_uri (runs/get is tested elsewhere).
    utils._artifact_repos_cache[run.id] = repo
    yield run.id, uri, repo
    utils._artifact_repos_cache.pop(run.id, None)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_files_dirs_text_dicts_figures_and_images_round_trip(client, run_repo, tmp_path):
    run_id, uri, repo = run_repo
    mlflow_client = mlflow.MlflowClient()
    weights = os.urandom(3 * 1024 * 1024 + 7)
    (tmp_path / "weights.bin").write_bytes(weights)
    (tmp_path / "hello.txt").write_text("hello labbook\n")
    tree = tmp_path / "tree"
    (tree / "sub" / "deeper").mkdir(parents=True)
    (tree / "a.csv").write_text("x,y\n1,2\n")
    (tree / "sub" / "b.yaml").write_text("k: v\n")
    (tree / "sub" / "deeper" / "c.json").write_text('{"c": 3}')

    mlflow_client.log_artifact(run_id, str(tmp_path / "weights.bin"))
    mlflow_client.log_artifact(run_id, str(tmp_path / "hello.txt"), "notes")
    mlflow_client.log_artifacts(run_id, str(tree), "tree")
    mlflow_client.log_text(run_id, "some text", "text/t.txt")
    mlflow_client.log_dict(run_id, {"k": 1, "nested": {"a": [1, 2]}}, "d.json")
    mlflow_client.log_dict(run_id, {"k": 1}, "conf/d.yaml")
    np = pytest.importorskip("numpy")
    mlflow_client.log_image(run_id, np.zeros((8, 8, 3), dtype=np.uint8), "img.png")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        plt = None
    if plt is not None:
        fig, ax = plt.subplots()
        ax.plot([0, 1, 2], [2, 1, 3])
        mlflow_client.log_figure(run_id, fig, "fig.png")
        plt.close(fig)

    top = {f.path: (f.is_dir, f.file_size) for f in repo.list_artifacts()}
    assert top["weights.bin"] == (False, len(weights))
    for directory in ("notes", "tree", "text", "conf"):
        assert top[directory] == (True, None)
    assert top["img.png"][0] is False and top["d.json"][0] is False
    assert [(f.path, f.is_dir) for f in repo.list_artifacts("tree")] == [("tree/a.csv", False), ("tree/sub", True)]
    assert [(f.path, f.is_dir, f.file_size) for f in repo.list_artifacts("tree/sub")] == [
        ("tree/sub/b.yaml", False, 5), ("tree/sub/deeper", True, None)]
    assert repo.list_artifacts("d.json") == []  # a file lists as nothing, as on MLflow's server

    out = mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(tmp_path / "down"))
    with open(os.path.join(out, "weights.bin"), "rb") as f:
        assert sha256(f.read()) == sha256(weights)
    with open(os.path.join(out, "tree", "sub", "deeper", "c.json")) as f:
        assert f.read() == '{"c": 3}'
    with open(os.path.join(out, "d.json")) as f:
        assert json.load(f) == {"k": 1, "nested": {"a": [1, 2]}}
    assert mlflow.artifacts.load_text(uri + "/text/t.txt") == "some text"
    assert mlflow.artifacts.load_dict(uri + "/conf/d.yaml") == {"k": 1}

    # In Labbook: ordinary artifacts of the run, with their size and SHA-256.
    stored = {a.path: a for a in client.list_artifacts(run_id)}
    assert stored["weights.bin"].sha256 == sha256(weights)
    assert stored["weights.bin"].size_bytes == len(weights)
    assert stored["notes/hello.txt"].media_type == "text/plain"
    assert "tree/sub/deeper/c.json" in stored

    repo.delete_artifacts("tree/sub")
    assert [f.path for f in repo.list_artifacts("tree")] == ["tree/a.csv"]


def test_a_labbook_artifact_downloads_through_mlflow(client, run_repo, tmp_path):
    run_id, uri, repo = run_repo
    upload(client, run_id, "outputs/model.pt", b"\x00\x01weights")
    assert [(f.path, f.is_dir) for f in repo.list_artifacts()] == [("outputs", True)]
    path = mlflow.artifacts.download_artifacts(artifact_uri=uri + "/outputs/model.pt", dst_path=str(tmp_path))
    with open(path, "rb") as f:
        assert f.read() == b"\x00\x01weights"


def test_a_forced_multipart_upload_falls_back_to_one_put(run_repo, tmp_path, monkeypatch):
    # Labbook answers mpu/create 501, as MLflow's own server without a multipart-capable store.
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", "1000")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", "100000")
    _, uri, repo = run_repo
    data = os.urandom(345_678)
    (tmp_path / "mp.bin").write_bytes(data)
    repo.log_artifact(str(tmp_path / "mp.bin"), "mpu")
    back = mlflow.artifacts.download_artifacts(artifact_uri=uri + "/mpu/mp.bin", dst_path=str(tmp_path / "d"))
    with open(back, "rb") as f:
        assert f.read() == data


def test_errors_reach_the_client(client, run_repo, tmp_path):
    import requests
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    run_id, uri, repo = run_repo
    exp_id = uri.split(":/")[1].split("/")[0]
    (tmp_path / "f.txt").write_text("x")
    unknown = get_artifact_repository(f"mlflow-artifacts:/{exp_id}/01a24ea5-0000-7000-8000-000000000000/artifacts")
    with pytest.raises(requests.HTTPError) as e:
        unknown.log_artifact(str(tmp_path / "f.txt"))
    assert e.value.response.status_code == 404
    assert e.value.response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(mlflow.exceptions.MlflowException) as e:
        repo.download_artifacts("missing.txt", str(tmp_path))
    assert "404" in str(e.value) and "RESOURCE_DOES_NOT_EXIST" in str(e.value)
