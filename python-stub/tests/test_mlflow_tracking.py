"""The real MLflow client (mlflow-skinny, fluent and MlflowClient APIs) against Labbook's MLflow
tracking REST API on the server's HTTP port: experiments, the default experiment, runs, nested
runs, params/metrics/tags, log_batch of 1,000 metrics, metric history, search_runs as a pandas
DataFrame with filters and order-by, delete/restore, errors; and the cross-checks with the
Labbook SDK both ways (values bit-exact).

Every test not marked `labbook_only` is MLflow's own behaviour: it passes against a real
`mlflow server` too (LABBOOK_MLFLOW_TEST_URI, see mlflow_target.py)."""
from __future__ import annotations

import math
import struct
import time
import uuid

import pytest

import labbook
from labbook._values import from_param_value
from mlflow_target import (EXTERNAL_URI, experiment, labbook_only, mlflow_client, mlflow_env,  # noqa: F401
                           tracking_uri)

mlflow = pytest.importorskip("mlflow")
from mlflow.entities import Metric, Param, RunTag, ViewType  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402


def bits(x: float) -> bytes:
    """Floats compared bit for bit (NaN == NaN, -0.0 != 0.0)."""
    return struct.pack("<d", x)


def error_code(excinfo) -> str:
    return excinfo.value.error_code


def user_tags(run):
    return {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# -- experiments ----------------------------------------------------------------------------

def test_experiments_create_get_rename_tag_delete_restore(mlflow_client):
    c = mlflow_client
    name = unique("exp")
    exp_id = c.create_experiment(name, tags={"team": "vision"})
    got = c.get_experiment(exp_id)
    assert (got.experiment_id, got.name, got.lifecycle_stage) == (exp_id, name, "active")
    assert got.tags["team"] == "vision"
    assert got.artifact_location
    assert c.get_experiment_by_name(name).experiment_id == exp_id
    assert c.get_experiment_by_name(unique("missing")) is None

    with pytest.raises(MlflowException) as taken:
        c.create_experiment(name)
    assert error_code(taken) == "RESOURCE_ALREADY_EXISTS"

    c.set_experiment_tag(exp_id, "stage", "dev")
    assert {k: v for k, v in c.get_experiment(exp_id).tags.items() if not k.startswith("mlflow.")} == \
        {"team": "vision", "stage": "dev"}

    new_name = unique("renamed")
    c.rename_experiment(exp_id, new_name)
    assert c.get_experiment(exp_id).name == new_name
    assert c.get_experiment_by_name(new_name).experiment_id == exp_id
    assert c.get_experiment_by_name(name) is None

    c.delete_experiment(exp_id)
    assert c.get_experiment(exp_id).lifecycle_stage == "deleted"
    by_name = f"name = '{new_name}'"
    assert [e.experiment_id for e in c.search_experiments(filter_string=by_name)] == []
    assert [e.experiment_id for e in c.search_experiments(view_type=ViewType.DELETED_ONLY,
                                                          filter_string=by_name)] == [exp_id]
    c.restore_experiment(exp_id)
    assert c.get_experiment(exp_id).lifecycle_stage == "active"
    assert [e.experiment_id for e in c.search_experiments(filter_string=by_name)] == [exp_id]


def test_search_experiments_filter_order_and_max_results(mlflow_client):
    c = mlflow_client
    prefix = unique("se")
    ids = {suffix: c.create_experiment(f"{prefix}-{suffix}", tags={"group": "g1" if suffix != "b" else "g2"})
           for suffix in ("b", "c", "a")}
    found = c.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name ASC"])
    assert [e.name for e in found] == [f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"]
    found = c.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name DESC"])
    assert [e.experiment_id for e in found] == [ids["c"], ids["b"], ids["a"]]
    found = c.search_experiments(filter_string=f"name LIKE '{prefix}-%' AND tags.group = 'g1'",
                                 order_by=["name ASC"])
    assert [e.experiment_id for e in found] == [ids["a"], ids["c"]]
    page = c.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name ASC"], max_results=2)
    assert [e.experiment_id for e in page] == [ids["a"], ids["b"]] and page.token
    rest = c.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name ASC"], max_results=2,
                                page_token=page.token)
    assert [e.experiment_id for e in rest] == [ids["c"]]


def test_runs_without_set_experiment_go_to_the_default_experiment(mlflow_env, mlflow_client):
    with mlflow.start_run() as run:
        mlflow.log_metric("x", 1.0)
    exp_id = run.info.experiment_id
    assert mlflow_client.get_experiment(exp_id).name == "Default"
    assert mlflow_client.get_experiment("0").name == "Default"
    assert mlflow_client.get_experiment_by_name("Default") is not None
    assert run.info.run_id in {r.info.run_id for r in mlflow_client.search_runs(["0"], max_results=1000)}


# -- runs, params, metrics, tags ------------------------------------------------------------

def test_fluent_params_metrics_tags(mlflow_env, mlflow_client, experiment, request):
    with mlflow.start_run(run_name="fluent") as run:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"batch": 32, "optimizer": "adam"})
        mlflow.log_metric("loss", 0.5, step=1)
        mlflow.log_metric("loss", 0.25, step=2)
        mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=2)
        mlflow.set_tag("team", "vision")
        mlflow.set_tags({"a": "1", "b": "2"})
        mlflow.delete_tag("b")
        assert mlflow.active_run().info.run_id == run.info.run_id
    got = mlflow_client.get_run(run.info.run_id)
    assert got.info.experiment_id == experiment
    assert got.info.run_name == "fluent" and got.data.tags["mlflow.runName"] == "fluent"
    assert got.info.status == "FINISHED" and got.info.lifecycle_stage == "active"
    assert got.info.start_time > 0 and got.info.end_time >= got.info.start_time
    assert got.data.params == {"lr": "0.01", "batch": "32", "optimizer": "adam"}
    assert got.data.metrics == {"loss": 0.25, "acc": 0.9, "f1": 0.8}
    assert user_tags(got) == {"team": "vision", "a": "1"}
    assert got.info.artifact_uri
    if not EXTERNAL_URI:  # Labbook: FINISHED is COMPLETED, mlflow.source.name the source's script
        lb = request.getfixturevalue("client").get_run(run.info.run_id)
        assert lb.status == labbook.client.run_pb2.RUN_STATUS_COMPLETED
        assert lb.source.script == got.data.tags["mlflow.source.name"] != ""


