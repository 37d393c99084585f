"""MLflow client benchmark (run by `bench/run mlflow`): the same MLflow client code (MlflowClient
of the client venv's mlflow / mlflow-skinny) against Labbook's MLflow API and against a real
`mlflow server` whose backend store is a schema `mlflow` in the same embedded PostgreSQL, side by
side in one run. Prints name=value lines on stdout:

* mlflow_client_points_per_s_labbook / _mlflow — one run, 10 keys, every step logs each key,
  sent with `MlflowClient.log_batch` in batches of 1,000 metrics (MLflow's limit per call): points
  ÷ time from the first call until the last returns (each call returns once the server committed
  it). The stored count is checked. Before it, each server gets the same warm-up: --warmup-s
  seconds of runs of the same shape (1,000 steps each), reported as ..._warmup: a JVM server
  compiles its per-request code over the first thousands of requests (a fresh Labbook server does
  ~27,000 points/s in its first 15 s and ~40,000 after 40 s here), MLflow's server has nothing
  to warm, and a server that users log to has been up for more than a minute.
* mlflow_search_ms_labbook / _mlflow — `MlflowClient.search_runs` over an experiment of 1,000
  runs (each with 3 params, 3 metrics, 2 tags, FINISHED), filter
  `metrics.acc > 0.5 and params.optimizer = 'adam'`, order by `metrics.acc DESC`, max_results
  1,000: the median of --search-repeats searches after one untimed search. The matches are
  checked to be the same runs in the same order on both servers.
* mlflow_search_runs_matched — how many runs that search returns (the same on both).
* mlflow_client_points_per_s_ceiling — the same ingest (after a short warm-up) against a stub
  server in its own process that answers every call at once: the most any server can show
  through this one client thread on this machine (the MLflow client's own encoding per call).
* ..._x lines: Labbook ÷ MLflow (ingest) and MLflow ÷ Labbook (search), i.e. how many times faster;
  mlflow_client_points_per_s_ceiling_x: ceiling ÷ MLflow, the best ingest ratio any server could reach here.

The MLflow server is started with BENCH_MLFLOW_PYTHON (an interpreter with the full `mlflow`
package and psycopg2; mlflow-skinny has no server); without it the MLflow half is skipped.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

# No usage reports to MLflow's remote endpoint (read when mlflow is imported; the server inherits it).
os.environ.update({"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"})

from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Metric, Param, RunTag  # noqa: E402

KEYS = [f"train/metric_{i}" if i else "train/loss" for i in range(10)]
BATCH = 1000  # MLflow's limit of metrics per log_batch
WARMUP_STEPS = 1000  # 10 calls a warm-up run
SEARCH_FILTER = "metrics.acc > 0.5 and params.optimizer = 'adam'"
SEARCH_ORDER = ["metrics.acc DESC"]


def log(msg: str) -> None:
    print(f"bench/mlflow: {msg}", file=sys.stderr, flush=True)


def values(steps: int):
    rnd = random.Random(42)
    for step in range(steps):
        base = 0.1 + 2.0 * math.exp(-step / 200_000)
        for _ in KEYS:
            yield base + 0.05 * abs(rnd.gauss(0, 1))


def ingest(client: MlflowClient, experiment_id: str, steps: int, check: bool = True) -> float:
    """Points per second of one run's log_batch calls; checks what was stored (unless `check` is off)."""
    data = list(values(steps))
    now = int(time.time() * 1000)
    batches, batch, i = [], [], 0
    for step in range(steps):
        for key in KEYS:
            batch.append(Metric(key, data[i], now + step, step))
            i += 1
            if len(batch) == BATCH:
                batches.append(batch)
                batch = []
    if batch:
        batches.append(batch)
    run_id = client.create_run(experiment_id, run_name=f"ingest-{uuid.uuid4().hex[:8]}").info.run_id
    start = time.perf_counter()
    for b in batches:
        client.log_batch(run_id, metrics=b)
    elapsed = time.perf_counter() - start
    if not check:
        return len(data) / elapsed
    client.set_terminated(run_id)
    history = client.get_metric_history(run_id, KEYS[-1])
    if len(history) != steps:
        raise SystemExit(f"stored {len(history)} points of {KEYS[-1]}, logged {steps}")
    return len(data) / elapsed


