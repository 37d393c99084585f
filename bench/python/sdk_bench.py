"""Python SDK benchmark (run by `bench/run python`): prints name=value lines on stdout.

* py_log_metric_us_p50 — caller-side cost of one `run.log_metric(key, value)` call: the median,
  over windows of 100 calls, of the per-call mean (timing each call alone would mostly measure
  the timer).
* py_points_per_s — end to end: N points logged through `run.log_metric` (10 keys, a training
  loop's shape: every step logs each key), from the first call until `run.flush()` returns, i.e.
  until the server has committed every point.
* mlflow_points_per_s — the same points through MLflow's client (`MlflowClient.log_batch`, 1,000
  metrics per call, MLflow's limit) to an MLflow tracking server (`mlflow server`, its own
  process) whose backend store is a database `mlflow` in the same embedded PostgreSQL as
  Labbook's; only when mlflow and psycopg2 are importable and `--data-dir` is given.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid

import labbook

KEYS = [f"train/metric_{i}" if i else "train/loss" for i in range(10)]


def values(steps: int):
    rnd = random.Random(42)
    for step in range(steps):
        base = 0.1 + 2.0 * math.exp(-step / 200_000)
        for _ in KEYS:
            yield base + 0.05 * abs(rnd.gauss(0, 1))


def log_metric_p50(run: labbook.Run, calls: int) -> float:
    window = 100
    log_metric = run.log_metric
    perf = time.perf_counter_ns
    means = []
    for w in range(calls // window):
        start = perf()
        for i in range(window):
            log_metric("latency/probe", 0.5)
        means.append((perf() - start) / window)
    run.flush()
    return statistics.median(means) / 1000.0


def points_per_s(run: labbook.Run, steps: int) -> float:
    data = list(values(steps))  # made up front: only the SDK is timed
    log_metric = run.log_metric
    keys = KEYS
    start = time.perf_counter()
    i = 0
    for step in range(steps):
        for key in keys:
            log_metric(key, data[i], step)
            i += 1
    if not run.flush(600):
        raise SystemExit("flush did not finish in 600 s")
    return len(data) / (time.perf_counter() - start)


def _postgres_port(data_dir: str) -> int:
    """Line 4 of the embedded PostgreSQL's postmaster.pid is its port."""
    with open(os.path.join(data_dir, "postgres", "postmaster.pid")) as f:
        return int(f.read().splitlines()[3])


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mlflow_points_per_s(steps: int, data_dir: str) -> float:
    import subprocess
    import urllib.request

    import psycopg2
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    pg_port = _postgres_port(data_dir)
    # The embedded cluster admits only the role `labbook` (password in DATA_DIR/postgres-password),
    # which may not create databases: MLflow gets a schema of its own in the same database.
    with open(os.path.join(data_dir, "postgres-password")) as f:
        pg_password = f.read().strip()
    conn = psycopg2.connect(host="127.0.0.1", port=pg_port, user="labbook", password=pg_password,
                            dbname="labbook")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS mlflow CASCADE")
        cur.execute("CREATE SCHEMA mlflow")
    conn.close()
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
             "--backend-store-uri", f"postgresql+psycopg2://labbook:{pg_password}@127.0.0.1:{pg_port}/labbook"
             "?options=-csearch_path%3Dmlflow",
             "--default-artifact-root", f"file://{tmp}/artifacts", "--workers", "2"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "mlflow.err"), "wb"))
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(f"{url}/health", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        with open(os.path.join(tmp, "mlflow.err"), errors="replace") as err:
                            sys.stderr.write("".join(err.readlines()[-20:]))
                        raise SystemExit("mlflow server did not start")
                    time.sleep(0.5)
            client = MlflowClient(tracking_uri=url)
            run = client.create_run(client.create_experiment("bench"))
            data = list(values(steps))
            now = int(time.time() * 1000)
            start = time.perf_counter()
            batch = []
            i = 0
            for step in range(steps):
                for key in KEYS:
                    batch.append(Metric(key, data[i], now, step))
                    i += 1
                    if len(batch) == 1000:
                        client.log_batch(run.info.run_id, metrics=batch)
                        batch = []
            if batch:
                client.log_batch(run.info.run_id, metrics=batch)
            return len(data) / (time.perf_counter() - start)
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--data-dir", help="the server's data dir (for the MLflow comparison)")
    parser.add_argument("--steps", type=int, default=200_000, help="steps of the 10-key run")
    parser.add_argument("--latency-calls", type=int, default=1_000_000)
    parser.add_argument("--warmup-steps", type=int, default=50_000,
                        help="steps logged (untimed) first, so the server's JIT is warm")
    parser.add_argument("--mlflow-steps", type=int, default=2_000)
    args = parser.parse_args()

    client = labbook.Client(args.target)
    with labbook.start_run(experiment="py-bench", name=f"warmup-{uuid.uuid4().hex[:8]}", client=client) as run:
        points_per_s(run, args.warmup_steps)
    with labbook.start_run(experiment="py-bench", name=f"latency-{uuid.uuid4().hex[:8]}", client=client) as run:
        log_metric_p50(run, args.latency_calls // 10)  # warm-up
        p50 = log_metric_p50(run, args.latency_calls)
    print(f"py_log_metric_us_p50={p50:.3f}", flush=True)

    with labbook.start_run(experiment="py-bench", name=f"throughput-{uuid.uuid4().hex[:8]}", client=client) as run:
        rate = points_per_s(run, args.steps)
        stored = sum(m.count for m in client.list_metrics(run.id))
        if stored != args.steps * len(KEYS):
            raise SystemExit(f"stored {stored} points, logged {args.steps * len(KEYS)}")
    print(f"py_points_per_s={rate:.0f}", flush=True)
    print(f"py_points_total={args.steps * len(KEYS)}", flush=True)

    try:
        import mlflow  # noqa: F401
        import psycopg2  # noqa: F401
    except ImportError:
        print("bench/python: mlflow or psycopg2 not installed; mlflow_points_per_s skipped", file=sys.stderr)
    else:
        if args.data_dir:
            print(f"mlflow_points_per_s={mlflow_points_per_s(args.mlflow_steps, args.data_dir):.0f}", flush=True)


if __name__ == "__main__":
    main()