def test_client_run_lifecycle_update_and_terminate(mlflow_client, experiment):
    c = mlflow_client
    run = c.create_run(experiment, run_name="first", tags={"k": "v"})
    assert run.info.status == "RUNNING" and run.info.run_name == "first"
    assert run.info.end_time is None or run.info.end_time == 0
    c.update_run(run.info.run_id, name="second")
    assert c.get_run(run.info.run_id).info.run_name == "second"
    c.set_terminated(run.info.run_id, "FAILED")
    got = c.get_run(run.info.run_id)
    assert got.info.status == "FAILED" and got.info.end_time >= got.info.start_time
    assert got.data.tags["k"] == "v"
    killed = c.create_run(experiment)
    assert killed.info.run_name  # MLflow names an unnamed run, and the name is its tag too
    assert c.get_run(killed.info.run_id).data.tags["mlflow.runName"] == killed.info.run_name
    c.set_terminated(killed.info.run_id, "KILLED")
    assert c.get_run(killed.info.run_id).info.status == "KILLED"


def test_changing_a_logged_param_is_refused(mlflow_client, experiment):
    c = mlflow_client
    run_id = c.create_run(experiment).info.run_id
    c.log_param(run_id, "lr", 0.01)
    c.log_param(run_id, "lr", 0.01)  # the same value again is fine
    with pytest.raises(MlflowException) as changed:
        c.log_param(run_id, "lr", 0.02)
    assert error_code(changed) == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as changed_in_batch:
        c.log_batch(run_id, params=[Param("other", "1"), Param("lr", "0.03")])
    assert error_code(changed_in_batch) == "INVALID_PARAMETER_VALUE"
    assert c.get_run(run_id).data.params["lr"] == "0.01"