def warm_up(client: MlflowClient, experiment_id: str, seconds: float) -> float:
    """Runs of WARMUP_STEPS steps, at least one, until `seconds` have passed: points per second overall."""
    start = time.perf_counter()
    points = 0
    while True:
        ingest(client, experiment_id, WARMUP_STEPS)
        points += WARMUP_STEPS * len(KEYS)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return points / elapsed


def seed_runs(client: MlflowClient, experiment_id: str, runs: int, threads: int) -> None:
    rnd = random.Random(7)
    specs = [(i, rnd.random(), rnd.random(), ["adam", "sgd", "adamw"][i % 3]) for i in range(runs)]
    now = int(time.time() * 1000)

    def one(spec):
        i, acc, loss, optimizer = spec
        run_id = client.create_run(experiment_id, run_name=f"run-{i:04d}",
                                   tags={"team": f"t{i % 5}"}).info.run_id
        client.log_batch(run_id,
                         metrics=[Metric("acc", acc, now, 0), Metric("loss", loss, now, 0),
                                  Metric("epoch", float(i % 10), now, 0)],
                         params=[Param("optimizer", optimizer), Param("lr", str(10 ** -(1 + i % 4))),
                                 Param("batch_size", str(32 << (i % 3)))],
                         tags=[RunTag("seed", str(i))])
        client.set_terminated(run_id, "FINISHED")

    with ThreadPoolExecutor(threads) as pool:
        for _ in pool.map(one, specs):
            pass


def search_ms(client: MlflowClient, experiment_id: str, repeats: int):
    def once():
        return client.search_runs([experiment_id], SEARCH_FILTER, order_by=SEARCH_ORDER, max_results=1000)

    first = once()  # untimed: caches, JIT
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        found = once()
        times.append((time.perf_counter() - start) * 1000)
        if len(found) != len(first):
            raise SystemExit(f"search returned {len(found)} runs, then {len(first)}")
    log("search times ms: " + " ".join(f"{t:.0f}" for t in times))
    return statistics.median(times), [(r.info.run_name, r.data.metrics["acc"]) for r in first]


def measure(label: str, uri: str, args) -> dict:
    client = MlflowClient(tracking_uri=uri)
    out = {}
    exp = client.create_experiment(f"mlflow-bench-{uuid.uuid4().hex[:8]}")
    log(f"{label}: warm-up ({args.warmup_s:g} s of runs of {WARMUP_STEPS} steps x {len(KEYS)} keys)")
    out["warmup_points_per_s"] = warm_up(client, exp, args.warmup_s)
    print(f"mlflow_client_points_per_s_{label}_warmup={out['warmup_points_per_s']:.0f}", flush=True)
    steps = args.steps if label == "labbook" else args.mlflow_steps
    log(f"{label}: ingest ({steps} steps x {len(KEYS)} keys, log_batch of {BATCH})")
    out["points_per_s"] = ingest(client, exp, steps)
    print(f"mlflow_client_points_per_s_{label}={out['points_per_s']:.0f}", flush=True)
    search_exp = client.create_experiment(f"mlflow-bench-search-{uuid.uuid4().hex[:8]}")
    log(f"{label}: seeding {args.runs} runs ({args.seed_threads} threads)")
    start = time.perf_counter()
    seed_runs(client, search_exp, args.runs, args.seed_threads)
    log(f"{label}: seeded in {time.perf_counter() - start:.1f} s; searching")
    out["search_ms"], out["matches"] = search_ms(client, search_exp, args.search_repeats)
    print(f"mlflow_search_ms_{label}={out['search_ms']:.1f}", flush=True)
    return out


