"""Submitting to a server target (issue 18), end to end without a cluster: the real server
process (its SubmitService and KubernetesCompute, the Job it builds) talks through fabric8 to a
fake Kubernetes API in this process (fake_kubernetes.py, named by KUBECONFIG); the test plays
the kubelet, running the Job's container command as the pod would (`python` being this
interpreter, an empty working directory for /workspace, the Job's environment)."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import tarfile
import textwrap
import time

import pytest

import labbook
from labbook import _artifacts, _submit
from labbook.v1 import common_pb2, run_pb2, submit_pb2
from fake_kubernetes import FakeKubernetes
from server_process import ServerProcess

NAMESPACE = "training"
IMAGE = "ghcr.io/acme/labbook-runner:0.1.0"
TINY_LIMIT = 4096

TRAIN = textwrap.dedent("""
    import argparse, os, sys, time
    import labbook

    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--gate", default="")
    args = parser.parse_args()
    run = labbook.get_context()
    run.log_params({"epochs": args.epochs, "lr": args.lr})
    print(f"started epochs={args.epochs} lr={args.lr} seed={os.environ.get('SEED', '')} "
          f"data={open('data/input.txt').read()}", flush=True)
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
""")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The fake API, and a server whose targets `cpu`, `gpu` and `tiny` (a 4 KiB snapshot limit)
    are Jobs in namespace training of it; started once the server's informers watch."""
    folder = tmp_path_factory.mktemp("k8s")
    api = FakeKubernetes().start()
    kubeconfig = api.write_kubeconfig(folder / "kubeconfig", NAMESPACE)
    server = ServerProcess(folder / "data", extra_env={"KUBECONFIG": str(kubeconfig)})
    common = {"kind": "kubernetes", "namespace": NAMESPACE, "image": IMAGE, "trackingUri": server.target,
              "tokenAudience": ""}
    targets = folder / "targets.yaml"  # JSON is YAML
    targets.write_text(json.dumps({"targets": [
        dict(common, name="cpu"),
        dict(common, name="gpu", gpuResource="nvidia.com/gpu"),
        dict(common, name="tiny", maxSnapshotBytes=TINY_LIMIT),
    ]}))
    server.extra_args += ["--compute-targets-file", str(targets)]
    try:
        server.start()
        # Jobs and pods of the one namespace: two watches (a SubmitRun needs none, the endings do)
        api.wait_for(lambda: api.watching() >= 2, timeout=30, what="the server's watches")
        yield api, server
    finally:
        server.stop()
        api.stop()
        # beside the server's log: what the server asked the API, for a failure's reading
        (folder / "kubernetes-requests.txt").write_text("\n".join(map(repr, api.requests)) + "\n")
    assert api.unknown == [], f"requests the fake does not know: {api.unknown}"


@pytest.fixture(scope="module")
def api(cluster):
    return cluster[0]


@pytest.fixture(scope="module")
def k8s_server(cluster):
    return cluster[1]


@pytest.fixture(scope="module")
def client(k8s_server):
    with labbook.Client(k8s_server.target) as c:
        yield c


@pytest.fixture
def source(tmp_path):
    src = tmp_path / "src"
    (src / "data").mkdir(parents=True)
    (src / "train.py").write_text(TRAIN)
    (src / "data" / "input.txt").write_text("hello")
    (src / ".gitignore").write_text("*.ckpt\n")
    (src / "old.ckpt").write_bytes(b"x" * 100)
    (src / ".git").mkdir()
    (src / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return src


def container(job):
    (only,) = job["spec"]["template"]["spec"]["containers"]
    return only


def run_pod(job, tmp_path, **popen):
    """Runs the Job's container as a kubelet would: its command (`python` this interpreter) in an
    empty directory standing for /workspace, with the Job's environment and no more than what a
    process needs (PATH, with this interpreter's bin first: the image's `python`; HOME; the
    PYTHONPATH of a checkout whose SDK is not installed in the venv)."""
    spec = container(job)
    assert spec["workingDir"] == "/workspace"
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    env = {e["name"]: e["value"] for e in spec["env"]}
    env.update(PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
               HOME=str(tmp_path / "home"))
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    command = list(spec["command"])
    assert command[0] == "python"
    return subprocess.Popen([sys.executable, *command[1:]], cwd=workspace, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


def pod_of(job, phase, name_suffix="abcde"):
    """The pod the Job controller would make, in `phase` as its kubelet reports it."""
    labels = job["spec"]["template"]["metadata"]["labels"]
    name = f"{job['metadata']['name']}-{name_suffix}"
    return {"metadata": {"name": name, "labels": labels,
                         "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "controller": True,
                                              "name": job["metadata"]["name"], "uid": job["metadata"]["uid"]}]},
            "spec": job["spec"]["template"]["spec"], "status": {"phase": phase}}