def test_nested_runs_carry_the_parent(mlflow_env, mlflow_client, experiment, request):
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child-1", nested=True) as child1:
            mlflow.log_metric("fold_acc", 0.7)
        with mlflow.start_run(run_name="child-2", nested=True) as child2:
            mlflow.log_metric("fold_acc", 0.8)
    for child in (child1, child2):
        assert mlflow_client.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == parent.info.run_id
    children = mlflow_client.search_runs([experiment],
                                         filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
                                         order_by=["attributes.run_name ASC"])
    assert [r.info.run_id for r in children] == [child1.info.run_id, child2.info.run_id]
    if not EXTERNAL_URI:  # Labbook: mlflow.parentRunId is the run's parent
        client = request.getfixturevalue("client")
        assert client.get_run(child1.info.run_id).parent_run_id == parent.info.run_id


def test_log_batch_of_1000_metrics_and_metric_history(mlflow_client, experiment):
    c = mlflow_client
    run_id = c.create_run(experiment).info.run_id
    t0 = 1_700_000_000_000
    metrics = [Metric(f"m{i % 10}", (i / 7.0) * (-1) ** i, t0 + 3 * i, i // 10) for i in range(1000)]
    c.log_batch(run_id, metrics=metrics,
                params=[Param(f"p{i}", str(i)) for i in range(10)],
                tags=[RunTag(f"t{i}", f"v{i}") for i in range(5)])
    got = c.get_run(run_id)
    assert got.data.params == {f"p{i}": str(i) for i in range(10)}
    assert {f"t{i}": f"v{i}" for i in range(5)}.items() <= got.data.tags.items()
    assert sorted(got.data.metrics) == [f"m{k}" for k in range(10)]
    for k in range(10):
        expected = sorted((m.step, m.timestamp, bits(m.value)) for m in metrics if m.key == f"m{k}")
        history = c.get_metric_history(run_id, f"m{k}")
        assert len(history) == 100
        assert sorted((h.step, h.timestamp, bits(h.value)) for h in history) == expected
        assert bits(got.data.metrics[f"m{k}"]) == expected[-1][2]  # the value at the last step


def test_special_float_values_round_trip(mlflow_client, experiment):
    c = mlflow_client
    run_id = c.create_run(experiment).info.run_id
    values = [0.1 + 0.2, 1 / 3, 5e-324, -0.0, 1.7976931348623157e308, 2.0 ** 53 + 2, -123.456,
              math.inf, -math.inf, math.nan]
    t0 = int(time.time() * 1000)
    c.log_batch(run_id, metrics=[Metric("odd", v, t0 + i, i) for i, v in enumerate(values)])
    history = sorted(c.get_metric_history(run_id, "odd"), key=lambda m: m.step)
    assert [(h.step, h.timestamp) for h in history] == [(i, t0 + i) for i in range(len(values))]
    for h, v in zip(history, values):
        if math.isnan(v):
            assert math.isnan(h.value)
        elif v == 0:
            assert h.value == 0  # MLflow's JSON may or may not keep the sign of -0.0
        elif math.isinf(v):
            # MLflow's SQL store clamps infinities to the largest finite floats; Labbook keeps them.
            assert h.value in (v, math.copysign(1.7976931348623157e308, v))
        else:
            assert bits(h.value) == bits(v), (h.value, v)


# -- search_runs ----------------------------------------------------------------------------

@pytest.fixture
def five_runs(mlflow_client, experiment):
    """r1..r5 with params lr, metrics acc, tags team; r4 FAILED, the others FINISHED."""
    c = mlflow_client
    spec = [("r1", "0.1", 0.3, "a"), ("r2", "0.01", 0.9, "b"), ("r3", "0.1", 0.6, "a"),
            ("r4", "0.001", 0.75, "b"), ("r5", "0.01", 0.1, "c")]
    ids = {}
    for name, lr, acc, team in spec:
        run = c.create_run(experiment, run_name=name, tags={"team": team})
        rid = run.info.run_id
        c.log_batch(rid, metrics=[Metric("acc", acc, int(time.time() * 1000), 0)], params=[Param("lr", lr)])
        c.set_terminated(rid, "FAILED" if name == "r4" else "FINISHED")
        ids[name] = rid
    return ids


def test_search_runs_dataframe_filters_and_order_by(mlflow_env, experiment, five_runs):
    import pandas as pd

    ids = five_runs
    by_id = {v: k for k, v in ids.items()}

    def names(filter_string="", order_by=None, **kw):
        df = mlflow.search_runs(experiment_ids=[experiment], filter_string=filter_string, order_by=order_by, **kw)
        assert isinstance(df, pd.DataFrame)
        return [by_id[r] for r in df["run_id"]]

    df = mlflow.search_runs(experiment_ids=[experiment], filter_string="metrics.acc > 0.5",
                            order_by=["metrics.acc DESC"])
    assert [by_id[r] for r in df["run_id"]] == ["r2", "r4", "r3"]
    assert {"run_id", "experiment_id", "status", "start_time", "end_time", "metrics.acc", "params.lr",
            "tags.team", "tags.mlflow.runName"} <= set(df.columns)
    assert list(df["metrics.acc"]) == [0.9, 0.75, 0.6]
    assert list(df["params.lr"]) == ["0.01", "0.001", "0.1"]
    assert list(df["status"]) == ["FINISHED", "FAILED", "FINISHED"]
    assert list(df["tags.mlflow.runName"]) == ["r2", "r4", "r3"]

    assert names("params.lr = '0.1'", ["metrics.acc ASC"]) == ["r1", "r3"]
    assert names("tags.team = 'b'", ["metrics.acc DESC"]) == ["r2", "r4"]
    assert names("attributes.status = 'FAILED'") == ["r4"]
    assert names("attributes.status = 'FINISHED' and metrics.acc <= 0.6", ["metrics.acc DESC"]) == ["r3", "r1", "r5"]
    assert names("attributes.run_name = 'r3'") == ["r3"]
    assert names("metrics.acc >= 0.3 and params.lr != '0.1'", ["metrics.acc ASC"]) == ["r4", "r2"]
    assert names("tags.team LIKE 'a%'", ["attributes.run_name DESC"]) == ["r3", "r1"]
    assert names("", ["params.lr ASC", "metrics.acc DESC"]) == ["r4", "r2", "r5", "r3", "r1"]
    assert names("", ["tags.team DESC", "attributes.run_name ASC"]) == ["r5", "r2", "r4", "r1", "r3"]
    assert names("", ["attributes.run_name ASC"]) == ["r1", "r2", "r3", "r4", "r5"]
    assert names("", ["metrics.acc DESC"], max_results=2) == ["r2", "r4"]
    assert names("metrics.acc > 5") == []
    empty = mlflow.search_runs(experiment_ids=[experiment], filter_string="metrics.acc > 5")
    assert isinstance(empty, pd.DataFrame) and len(empty) == 0


def test_client_search_runs_pages(mlflow_client, experiment, five_runs):
    c = mlflow_client
    page = c.search_runs([experiment], order_by=["metrics.acc ASC"], max_results=2)
    assert [r.info.run_name for r in page] == ["r5", "r1"] and page.token
    page2 = c.search_runs([experiment], order_by=["metrics.acc ASC"], max_results=2, page_token=page.token)
    assert [r.info.run_name for r in page2] == ["r3", "r4"]
    page3 = c.search_runs([experiment], order_by=["metrics.acc ASC"], max_results=2, page_token=page2.token)
    assert [r.info.run_name for r in page3] == ["r2"] and not page3.token
    (r2,) = c.search_runs([experiment], "attributes.run_name = 'r2'")
    assert r2.data.params == {"lr": "0.01"} and r2.data.metrics == {"acc": 0.9} and r2.data.tags["team"] == "b"


def test_delete_and_restore_run(mlflow_client, experiment):
    c = mlflow_client
    keep = c.create_run(experiment).info.run_id
    gone = c.create_run(experiment).info.run_id

    def ids(view):
        return {r.info.run_id for r in c.search_runs([experiment], run_view_type=view)}

    c.delete_run(gone)
    assert c.get_run(gone).info.lifecycle_stage == "deleted"
    assert ids(ViewType.ACTIVE_ONLY) == {keep}
    assert ids(ViewType.DELETED_ONLY) == {gone}
    assert ids(ViewType.ALL) == {keep, gone}
    df = mlflow.search_runs([experiment])
    assert list(df["run_id"]) == [keep]
    c.restore_run(gone)
    assert c.get_run(gone).info.lifecycle_stage == "active"
    assert ids(ViewType.ACTIVE_ONLY) == {keep, gone}


def test_unknown_run_is_resource_does_not_exist(mlflow_client):
    c = mlflow_client
    for unknown in (str(uuid.uuid4()), "0123456789abcdef0123456789abcdef"):
        with pytest.raises(MlflowException) as missing:
            c.get_run(unknown)
        assert error_code(missing) == "RESOURCE_DOES_NOT_EXIST", unknown
        assert missing.value.get_http_status_code() == 404
    with pytest.raises(MlflowException) as missing:
        c.log_param(str(uuid.uuid4()), "lr", 1)
    assert error_code(missing) == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as missing:
        c.set_terminated(str(uuid.uuid4()), "FINISHED")
    assert error_code(missing) == "RESOURCE_DOES_NOT_EXIST"


def test_ui_endpoints_ajax_prefix_and_bulk_interval_history(mlflow_client, experiment, tracking_uri):
    """What the MLflow web UI calls: the same API under /ajax-api/, and the downsampled history of
    several runs at once (metrics/get-history-bulk-interval)."""
    import json
    import urllib.parse
    import urllib.request

    c = mlflow_client
    ids = []
    for r in range(2):
        run_id = c.create_run(experiment).info.run_id
        c.log_batch(run_id, metrics=[Metric("loss", i / 8 + r, 1_700_000_000_000 + i, i) for i in range(50)])
        ids.append(run_id)

    def get(path, **query):
        url = f"{tracking_uri}/ajax-api/2.0/mlflow/{path}?{urllib.parse.urlencode(query, doseq=True)}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    assert get("runs/get", run_id=ids[0])["run"]["info"]["run_id"] == ids[0]
    every = get("metrics/get-history-bulk-interval", run_ids=ids, metric_key="loss", max_results=100)["metrics"]
    assert sorted((m["run_id"], m["step"], m["timestamp"], m["value"], m["key"]) for m in every) == \
        sorted((ids[r], i, 1_700_000_000_000 + i, i / 8 + r, "loss") for r in range(2) for i in range(50))
    window = get("metrics/get-history-bulk-interval", run_ids=ids, metric_key="loss", start_step=10, end_step=19,
                 max_results=100)["metrics"]
    assert sorted((m["run_id"], m["step"]) for m in window) == sorted((ids[r], i) for r in range(2) for i in range(10, 20))
    sampled = get("metrics/get-history-bulk-interval", run_ids=ids, metric_key="loss", max_results=10)["metrics"]
    for run_id in ids:
        steps = [m["step"] for m in sampled if m["run_id"] == run_id]
        assert 2 <= len(steps) <= 20 and 0 in steps and set(steps) <= set(range(50)), steps


# -- Labbook-specific ------------------------------------------------------------------------

@labbook_only
def test_the_tracking_uri_picks_the_labbook_project(mlflow_env, tracking_uri, client, exp_name):
    from mlflow import MlflowClient

    project = f"mlflow-{uuid.uuid4().hex[:6]}"
    c = MlflowClient(tracking_uri=f"{tracking_uri}/projects/{project}")
    exp_id = c.create_experiment(exp_name)
    run_id = c.create_run(exp_id, run_name="in-project").info.run_id
    c.log_metric(run_id, "loss", 0.5, step=3)
    assert client.get_experiment(exp_name, project=project).id == exp_id
    assert client.get_run(run_id).experiment_id == exp_id
    assert client.get_metric_history(run_id, "loss")[0] == [3]
    assert mlflow.MlflowClient(tracking_uri=tracking_uri).get_experiment_by_name(exp_name) is None  # not in "default"


@labbook_only
def test_repeated_run_names_get_unique_labbook_names_and_never_resume(mlflow_client, experiment, client):
    first = mlflow_client.create_run(experiment, run_name="dup").info.run_id
    second = mlflow_client.create_run(experiment, run_name="dup").info.run_id
    assert first != second
    assert [mlflow_client.get_run(r).info.run_name for r in (first, second)] == ["dup", "dup"]
    names = [client.get_run(r).name for r in (first, second)]
    assert names[0] == "dup" and names[1].startswith("dup-") and len(names[1]) == len("dup-") + 6


@labbook_only
def test_a_run_logged_by_mlflow_reads_bit_exact_through_the_labbook_sdk(mlflow_client, experiment, client):
    c = mlflow_client
    run = c.create_run(experiment, run_name="from-mlflow", tags={"team": "vision"})
    run_id = run.info.run_id
    c.log_param(run_id, "lr", 0.001)
    c.log_param(run_id, "optimizer", "adam")
    values = [0.1 + 0.2, 1 / 3, 5e-324, 1.7976931348623157e308, 2.0 ** 53 + 2, -123.456,
              math.inf, -math.inf, math.nan, 0.5]
    t0 = 1_700_000_123_457
    for i, v in enumerate(values):
        c.log_metric(run_id, "loss", v, timestamp=t0 + 11 * i, step=10 * i)
    c.log_batch(run_id, metrics=[Metric("acc", i / 997.0, t0 + i, i) for i in range(500)])
    c.set_terminated(run_id, "FINISHED")

    lb = client.get_run(run_id)
    assert lb.experiment_id and lb.name == "from-mlflow"
    assert lb.status == labbook.client.run_pb2.RUN_STATUS_COMPLETED
    assert lb.tags["team"] == "vision"
    params = {p.key: from_param_value(p.value) for p in lb.params}
    assert params == {"lr": "0.001", "optimizer": "adam"}
    steps, times, got = client.get_metric_history(run_id, "loss")
    assert steps == [10 * i for i in range(len(values))]
    assert times == [t0 + 11 * i for i in range(len(values))]
    assert [bits(v) for v in got] == [bits(v) for v in values]
    steps, times, got = client.get_metric_history(run_id, "acc")
    assert (steps, times) == (list(range(500)), [t0 + i for i in range(500)])
    assert [bits(v) for v in got] == [bits(i / 997.0) for i in range(500)]


@labbook_only
def test_a_labbook_run_reads_through_mlflow_client(mlflow_client, server, client, exp_name):
    with labbook.start_run(exp_name, "from-labbook", project="default", target=server.target,
                           params={"lr": 0.5, "layers": 4, "optimizer": "sgd"}, tags={"team": "nlp"}) as run:
        for step in range(50):
            run.log_metric("loss", 1.0 / (step + 3), step)
            run.log_metric("acc", step / 49.0, step)
    steps, times, values = client.get_metric_history(run.id, "loss")

    got = mlflow_client.get_run(run.id)
    assert got.info.run_id == run.id and got.info.run_name == "from-labbook"
    assert got.info.status == "FINISHED" and got.info.lifecycle_stage == "active"
    assert got.data.params == {"lr": "0.5", "layers": "4", "optimizer": "sgd"}
    assert got.data.tags["team"] == "nlp"
    assert got.data.metrics == {"loss": 1.0 / 52, "acc": 1.0}
    exp = mlflow_client.get_experiment_by_name(exp_name)
    assert exp is not None and exp.experiment_id == got.info.experiment_id
    history = mlflow_client.get_metric_history(run.id, "loss")
    assert [(h.step, h.timestamp, bits(h.value)) for h in sorted(history, key=lambda h: h.step)] == \
        [(s, t, bits(v)) for s, t, v in zip(steps, times, values)]
    found = mlflow_client.search_runs([exp.experiment_id], "metrics.acc > 0.5")
    assert [r.info.run_id for r in found] == [run.id]
