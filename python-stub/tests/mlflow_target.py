"""Where the MLflow tests (test_mlflow_*.py) send the real MLflow client (mlflow-skinny), and the
fixtures they share.

By default: the Labbook server of the session (conftest.py's `server`, started with an HTTP port):
MLFLOW_TRACKING_URI=http://127.0.0.1:<its HTTP port>.

LABBOOK_MLFLOW_TEST_URI=http://127.0.0.1:5000 points the same tests at another server instead, a
real `mlflow server` to prove that the MLflow-generic expectations are MLflow's own behaviour
(not used in CI):

    mlflow server --backend-store-uri sqlite:////tmp/m/db.sqlite --artifacts-destination /tmp/m/art \
        --port 5000 --workers 1
    LABBOOK_MLFLOW_TEST_URI=http://127.0.0.1:5000 .venv/bin/pytest python-stub/tests/test_mlflow_*.py

Tests marked `labbook_only` (Labbook SDK cross-checks, access control with Labbook tokens,
Labbook's names) skip in that mode.
"""
from __future__ import annotations

import os
import uuid

import pytest

EXTERNAL_URI = os.environ.get("LABBOOK_MLFLOW_TEST_URI", "").rstrip("/")

# MLflow 3 reports usage to a remote endpoint unless told not to; the test files import this
# module before mlflow.
NO_TELEMETRY = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
os.environ.update(NO_TELEMETRY)

labbook_only = pytest.mark.skipif(bool(EXTERNAL_URI),
                                  reason="Labbook-specific (LABBOOK_MLFLOW_TEST_URI points at another server)")


@pytest.fixture(scope="session")
def tracking_uri(request):
    if EXTERNAL_URI:
        return EXTERNAL_URI
    server = request.getfixturevalue("server")
    assert server.http_port, "the session server needs its HTTP port (conftest.py gives it a free one)"
    return f"http://127.0.0.1:{server.http_port}"


@pytest.fixture
def mlflow_env(tracking_uri, monkeypatch):
    """The real MLflow client on `tracking_uri`, with none of the caller's MLFLOW_* settings, no
    active experiment (so runs go to the default experiment until set_experiment), no active run
    and no autologging left over from another test."""
    import mlflow
    import mlflow.tracking.fluent as fluent

    for var in list(os.environ):
        if var.startswith("MLFLOW_"):
            monkeypatch.delenv(var)
    for var, value in NO_TELEMETRY.items():
        monkeypatch.setenv(var, value)
    # no "View run ... at <url>" line on stdout per run
    monkeypatch.setenv("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)
    # A broken server should fail a test in seconds, not after MLflow's 7 retries with backoff.
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
    mlflow.set_tracking_uri(tracking_uri)
    fluent._active_experiment_id = None
    yield mlflow
    while mlflow.active_run() is not None:
        mlflow.end_run()
    fluent._active_experiment_id = None


@pytest.fixture
def mlflow_client(mlflow_env, tracking_uri):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri)


@pytest.fixture
def experiment(mlflow_env, request):
    """A fresh experiment (unique name), active for the fluent API; returns its id."""
    name = f"{request.node.name[:60]}-{uuid.uuid4().hex[:8]}"
    return mlflow_env.set_experiment(name).experiment_id