# -- the client's own ceiling: a server that answers at once ---------------------------------

# A separate process (a thread here would share the client's interpreter lock): answers every
# call at once with what the client parses (an experiment id, a run), `{}` otherwise, in one
# write per response (headers and body in two writes meet delayed ACKs: 40 ms a call).
STUB_SERVER = r"""
import http.server, sys
RUN = (b'{"run": {"info": {"run_id": "stub", "run_uuid": "stub", "experiment_id": "1", "run_name": "stub",'
       b' "status": "RUNNING", "start_time": 0, "lifecycle_stage": "active", "artifact_uri": ""}, "data": {}}}')
class Stub(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def answer(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = (b'{"experiment_id": "1"}' if self.path.endswith("experiments/create")
                else RUN if self.path.endswith("runs/create") else b"{}")
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                         % (len(body), body))
    do_POST = do_GET = answer
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def ceiling(args) -> float:
    """Points per second of the same ingest against a server that does nothing: the most any
    server can show through this client on this machine."""
    proc = subprocess.Popen([sys.executable, "-c", STUB_SERVER], stdout=subprocess.PIPE, text=True)
    try:
        uri = f"http://127.0.0.1:{int(proc.stdout.readline())}"
        client = MlflowClient(tracking_uri=uri)
        exp = client.create_experiment("ceiling")
        ingest(client, exp, WARMUP_STEPS, check=False)
        return ingest(client, exp, args.steps, check=False)
    finally:
        stop(proc)


# -- the real mlflow server on the embedded PostgreSQL ---------------------------------------

def _postgres(data_dir: str):
    """(port, password) of the Labbook server's embedded PostgreSQL: line 4 of postmaster.pid is
    its port; the password of its only role `labbook` is in DATA_DIR/postgres-password."""
    with open(os.path.join(data_dir, "postgres", "postmaster.pid")) as f:
        port = int(f.read().splitlines()[3])
    with open(os.path.join(data_dir, "postgres-password")) as f:
        return port, f.read().strip()


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc=None, timeout_s: float = 180, err_path: str = "") -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.monotonic() > deadline or (proc is not None and proc.poll() is not None):
                if err_path:
                    with open(err_path, errors="replace") as err:
                        sys.stderr.write("".join(err.readlines()[-20:]))
                raise SystemExit(f"{url} did not answer")
            time.sleep(0.5)


def start_mlflow_server(python: str, data_dir: str, workdir: str, workers: int):
    pg_port, pg_password = _postgres(data_dir)
    # The embedded cluster admits only the role `labbook`, which may not create databases: MLflow
    # gets a schema of its own in the same database (created with its own server's psql-free
    # client: psycopg2 in BENCH_MLFLOW_PYTHON).
    subprocess.run([python, "-c", (
        "import psycopg2, sys\n"
        "c = psycopg2.connect(host='127.0.0.1', port=int(sys.argv[1]), user='labbook', password=sys.argv[2],"
        " dbname='labbook')\n"
        "c.autocommit = True\n"
        "cur = c.cursor(); cur.execute('DROP SCHEMA IF EXISTS mlflow CASCADE'); cur.execute('CREATE SCHEMA mlflow')\n"
    ), str(pg_port), pg_password], check=True)
    port = _free_port()
    err_path = os.path.join(workdir, "mlflow-server.err")
    proc = subprocess.Popen(
        [python, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"postgresql+psycopg2://labbook:{pg_password}@127.0.0.1:{pg_port}/labbook"
         "?options=-csearch_path%3Dmlflow",
         "--artifacts-destination", f"file://{workdir}/mlflow-artifacts", "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=open(err_path, "wb"))
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/health", proc, err_path=err_path)
    return proc, url


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--labbook-uri", required=True, help="http://host:<Labbook HTTP port>")
    parser.add_argument("--data-dir", help="the Labbook server's data dir (its embedded PostgreSQL)")
    parser.add_argument("--mlflow-python", default=os.environ.get("BENCH_MLFLOW_PYTHON", ""),
                        help="interpreter with mlflow (full) + psycopg2 for `mlflow server`")
    parser.add_argument("--steps", type=int, default=20_000, help="steps x 10 keys into Labbook")
    parser.add_argument("--mlflow-steps", type=int, default=2_000, help="steps x 10 keys into mlflow server")
    parser.add_argument("--warmup-s", type=float, default=30, help="seconds of warm-up runs per server")
    parser.add_argument("--runs", type=int, default=1_000, help="runs of the searched experiment")
    parser.add_argument("--seed-threads", type=int, default=8)
    parser.add_argument("--search-repeats", type=int, default=9)
    parser.add_argument("--mlflow-workers", type=int, default=2)
    parser.add_argument("--only", choices=["labbook", "mlflow"], help="one side only")
    args = parser.parse_args()

    token = os.environ.get("LABBOOK_TOKEN", "")
    for var in [v for v in os.environ if v.startswith("MLFLOW_") and v != "MLFLOW_DISABLE_TELEMETRY"]:
        del os.environ[var]
    # stdout is for name=value lines: no "View run ... at" line per finished run
    os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = "true"
    results, failed = {}, []
    if args.only != "mlflow":
        if token:
            os.environ["MLFLOW_TRACKING_TOKEN"] = token
        try:
            wait_http(args.labbook_uri + "/api/2.0/mlflow/experiments/get-by-name?experiment_name=x", timeout_s=60)
            results["labbook"] = measure("labbook", args.labbook_uri, args)
        except Exception as e:  # noqa: BLE001 - report and go on with the other side
            log(f"labbook: FAILED: {type(e).__name__}: {e}")
            failed.append("labbook")
        os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
        log("ceiling: the same ingest against a stub server that answers at once")
        results["ceiling"] = ceiling(args)
        print(f"mlflow_client_points_per_s_ceiling={results['ceiling']:.0f}", flush=True)
    if args.only != "labbook":
        if not args.mlflow_python or not args.data_dir:
            log("the mlflow server half is skipped: set BENCH_MLFLOW_PYTHON to an interpreter with mlflow "
                "(full, not skinny) and psycopg2 (and give --data-dir)")
        else:
            with tempfile.TemporaryDirectory() as workdir:
                log(f"starting mlflow server ({args.mlflow_python}, {args.mlflow_workers} workers, "
                    "backend store: schema mlflow in the embedded PostgreSQL)")
                proc, url = start_mlflow_server(args.mlflow_python, args.data_dir, workdir, args.mlflow_workers)
                try:
                    results["mlflow"] = measure("mlflow", url, args)
                except Exception as e:  # noqa: BLE001
                    log(f"mlflow: FAILED: {type(e).__name__}: {e}")
                    failed.append("mlflow")
                finally:
                    stop(proc)
    if "labbook" in results and "mlflow" in results:
        lb, ml = results["labbook"], results["mlflow"]
        if lb["matches"] != ml["matches"]:
            log("the two servers' search results differ")
            failed.append("search results")
        print(f"mlflow_search_runs_matched={len(lb['matches'])}")
        print(f"mlflow_client_points_per_s_x={lb['points_per_s'] / ml['points_per_s']:.1f}")
        print(f"mlflow_client_points_per_s_ceiling_x={results['ceiling'] / ml['points_per_s']:.1f}")
        print(f"mlflow_search_ms_x={ml['search_ms'] / lb['search_ms']:.1f}")
    elif "labbook" in results or "mlflow" in results:
        print(f"mlflow_search_runs_matched={len(results.get('labbook', results.get('mlflow'))['matches'])}")
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
