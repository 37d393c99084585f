"""The real MLflow client against Labbook's MLflow API, second half: artifacts through MLflow's
proxied-artifact API (log_artifact, log_artifacts, log_text, log_dict, log_figure, log_image,
list, download: bytes round-trip), `mlflow.sklearn.autolog()` training a small model whose
params, metrics and model (MLflow 3's logged model: MLmodel, model.pkl) land and load back, and
MLFLOW_TRACKING_TOKEN with access control on.

Every test not marked `labbook_only` is MLflow's own behaviour: it passes against a real
`mlflow server` too (LABBOOK_MLFLOW_TEST_URI, see mlflow_target.py)."""
from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
import uuid

import pytest

from mlflow_target import (EXTERNAL_URI, experiment, labbook_only, mlflow_client, mlflow_env,  # noqa: F401
                           tracking_uri)
from server_process import ServerProcess, free_port, make_token

mlflow = pytest.importorskip("mlflow")
from mlflow.exceptions import MlflowException  # noqa: E402


def tree(root):
    """{relative path: bytes} of every file under root."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            full = os.path.join(dirpath, f)
            with open(full, "rb") as fh:
                out[os.path.relpath(full, root).replace(os.sep, "/")] = fh.read()
    return out


# -- artifacts -------------------------------------------------------------------------------

def test_artifacts_log_list_download_round_trip(mlflow_env, mlflow_client, experiment, tmp_path, request):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    blob = os.urandom(700_000) + bytes(range(256))  # binary, not a multiple of any chunk size
    (tmp_path / "weights.bin").write_bytes(blob)
    src = tmp_path / "dir"
    (src / "nested" / "deeper").mkdir(parents=True)
    (src / "a.txt").write_text("alpha\n")
    (src / "nested" / "b.csv").write_text("x,y\n1,2\n")
    (src / "nested" / "deeper" / "c.json").write_text('{"c": 3}')
    (src / "nested" / "empty.txt").write_bytes(b"")
    image = (np.arange(8 * 6 * 3) % 256).astype(np.uint8).reshape(8, 6, 3)

    with mlflow.start_run() as run:
        mlflow.log_artifact(str(tmp_path / "weights.bin"))
        mlflow.log_artifact(str(tmp_path / "weights.bin"), artifact_path="copies/v1")
        mlflow.log_artifacts(str(src), artifact_path="dir")
        mlflow.log_text("hello, wörld\n", "notes/hello.txt")
        mlflow.log_dict({"k": 1, "nested": {"list": [1, 2.5, "x"]}}, "config/d.json")
        mlflow.log_dict({"k": 2}, "config/d.yaml")
        fig = plt.figure(figsize=(2, 2))
        plt.plot([1, 2, 3], [3, 1, 2])
        mlflow.log_figure(fig, "plots/fig.png")
        plt.close(fig)
        mlflow.log_image(image, "plots/img.png")
    run_id = run.info.run_id
    c = mlflow_client

    root = {a.path: a for a in c.list_artifacts(run_id)}
    assert set(root) == {"weights.bin", "copies", "dir", "notes", "config", "plots"}
    assert not root["weights.bin"].is_dir and root["weights.bin"].file_size == len(blob)
    assert all(root[d].is_dir for d in ("copies", "dir", "notes", "config", "plots"))
    # (an empty file's size: 0 is proto3's default, which MLflow's server leaves out: None)
    listed = {a.path: (a.is_dir, a.file_size or 0) for a in c.list_artifacts(run_id, "dir/nested")}
    assert listed == {"dir/nested/b.csv": (False, 8), "dir/nested/empty.txt": (False, 0),
                      "dir/nested/deeper": (True, 0)}
    assert {a.path for a in c.list_artifacts(run_id, "plots")} == {"plots/fig.png", "plots/img.png"}
    assert c.list_artifacts(run_id, "no/such/dir") == []

    out = tmp_path / "down"
    path = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="weights.bin", dst_path=str(out / "1"))
    assert open(path, "rb").read() == blob
    path = c.download_artifacts(run_id, "copies/v1/weights.bin", str(out / "2"))
    assert hashlib.sha256(open(path, "rb").read()).digest() == hashlib.sha256(blob).digest()
    path = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="dir", dst_path=str(out / "3"))
    assert tree(path) == tree(src)
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/hello.txt") == "hello, wörld\n"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/d.json") == {"k": 1, "nested": {"list": [1, 2.5, "x"]}}
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/d.yaml") == {"k": 2}
    fig_path = c.download_artifacts(run_id, "plots/fig.png", str(out / "4"))
    assert open(fig_path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    img_path = c.download_artifacts(run_id, "plots/img.png", str(out / "5"))
    assert (np.asarray(Image.open(img_path)) == image).all()
    everything = mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=str(out / "all"))
    assert set(tree(everything)) == {"weights.bin", "copies/v1/weights.bin", "notes/hello.txt", "config/d.json",
                                     "config/d.yaml", "plots/fig.png", "plots/img.png"} | \
        {f"dir/{p}" for p in tree(src)}

    if not EXTERNAL_URI:  # Labbook: the same files are the run's artifacts for every client
        client = request.getfixturevalue("client")
        files = {a.path: (a.size_bytes, a.sha256) for a in client.list_artifacts(run_id)}
        assert files["weights.bin"] == (len(blob), hashlib.sha256(blob).hexdigest())
        assert files["dir/nested/deeper/c.json"] == (8, hashlib.sha256(b'{"c": 3}').hexdigest())
        assert set(files) == set(tree(everything))


def test_unknown_artifact_is_an_error(mlflow_client, experiment, tmp_path):
    run_id = mlflow_client.create_run(experiment).info.run_id
    with pytest.raises(MlflowException, match="missing.txt"):
        mlflow_client.download_artifacts(run_id, "missing.txt", str(tmp_path))


# -- models ---------------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore::FutureWarning")  # MLflow's autolog calls sklearn's metrics the old way
def test_sklearn_autolog_logs_params_metrics_and_a_model_that_loads_back(mlflow_env, mlflow_client, experiment,
                                                                         request, monkeypatch):
    import numpy as np
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    # requirements.txt from the flavor's defaults instead of MLflow's inference, which loads the
    # model in a subprocess to see what it imports (3-4 s, client-side only, no server call).
    monkeypatch.setattr(mlflow.models, "infer_pip_requirements",
                        lambda model_uri, flavor, fallback=None, **kw: list(fallback or []))
    X, y = load_iris(return_X_y=True)
    mlflow.sklearn.autolog(log_input_examples=False, log_model_signatures=True, silent=True)
    try:
        with mlflow.start_run(run_name="iris") as run:
            model = LogisticRegression(max_iter=200, C=0.5).fit(X, y)
    finally:
        mlflow.sklearn.autolog(disable=True)
    run_id = run.info.run_id
    c = mlflow_client
    got = c.get_run(run_id)
    assert got.info.status == "FINISHED"
    assert got.data.params["max_iter"] == "200" and got.data.params["C"] == "0.5"
    assert got.data.metrics["training_accuracy_score"] == pytest.approx(model.score(X, y))
    assert {"training_accuracy_score", "training_f1_score", "training_log_loss"} <= set(got.data.metrics)
    assert got.data.tags["estimator_name"] == "LogisticRegression"

    (logged,) = c.search_logged_models(experiment_ids=[experiment])
    assert logged.source_run_id == run_id and logged.name == "model"
    assert logged.status.to_proto() == mlflow.entities.LoggedModelStatus.READY.to_proto()
    files = {a.path for a in c.list_logged_model_artifacts(logged.model_id)}
    assert {"MLmodel", "model.pkl", "requirements.txt"} <= files
    assert c.get_logged_model(logged.model_id).model_id == logged.model_id

    expected = model.predict(X)
    for uri in (f"runs:/{run_id}/model", f"models:/{logged.model_id}"):
        loaded = mlflow.sklearn.load_model(uri)
        assert (loaded.predict(X) == expected).all(), uri
        assert np.allclose(loaded.coef_, model.coef_, rtol=0, atol=0)
    pyfunc = mlflow.pyfunc.load_model(f"models:/{logged.model_id}")
    assert (np.asarray(pyfunc.predict(X)) == expected).all()

    if not EXTERNAL_URI:  # Labbook: the model's files are the run's artifacts under models/<model id>/
        client = request.getfixturevalue("client")
        paths = {a.path for a in client.list_artifacts(run_id, path_prefix="models/")}
        assert {f"models/{logged.model_id}/MLmodel", f"models/{logged.model_id}/model.pkl"} <= paths


# -- access control --------------------------------------------------------------------------

BOOTSTRAP = make_token("MlflowBootstrap")


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory):
    proc = ServerProcess(tmp_path_factory.mktemp("labbook-mlflow-auth") / "data", http_port=free_port(),
                         bootstrap_token=BOOTSTRAP).start()
    yield proc
    proc.stop()


def raw_get(url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


@labbook_only
def test_tracking_token_with_access_control(auth_server, mlflow_env, monkeypatch):
    import labbook
    from mlflow import MlflowClient

    uri = f"http://127.0.0.1:{auth_server.http_port}"
    c = MlflowClient(tracking_uri=uri)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", BOOTSTRAP)
    exp_id = c.create_experiment(f"auth-{uuid.uuid4().hex[:8]}")
    run_id = c.create_run(exp_id, run_name="admin").info.run_id
    c.log_metric(run_id, "loss", 0.5, step=1)
    assert c.get_run(run_id).data.metrics == {"loss": 0.5}

    with labbook.Client(auth_server.target, token=BOOTSTRAP) as admin:
        editor = admin.create_token("mlflow-editor", "default", "editor", ttl_seconds=3600).secret
        viewer = admin.create_token("mlflow-viewer", "default", "viewer", ttl_seconds=3600).secret
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", editor)
        c.log_param(run_id, "lr", "0.1")
        c.set_tag(run_id, "by", "editor")
        assert c.get_run(run_id).data.params == {"lr": "0.1"}

        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", viewer)
        assert c.get_run(run_id).data.tags["by"] == "editor"
        with pytest.raises(MlflowException) as denied:
            c.log_metric(run_id, "loss", 0.4, step=2)
        assert denied.value.get_http_status_code() == 403 and denied.value.error_code == "PERMISSION_DENIED"

    for token in (None, make_token("WrongToken")):
        if token is None:
            monkeypatch.delenv("MLFLOW_TRACKING_TOKEN")
        else:
            monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
        with pytest.raises(MlflowException) as refused:
            c.get_run(run_id)
        assert refused.value.get_http_status_code() == 401 and refused.value.error_code == "UNAUTHENTICATED"
        with pytest.raises(MlflowException):
            c.log_metric(run_id, "loss", 0.3, step=3)
    # basic auth (MLFLOW_TRACKING_USERNAME/PASSWORD): the password is taken as the token
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "anyone")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", BOOTSTRAP)
    assert [h.value for h in c.get_metric_history(run_id, "loss")] == [0.5]

    status, body = raw_get(f"{uri}/api/2.0/mlflow/runs/get?run_id={run_id}")
    assert status == 401 and body.get("error_code") == "UNAUTHENTICATED"
    status, body = raw_get(f"{uri}/api/2.0/mlflow/no-such-endpoint", token=BOOTSTRAP)
    assert status == 501 and body.get("error_code") == "ENDPOINT_NOT_FOUND" and "no-such-endpoint" in body["message"]