def wait_for(predicate, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def status(client, run_id):
    return run_pb2.RunStatus.Name(client.get_run(run_id).status).replace("RUN_STATUS_", "")


def test_submit_creates_the_job_and_the_pod_runs_the_script(api, k8s_server, client, exp_name, source, tmp_path,
                                                            capsys):
    config = labbook.ScriptRunConfig(
        source_directory=str(source), compute_target="cpu", script="train.py", arguments=["--epochs", 2, "--lr", 0.5],
        environment=labbook.Environment(variables={"SEED": 7}, pip_requirements=[]),
        resources=labbook.Resources(cpu="1", memory="1Gi"))
    run = labbook.Experiment(client, exp_name).submit(config, name="on-cpu")
    assert run.status == "QUEUED"

    # the Job, as the server built it and the API received it
    (post,) = [r for r in api.calls("POST", f"/namespaces/{NAMESPACE}/jobs") if r.body["metadata"]["name"]
               == f"labbook-{run.id}"]
    job = api.job(NAMESPACE, f"labbook-{run.id}")
    assert job is not None and post.body["spec"] == job["spec"]
    assert job["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "labbook", "labbook.dev/run-id": run.id}
    assert job["spec"]["backoffLimit"] == 0 and job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["ttlSecondsAfterFinished"] == 86400 and "activeDeadlineSeconds" not in job["spec"]
    pod_spec = job["spec"]["template"]["spec"]
    assert pod_spec["automountServiceAccountToken"] is False  # tokenAudience "": no token at all
    assert [v["name"] for v in pod_spec["volumes"]] == ["workspace"]
    spec = container(job)
    assert spec["image"] == IMAGE
    assert spec["command"] == ["python", "-m", "labbook.runner", "--snapshot", "snapshot/source.tar.gz", "--",
                               "python", "train.py", "--epochs", "2", "--lr", "0.5"]
    assert [(e["name"], e["value"]) for e in spec["env"]] == [
        ("SEED", "7"), ("LABBOOK_TRACKING_URI", k8s_server.target), ("LABBOOK_PROJECT", "default"),
        ("LABBOOK_EXPERIMENT", exp_name), ("LABBOOK_RUN_ID", run.id), ("LABBOOK_RUN_NAME", "on-cpu"),
        ("PYTHONUNBUFFERED", "1")]
    assert spec["resources"] == {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}
    stored = client.get_run(run.id)
    assert stored.status == run_pb2.RUN_STATUS_QUEUED
    assert {k: v for k, v in stored.tags.items() if k.startswith("labbook.")} == {
        "labbook.compute_target": "cpu", "labbook.k8s.namespace": NAMESPACE, "labbook.k8s.job": f"labbook-{run.id}"}
    assert (stored.source.script, list(stored.source.args)) == ("train.py", ["--epochs", "2", "--lr", "0.5"])
    (snapshot,) = client.list_artifacts(run.id)
    assert snapshot.path == "snapshot/source.tar.gz" and snapshot.direction == common_pb2.DIRECTION_INPUT
    archive = tmp_path / "got.tar.gz"
    _artifacts.download(client, run.id, snapshot.path, str(archive))
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == snapshot.sha256
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == [".gitignore", "data/input.txt", "train.py"]  # no .git/, no *.ckpt
    submission = client.get_submission(run.id)
    assert (submission.namespace, submission.job_name) == (NAMESPACE, f"labbook-{run.id}")

    # the kubelet: the pod runs (the watch names it on the run), its container runs the runner
    pod = api.put_pod(NAMESPACE, pod_of(job, "Running"))
    wait_for(lambda: client.get_run(run.id).tags.get("labbook.k8s.pod") == pod["metadata"]["name"],
             what="the pod's tag")
    proc = run_pod(job, tmp_path)
    try:
        details = run.wait_for_completion(show_output=True, timeout=60)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert details["status"] == "COMPLETED" and details["target"] == "cpu"
    printed = capsys.readouterr().out.splitlines()
    assert "started epochs=2 lr=0.5 seed=7 data=hello" in printed, printed
    assert printed.index("epoch 0") < printed.index("epoch 1") and "trained" in printed
    assert "epoch 1" in out  # the pod's console too
    params = {p.key: p.value for p in client.get_run(run.id).params}
    assert params["epochs"].int_value == 2 and params["lr"].double_value == 0.5
    assert client.get_metric_history(run.id, "loss")[2] == [1.0, 0.5]
    assert [a.path for a in client.list_artifacts(run.id, path_prefix="outputs/")] == ["outputs/model.txt"]

    # the pod and Job succeed, and the TTL removes the Job: the run stays COMPLETED
    api.put_pod(NAMESPACE, dict(pod, status={"phase": "Succeeded"}))
    api.set_job_status(NAMESPACE, job["metadata"]["name"], {"succeeded": 1, "conditions": [
        {"type": "Complete", "status": "True"}]})
    wait_for(lambda: client.get_submission(run.id).state
             == "succeeded", what="the submission SUCCEEDED")
    assert status(client, run.id) == "COMPLETED"


def test_a_server_target_job_asks_for_image_requirements_and_gpus(api, client, exp_name, source):
    config = labbook.ScriptRunConfig(
        str(source), "train.py", arguments=["--epochs", 1, "--lr", 1], compute_target="gpu",
        environment=labbook.Environment(image="python:3.12", pip_requirements=["numpy==2.1"]),
        resources=labbook.Resources(gpu=1))
    run = labbook.submit(config, exp_name, client=client)
    spec = container(api.job(NAMESPACE, f"labbook-{run.id}"))
    assert spec["image"] == "python:3.12"
    assert spec["command"] == ["python", "-m", "labbook.runner", "--snapshot", "snapshot/source.tar.gz",
                               "--requirement", "numpy==2.1", "--", "python", "train.py", "--epochs", "1", "--lr", "1"]
    assert spec["resources"]["limits"] == {"nvidia.com/gpu": "1"} and not spec["resources"].get("requests")
    run.cancel()


def test_cancel_of_a_running_submission_stops_the_pod_and_deletes_the_job(api, client, exp_name, source, tmp_path):
    config = labbook.ScriptRunConfig(str(source), "train.py", compute_target="cpu",
                                     arguments=["--epochs", 1, "--lr", 1, "--gate", tmp_path / "never"])
    run = labbook.submit(config, exp_name, client=client)
    job = api.job(NAMESPACE, f"labbook-{run.id}")
    proc = run_pod(job, tmp_path)
    try:
        assert proc.stdout.readline().startswith("started epochs=1")
        assert status(client, run.id) == "RUNNING"
        run.cancel()
        assert run.status == "CANCELED"
        # the server deletes the Job; the runner, watching the run, stops the script
        api.wait_for(lambda: api.calls("DELETE", f"/namespaces/{NAMESPACE}/jobs/labbook-{run.id}"),
                     what="the Job's DELETE")
        _out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert api.job(NAMESPACE, f"labbook-{run.id}") is None
    (delete,) = api.calls("DELETE", f"/jobs/labbook-{run.id}")
    assert delete.body["propagationPolicy"] == "Background"
    assert run.wait_for_completion(show_output=False)["status"] == "CANCELED"
    history = client.call("runs", "GetRun", run_pb2.GetRunRequest(run_id=run.id)).status_history
    assert history[-1].to_status == run_pb2.RUN_STATUS_CANCELED
    assert all(c.reason != "job_deleted" for c in history)  # canceled by the user, not by the Job's end


def test_a_deleted_job_cancels_its_queued_run(api, client, exp_name, source):
    run = labbook.submit(labbook.ScriptRunConfig(str(source), "train.py", compute_target="cpu",
                                                 arguments=["--epochs", 1, "--lr", 1]), exp_name, client=client)
    api.delete_job(NAMESPACE, f"labbook-{run.id}")  # someone ran `kubectl delete job`
    wait_for(lambda: status(client, run.id) == "CANCELED", what="CANCELED")
    last = client.call("runs", "GetRun", run_pb2.GetRunRequest(run_id=run.id)).status_history[-1]
    assert last.reason == "job_deleted" and f"labbook-{run.id}" in last.message


def test_list_compute_targets_through_the_sdk(client):
    targets = {t.name: t for t in client.list_compute_targets()}
    assert sorted(targets) == ["cpu", "gpu", "tiny"]
    cpu = targets["cpu"]
    assert (cpu.kind, cpu.namespace, cpu.default_image) == (submit_pb2.COMPUTE_TARGET_KIND_KUBERNETES, NAMESPACE, IMAGE)
    assert targets["tiny"].max_snapshot_bytes == TINY_LIMIT and targets["gpu"].gpu_resource == "nvidia.com/gpu"


def test_a_target_unknown_to_the_server_is_refused_and_the_run_canceled(api, client, exp_name, source, monkeypatch):
    # The SDK's list is stale (the server restarted with fewer targets between the two calls):
    # the server's own COMPUTE_TARGET_UNKNOWN reaches the caller, and the QUEUED run is canceled.
    real = _submit.list_compute_targets
    monkeypatch.setattr(_submit, "list_compute_targets", lambda c: real(c) + [submit_pb2.ComputeTarget(
        name="gone", kind=submit_pb2.COMPUTE_TARGET_KIND_KUBERNETES, namespace=NAMESPACE,
        max_snapshot_bytes=1 << 20)])
    posts = len(api.calls("POST"))
    with pytest.raises(labbook.FailedPreconditionError) as raised:
        labbook.submit(labbook.ScriptRunConfig(str(source), "train.py", compute_target="gone"), exp_name,
                       client=client)
    assert raised.value.reason == "COMPUTE_TARGET_UNKNOWN"
    assert "no compute target 'gone'" in raised.value.message and "cpu, gpu, tiny" in raised.value.message
    (run,) = client.search_runs(experiment_ids=[client.get_experiment(exp_name, "default").id])
    assert run.status == run_pb2.RUN_STATUS_CANCELED  # no QUEUED run left behind
    assert len(api.calls("POST")) == posts


def test_an_unknown_target_is_refused_before_any_run(client, exp_name, source):
    with pytest.raises(labbook.FailedPreconditionError) as raised:
        labbook.submit(labbook.ScriptRunConfig(str(source), "train.py", compute_target="tpu"), exp_name,
                       client=client)
    assert "known: local, cpu, gpu, tiny" in raised.value.message
    with pytest.raises(labbook.ExperimentNotFoundError):
        client.get_experiment(exp_name, "default")


def test_an_oversized_snapshot_is_refused_before_upload(api, client, exp_name, source):
    (source / "weights.bin").write_bytes(os.urandom(64 * 1024))
    posts = len(api.calls("POST"))
    with pytest.raises(labbook.ResourceExhaustedError, match=f"{TINY_LIMIT} bytes"):
        labbook.submit(labbook.ScriptRunConfig(str(source), "train.py", compute_target="tiny"), exp_name,
                       client=client)
    with pytest.raises(labbook.ExperimentNotFoundError):
        client.get_experiment(exp_name, "default")  # no run, no upload
    assert len(api.calls("POST")) == posts


def test_the_server_refuses_an_oversized_snapshot_too(api, client, exp_name, source, monkeypatch):
    # An SDK that did not check (here: told a larger limit) uploads; SubmitRun refuses, the run is canceled.
    (source / "weights.bin").write_bytes(os.urandom(64 * 1024))
    real = _submit.list_compute_targets

    def lenient(c):
        targets = real(c)
        for target in targets:
            target.max_snapshot_bytes = 1 << 30
        return targets
    monkeypatch.setattr(_submit, "list_compute_targets", lenient)
    posts = len(api.calls("POST"))
    with pytest.raises(labbook.ResourceExhaustedError, match=f"accepts at most {TINY_LIMIT}"):
        labbook.submit(labbook.ScriptRunConfig(str(source), "train.py", compute_target="tiny"), exp_name,
                       client=client)
    (run,) = client.search_runs(experiment_ids=[client.get_experiment(exp_name, "default").id])
    assert run.status == run_pb2.RUN_STATUS_CANCELED
    assert len(api.calls("POST")) == posts


def test_a_kubernetes_api_failing_for_a_moment_is_retried(api, client, exp_name, source):
    # A 503 is UNAVAILABLE (COMPUTE_UNAVAILABLE) and the submission is forgotten; a retry (the
    # server's Kubernetes client's, else the SDK's of SubmitRun) then creates the Job: one Job, the
    # run QUEUED and tagged.
    api.refuse_creates(1, 503, "ServiceUnavailable", "etcd is restarting")
    run = labbook.submit(labbook.ScriptRunConfig(str(source), "train.py", compute_target="cpu",
                                                 arguments=["--epochs", 1, "--lr", 1]), exp_name, client=client)
    assert len(api.calls("POST", f"/namespaces/{NAMESPACE}/jobs")) >= 2
    assert api.job(NAMESPACE, f"labbook-{run.id}") is not None
    stored = client.get_run(run.id)
    assert stored.status == run_pb2.RUN_STATUS_QUEUED and stored.tags["labbook.k8s.job"] == f"labbook-{run.id}"
    run.cancel()


def test_a_kubernetes_api_that_refuses_for_good_fails_at_once_and_cancels_the_run(api, client, exp_name, source):
    api.refuse_creates(None, 403, "Forbidden", 'jobs.batch is forbidden: User "labbook" cannot create')
    started = time.monotonic()
    try:
        with pytest.raises(labbook.FailedPreconditionError) as raised:
            labbook.submit(labbook.ScriptRunConfig(str(source), "train.py", compute_target="cpu"), exp_name,
                           client=client)
        (run,) = client.search_runs(experiment_ids=[client.get_experiment(exp_name, "default").id])
    finally:
        api.refuse_creates(0)
    assert time.monotonic() - started < 5  # not retried through the SDK's 30 s window
    assert raised.value.reason == "COMPUTE_REFUSED"
    assert "in namespace training failed; the Kubernetes API answered 403" in raised.value.message
    assert "retrying will not help" in raised.value.message
    assert run.status == run_pb2.RUN_STATUS_CANCELED  # no QUEUED run left behind
    assert "labbook.k8s.job" not in run.tags  # the failed submission was forgotten
    assert api.job(NAMESPACE, f"labbook-{run.id}") is None


def test_a_pod_that_cannot_pull_its_image_fails_the_run_and_the_error_says_why(api, client, exp_name, source):
    config = labbook.ScriptRunConfig(str(source), "train.py", compute_target="cpu", arguments=["--epochs", 1, "--lr", 1],
                                     environment=labbook.Environment(image="ghcr.io/acme/no-such-image:1"))
    run = labbook.submit(config, exp_name, client=client)
    job = api.job(NAMESPACE, f"labbook-{run.id}")
    pod = pod_of(job, "Pending")
    pod["status"]["containerStatuses"] = [{"name": "script", "image": "ghcr.io/acme/no-such-image:1", "imageID": "",
                                           "ready": False, "restartCount": 0, "state": {"waiting": {
                                               "reason": "ImagePullBackOff",
                                               "message": 'Back-off pulling image "ghcr.io/acme/no-such-image:1"'}}}]
    api.put_pod(NAMESPACE, pod)
    with pytest.raises(labbook.RunFailedError) as raised:
        run.wait_for_completion(show_output=False, timeout=30)
    assert raised.value.status == "FAILED"
    assert ('(job_failed: ImagePullBackOff: Back-off pulling image "ghcr.io/acme/no-such-image:1")'
            in raised.value.message), raised.value.message
    # Kubernetes would retry the pull forever: the server deletes the Job
    api.wait_for(lambda: api.job(NAMESPACE, f"labbook-{run.id}") is None, what="the Job's deletion")
    assert client.get_run(run.id).tags["labbook.k8s.pod"] == pod["metadata"]["name"]
