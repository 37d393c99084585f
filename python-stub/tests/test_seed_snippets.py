"""Every code snippet of the seed documents (the docs users of Azure ML, SageMaker Experiments and
ML-Dash know: /work/shared/seeds/000..004 at the time of issue 14), run as written — only the
imports and the connection details differ — against the session's real server process (or, for
ML-Dash's local mode, an offline run directory), and read back with exact asserts.

Connection details: Azure's workspace `ws` (and `Workspace.from_config()`) is a `labbook.Client`
on the test server; SageMaker's `sagemaker_session` / training job and Azure's script runs are a
script started by `labbook run` (its script-mode variables are the job's context), or the
LABBOOK_* variables set by hand; ML-Dash's `remote="https://your-server.com"` is the server's gRPC
address; `local_path=".ml-dash"` is kept, in a temporary working directory. Names a snippet uses
but does not define (a model, data, `n_epochs`, ...) are defined before it, small.

Imports: `from azureml.core import Experiment, Run` / `from azure.core import Run` → `from labbook
import Experiment, Run`; `from azureml.widgets import RunDetails` → `from labbook.widgets import
RunDetails`; `from sagemaker.experiments import Run` / `...run import load_run` → `from labbook
import Run, load_run`; `from ml_dash import Experiment, ml_dash_experiment` → `from labbook import
Run as Experiment, experiment as ml_dash_experiment` (ML-Dash's experiment is one run:
docs/python-sdk.md, "Coming from ML-Dash").

Snippets without a test, and why:
- 000 "Running a Script as an Experiment": the note on `RunConfiguration` / `CondaDependencies`
  environments (Labbook's `Environment(pip_requirements=...)` is for server targets; the local
  target runs this interpreter). The `ScriptRunConfig` + `experiment.submit(config=...)` +
  `run.wait_for_completion(show_output=True)` snippet is tested (local target).
- 001 "Estimators" (`Estimator(script_params=...)`): Azure's older configuration object (prose
  and a one-line constructor), not carried over: ScriptRunConfig's `arguments=` replaces
  `script_params`. "Defining a run configuration" (`RunConfiguration()` as `run_config=`) is
  tested; the argparse script of "Passing arguments to the experiment" is tested under
  `labbook run` and submitted with `arguments=`.
- 003 the `os.system("pip install -U sagemaker")` line and the boto3 `Session(...)` of the script
  mode snippet: installation and connection details (the rest of that script is tested); the
  Studio UI sections ("View your experiment in Studio", "View unassigned runs"): prose and
  screenshots, no API call. SageMaker training, processing and transform jobs themselves are
  AWS compute and cannot make sense here: a script under `labbook run` is the job.
- 003 `run.log_artifact(name="training_data", value="data.csv" is_output=False)` is a syntax
  error as printed (no comma before `is_output`): tested with the comma.
- 004 "Storage Structure": a directory listing, no API call. Labbook's local mode writes its own
  offline format (docs/offline-format.md), uploaded by `labbook sync`.
- 000 / 001 / 002 prose, the RunDetails screenshot and the JSON outputs shown: no API call (the
  JSON shapes are asserted where their snippets run).
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import types
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import labbook
from labbook.v1 import artifact_pb2, common_pb2, log_pb2, run_pb2

ROOT = Path(__file__).resolve().parents[2]
CLI_JAR = ROOT / "cli" / "target" / "labbook-cli-0.1.0-SNAPSHOT-all.jar"


# -- helpers ---------------------------------------------------------------------------------------
def settled():
    """Online, params, tags, rows, lines and names are sent in the background (in order): the
    runs open in this process deliver what they queued before the server is read."""
    labbook.flush(30)


def status(client, run_id):
    settled()
    return run_pb2.RunStatus.Name(client.get_run(run_id).status).replace("RUN_STATUS_", "")


def history(client, run_id, key):
    settled()
    steps, _times, values = client.get_metric_history(run_id, key)
    return list(steps), list(values)


def params(client, run_id):
    settled()
    from labbook._values import from_param_value
    return {p.key: from_param_value(p.value) for p in client.get_run(run_id).params}


def texts(client, run_id, stream=None):
    settled()
    return [l.text for l in client.read_logs(run_id)
            if stream is None or l.stream == stream]


def table(client, run_id, name):
    settled()
    from labbook._values import from_cell
    columns, rows = client.get_table(run_id, name)
    return [{k: from_cell(v) for k, v in r.cells.items()} for r in rows]


def find_run(client, experiment, name, project=""):
    settled()
    return client.get_run(experiment=experiment, name=name, project=project)


def labbook_run(server, exp_name, run_name, script, *args, cwd):
    """`labbook run` (the Java CLI) starts `python script args` as the tracked run `run_name`:
    what Azure's submit / a SageMaker job does for a script (its context comes from LABBOOK_*)."""
    assert CLI_JAR.exists(), f"{CLI_JAR} is missing: `mvn -pl proto,server,cli -am package -DskipTests`"
    env = dict(os.environ, LABBOOK_NO_BUILD="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run(
        [str(ROOT / "bin" / "labbook"), "run", "--target", server.target, "--experiment", exp_name,
         "--name", run_name, "--", sys.executable, str(script), *args],
        cwd=cwd, capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


def run_script(script, env, cwd):
    """A script with the script-mode variables set by hand (as a job's environment would)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LABBOOK_")}
    full_env.update(env)
    proc = subprocess.run([sys.executable, str(script)], env=full_env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


@pytest.fixture(autouse=True)
def _no_ipython(monkeypatch):
    """RunDetails.show() outside Jupyter prints the run page's address: make sure it is outside."""
    monkeypatch.setitem(sys.modules, "IPython", None)
    monkeypatch.setitem(sys.modules, "IPython.display", None)


@pytest.fixture
def ws(client):
    """Azure's workspace: here the Client on the test server."""
    return client


@pytest.fixture
def online(monkeypatch, server, exp_name):
    """The script-mode variables of a job: this server, and a fresh experiment per test."""
    monkeypatch.setenv("LABBOOK_TRACKING_URI", server.target)
    monkeypatch.setenv("LABBOOK_EXPERIMENT", exp_name)
    return exp_name


# == 000: Azure ML, "Experiments" (Microsoft Learn module) =========================================
def test_seed000_the_experiment_run_context(ws, client):
    from labbook import Experiment

    # create an experiment variable
    experiment = Experiment(workspace = ws, name = "my-experiment")

    # start the experiment
    run = experiment.start_logging()

    # experiment code goes here

    # end the experiment
    run.complete()

    got = client.get_run(run.id)
    assert status(client, run.id) == "COMPLETED"
    assert client.get_experiment(experiment_id=got.experiment_id).name == "my-experiment"


def test_seed000_logging_metrics(ws, client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("data.csv").write_text("a,b\n" + "".join(f"{i},1.5\n" for i in range(15000)))

    from labbook import Experiment
    import pandas as pd

    # Create an Azure ML experiment in your workspace
    experiment = Experiment(workspace = ws, name = 'my-experiment')

    # Start logging data from the experiment
    run = experiment.start_logging()

    # load the dataset and count the rows
    data = pd.read_csv('data.csv')
    row_count = (len(data))

    # Log the row count
    run.log('observations', row_count)

    # Complete the experiment
    run.complete()

    assert history(client, run.id, "observations") == ([0], [15000.0])
    assert status(client, run.id) == "COMPLETED"


@pytest.fixture
def observations_run(ws, tmp_path, monkeypatch):
    """The run of the "Logging Metrics" snippet: 15000 observations, completed."""
    from labbook import Experiment
    run = Experiment(workspace=ws, name="my-experiment").start_logging()
    run.log("observations", 15000)
    run.complete()
    return run


def test_seed000_retrieving_and_viewing_logged_metrics_run_details(observations_run, server):
    run = observations_run
    out = io.StringIO()
    with redirect_stdout(out):
        from labbook.widgets import RunDetails

        RunDetails(run).show()
    # outside Jupyter (no IPython in the test venv) show() prints the run page's address
    assert out.getvalue().strip() == run.get_portal_url()
    assert out.getvalue().strip().endswith(f"/runs/{run.id}")


def test_seed000_retrieving_and_viewing_logged_metrics_get_metrics(observations_run):
    run = observations_run
    out = io.StringIO()
    with redirect_stdout(out):
        import json

        # Get logged metrics
        metrics = run.get_metrics()
        print(json.dumps(metrics, indent=2))
    # Azure prints {"observations": 15000}; Labbook's series hold doubles (15000.0)
    assert json.loads(out.getvalue()) == {"observations": 15000}
    assert out.getvalue() == '{\n  "observations": 15000.0\n}\n'


def test_seed000_experiment_output_files_upload_file(ws, client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("sample.csv").write_text("a,b\n1,2\n")
    run = labbook.Experiment(ws, "my-experiment").start_logging()

    run.upload_file(name='outputs/sample.csv', path_or_stream='./sample.csv')

    run.complete()
    [artifact] = client.list_artifacts(run.id)
    assert (artifact.path, artifact.size_bytes, artifact.direction) == (
        "outputs/sample.csv", 8, common_pb2.DIRECTION_OUTPUT)
    assert run.download_file("outputs/sample.csv", str(tmp_path / "back.csv")) == str(tmp_path / "back.csv")
    assert (tmp_path / "back.csv").read_text() == "a,b\n1,2\n"


def test_seed000_experiment_output_files_get_file_names(ws, tmp_path):
    run = labbook.Experiment(ws, "my-experiment").start_logging()
    run.upload_file("outputs/sample.csv", b"a,b\n1,2\n")
    out = io.StringIO()
    with redirect_stdout(out):
        import json

        files = run.get_file_names()
        print(json.dumps(files, indent=2))
    run.complete()
    assert out.getvalue() == '[\n  "outputs/sample.csv"\n]\n'


SEED000_SCRIPT = '''
from labbook import Run
import pandas as pd
import matplotlib.pyplot as plt
import os

# Get the experiment run context
run = Run.get_context()

# load the diabetes dataset
data = pd.read_csv('data.csv')

# Count the rows and log the result
row_count = (len(data))
run.log('observations', row_count)

# Save a sample of the data
os.makedirs('outputs', exist_ok=True)
data.sample(100).to_csv("outputs/sample.csv", index=False, header=True)

# Complete the run
run.complete()
'''


def test_seed000_running_a_script_as_an_experiment(server, client, exp_name, tmp_path):
    pd.DataFrame({"a": range(500), "b": 2}).to_csv(tmp_path / "data.csv", index=False)
    script = tmp_path / "experiment.py"
    script.write_text(SEED000_SCRIPT)
    labbook_run(server, exp_name, "script", script, cwd=tmp_path)
    run_id = find_run(client, exp_name, "script").id
    assert history(client, run_id, "observations") == ([0], [500.0])
    # files written to outputs/ are uploaded when the run completes (as on Azure compute)
    assert [a.path for a in client.list_artifacts(run_id)] == ["outputs/sample.csv"]
    back = labbook.load_run(run_id=run_id, client=client)
    back.download_file("outputs/sample.csv", str(tmp_path / "back.csv"))
    back.close(status=None)
    assert len(pd.read_csv(tmp_path / "back.csv")) == 100
    assert status(client, run_id) == "COMPLETED"


def test_seed000_running_a_script_as_an_experiment_submitted(ws, client, exp_name, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LABBOOK_SUBMISSIONS_DIR", str(tmp_path / "submissions"))
    experiment_folder = tmp_path / "experiment_files"
    experiment_folder.mkdir()
    pd.DataFrame({"a": range(500), "b": 2}).to_csv(experiment_folder / "data.csv", index=False)
    (experiment_folder / "experiment.py").write_text(SEED000_SCRIPT.replace(
        "run.log('observations', row_count)", "run.log('observations', row_count)\nprint('rows', row_count)"))
    # -- as written (`from azureml.core import ...` → `from labbook import ...`; the experiment's name)
    from labbook import Experiment, ScriptRunConfig

    # Create a script config
    script_config = ScriptRunConfig(source_directory=experiment_folder,
                                    script='experiment.py')

    # submit the experiment
    experiment = Experiment(workspace = ws, name = exp_name)
    run = experiment.submit(config=script_config)
    run.wait_for_completion(show_output=True)
    # --
    assert "rows 500" in capsys.readouterr().out
    assert history(client, run.id, "observations") == ([0], [500.0])
    assert [a.path for a in client.list_artifacts(run.id)] == ["outputs/sample.csv"]
    assert status(client, run.id) == "COMPLETED"


# == 001: Azure ML, study notes =====================================================================
def test_seed001_logging(ws, client):
    from labbook import Experiment

    # create an experiment variable
    experiment = Experiment(workspace = ws, name = "my-experiment")

    # start the experiment
    run = experiment.start_logging()

    # experiment code goes here
    var = 'my log'
    run.log('observations', var)

    # end the experiment
    run.complete()

    # a text value (Azure accepts it) is a row of the table `observations`; series are numeric
    assert table(client, run.id, "observations") == [{"value": "my log"}]
    assert run.get_metrics() == {"observations": ["my log"]}
    assert status(client, run.id) == "COMPLETED"


def test_seed001_retrieving_log_info(observations_run):
    run = observations_run
    out = io.StringIO()
    with redirect_stdout(out):
        from labbook.widgets import RunDetails
        RunDetails(run).show()

        import json
        metrics = run.get_metrics()
        print(json.dumps(metrics, indent=2))
    url, *rest = out.getvalue().split("\n", 1)
    assert url == run.get_portal_url()
    assert json.loads(rest[0]) == {"observations": 15000}


def test_seed001_output_files(ws):
    run = labbook.Experiment(ws, "my-experiment").start_logging()
    run.upload_file("outputs/my_data.csv", b"x\n1\n")
    out = io.StringIO()
    with redirect_stdout(out):
        import json
        files = run.get_file_names()
        print(json.dumps(files, indent=2))
    run.complete()
    assert json.loads(out.getvalue()) == ["outputs/my_data.csv"]


SEED001_SCRIPT = '''
import pandas as pd
info_var = 0.25
data = pd.DataFrame({"x": [1, 2, 3]})
# -- the snippet, as written (`from azure.core import Run` → `from labbook import Run`)
from labbook import Run
run = Run.get_context()

# code go here
run.log('some info', info_var)

# write to output
data.to_csv('outputs/my_data.csv')
run.complete()
'''


def test_seed001_running_scripts_as_experiments(server, client, exp_name, tmp_path):
    (tmp_path / "outputs").mkdir()
    script = tmp_path / "my_experiment.py"
    script.write_text(SEED001_SCRIPT)
    labbook_run(server, exp_name, "notes", script, cwd=tmp_path)
    run_id = find_run(client, exp_name, "notes").id
    assert history(client, run_id, "some info") == ([0], [0.25])
    assert [a.path for a in client.list_artifacts(run_id)] == ["outputs/my_data.csv"]
    assert status(client, run_id) == "COMPLETED"


SEED001_ARGS_SCRIPT = '''
import argparse

parser = argparse.ArgumentParser()
parser.add_argument('--reg_rate', type=float, dest='reg', default=.01)
args = parser.parse_args()
reg = args.reg

print(reg)
'''


def test_seed001_passing_arguments_to_the_experiment(server, client, exp_name, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SEED001_ARGS_SCRIPT)
    proc = labbook_run(server, exp_name, "args", script, "--reg_rate", "0.1", cwd=tmp_path)
    assert proc.stdout == "0.1\n"
    run_id = find_run(client, exp_name, "args").id
    assert texts(client, run_id) == ["0.1"]
    assert list(client.get_run(run_id).source.args)[-2:] == ["--reg_rate", "0.1"]
    assert status(client, run_id) == "COMPLETED"


def test_seed001_defining_a_run_configuration(ws, client, exp_name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    os.makedirs("scripts_folder")
    Path("scripts_folder/my_experiment.py").write_text(SEED001_ARGS_SCRIPT)
    from labbook import Experiment, RunConfiguration, ScriptRunConfig

    # create run config obj
    run_config = RunConfiguration()

    # create a script config obj
    script_run_config = ScriptRunConfig(
        source_directory='scripts_folder',
        script='my_experiment.py',
        run_config=run_config
        )

    # submit
    exp = Experiment(workspace=ws, name=exp_name)
    run = exp.submit(config=script_run_config)
    run.wait_for_completion(show_output=True)
    # --
    assert capsys.readouterr().out == "0.01\n"  # the script's default: no arguments given
    assert texts(client, run.id) == ["0.01"]
    assert client.get_run(run.id).tags["labbook.compute_target"] == "local"
    assert status(client, run.id) == "COMPLETED"


def test_seed001_passing_arguments_to_a_submitted_script(ws, client, exp_name, tmp_path, capsys):
    (tmp_path / "train.py").write_text(SEED001_ARGS_SCRIPT)
    from labbook import Experiment, ScriptRunConfig
    # Estimator(script_params={'--reg_rate': 0.1}) in Azure's older API; arguments= in ScriptRunConfig
    config = ScriptRunConfig(source_directory=str(tmp_path), script='train.py', arguments=['--reg_rate', 0.1])
    run = Experiment(workspace=ws, name=exp_name).submit(config=config)
    details = run.wait_for_completion(show_output=True)
    assert capsys.readouterr().out == "0.1\n"
    assert details["status"] == "COMPLETED"
    assert list(client.get_run(run.id).source.args) == ["--reg_rate", "0.1"]


# == 002: Azure ML, "Experiment and Run" ============================================================
def test_seed002_experiments(ws, client):
    from labbook import Experiment
    exp = Experiment(ws, '<experiment-name>')

    assert (exp.name, exp.project) == ("<experiment-name>", "default")
    assert exp.workspace is client  # nothing is created before a run starts


SEED002_GET_CONTEXT = '''
from labbook import Run
run = Run.get_context()
print("RUN", run.id, run.name)
'''


def test_seed002_get_context(server, client, exp_name, tmp_path):
    script = tmp_path / "get_context.py"
    script.write_text(SEED002_GET_CONTEXT)
    proc = run_script(script, {"LABBOOK_TRACKING_URI": server.target, "LABBOOK_EXPERIMENT": exp_name,
                               "LABBOOK_RUN_NAME": "ctx"}, tmp_path)
    _, run_id, name = proc.stdout.split()
    assert name == "ctx" and find_run(client, exp_name, "ctx").id == run_id
    assert status(client, run_id) == "COMPLETED"  # the script's run ends with the script


SEED002_TRAIN = '''
class _Model:
    def __init__(self):
        self.epochs = 0
    def train(self):
        self.epochs += 1
    def evaluate(self):
        return 1.0 - 0.1 * self.epochs
model, n_epochs = _Model(), 5
# -- train.py as written (`from azureml.core import Run` → `from labbook import Run`)
from labbook import Run

run = Run.get_context()

# training code
for epoch in range(n_epochs):
    model.train()
    ...
    val = model.evaluate()
    run.log('validation', val)
'''


def test_seed002_get_context_logging_metrics_in_train_py(server, client, exp_name, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SEED002_TRAIN)
    run_script(script, {"LABBOOK_TRACKING_URI": server.target, "LABBOOK_EXPERIMENT": exp_name,
                        "LABBOOK_RUN_NAME": "train"}, tmp_path)
    run_id = find_run(client, exp_name, "train").id
    steps, values = history(client, run_id, "validation")
    assert steps == [0, 1, 2, 3, 4]
    assert values == pytest.approx([0.9, 0.8, 0.7, 0.6, 0.5])
    assert status(client, run_id) == "COMPLETED"


def test_seed002_via_script_run_config(client, exp_name, tmp_path, monkeypatch):
    monkeypatch.setenv("LABBOOK_SUBMISSIONS_DIR", str(tmp_path / "submissions"))
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "train.py").write_text(SEED002_TRAIN)

    class Workspace:  # connection details: the test server stands for the Azure workspace
        @staticmethod
        def from_config():
            return client

    # -- as written (the placeholders filled in; `...` is no further argument)
    from labbook import Experiment, ScriptRunConfig
    ws = Workspace.from_config()
    exp = Experiment(ws, exp_name)

    config = ScriptRunConfig(source_directory=str(tmp_path / "scripts"), script='train.py')
    run = exp.submit(config)
    # --
    assert run.status == "QUEUED"  # returned at once; the runner starts it
    assert run.wait_for_completion(show_output=False)["status"] == "COMPLETED"
    steps, values = history(client, run.id, "validation")
    assert steps == [0, 1, 2, 3, 4] and values == pytest.approx([0.9, 0.8, 0.7, 0.6, 0.5])


def test_seed002_interactive(ws, client):
    exp = labbook.Experiment(ws, "my-experiment")

    run = exp.start_logging()

    try:
        assert status(client, run.id) == "RUNNING" and run.status == "RUNNING"
    finally:
        run.complete()
    assert status(client, run.id) == "COMPLETED"


def test_seed002_interactive_jupyter_notebook(server, client):
    class Workspace:  # connection details: the test server stands for the Azure workspace
        @staticmethod
        def from_config():
            return client

    out = io.StringIO()
    with redirect_stdout(out):
        from labbook import Experiment
        ws = Workspace.from_config()
        exp = Experiment(ws, 'example')

        run = exp.start_logging()                   # start interactive run
        print(run.get_portal_url())                 # get link to studio

        # toy example in place of e.g. model
        # training or exploratory data analysis
        import numpy as np
        for x in np.linspace(0, 10):
            y = np.sin(x)
            run.log_row('sine', x=x, y=y)           # log metrics

        run.complete()                              # stop interactive run

    assert out.getvalue().strip() == run.get_portal_url()
    assert out.getvalue().strip().endswith(f"/runs/{run.id}")
    rows = table(client, run.id, "sine")
    assert len(rows) == 50
    assert [r["x"] for r in rows] == pytest.approx(list(np.linspace(0, 10)))
    assert [r["y"] for r in rows] == pytest.approx(list(np.sin(np.linspace(0, 10))))
    assert status(client, run.id) == "COMPLETED"


# == 003: SageMaker Experiments, "Create an Amazon SageMaker Experiment" ==========================
def test_seed003_load_run_by_experiment_and_run_name(online, client):
    experiment_name, run_name = online, "local-script"
    with labbook.Run(experiment=experiment_name, name=run_name) as first:
        pass  # the run exists (made e.g. in a notebook)

    from labbook import load_run
    # Load run from a local script passing experiment and run names
    with load_run(experiment_name=experiment_name, run_name=run_name) as run:
       run.log_parameter("param1", "value1")

    assert run.id == first.id
    assert params(client, run.id) == {"param1": "value1"}
    assert status(client, run.id) == "COMPLETED"  # load_run attaches: its owner's status stays


SEED003_LOAD_RUN_IN_A_JOB = '''
from labbook import load_run
# Load run within a training or processing Job (automated context sharing)
with load_run() as run:
    run.log_parameter("param1", "value1")
print("RUN", run.id)
'''


def test_seed003_load_run_within_a_job(server, client, exp_name, tmp_path):
    job = client.start_run(experiment=exp_name, name="job")  # the job's run, made by its launcher
    try:
        script = tmp_path / "job.py"
        script.write_text(SEED003_LOAD_RUN_IN_A_JOB)
        proc = run_script(script, {"LABBOOK_TRACKING_URI": server.target, "LABBOOK_RUN_ID": job.id},
                          tmp_path)  # the job's environment
        assert proc.stdout.split() == ["RUN", job.id]
        assert params(client, job.id) == {"param1": "value1"}
        assert status(client, job.id) == "RUNNING"  # the job's launcher ends it
    finally:
        job.complete()
    assert status(client, job.id) == "COMPLETED"


@pytest.fixture
def sm_run(online):
    with labbook.Run(experiment_name=online) as run:
        yield run


def test_seed003_log_parameter(sm_run, client):
    run = sm_run
    # Log a single parameter
    run.log_parameter("param1", "value1")

    assert params(client, run.id) == {"param1": "value1"}


def test_seed003_log_parameters(sm_run, client):
    run = sm_run
    # Log multiple parameters
    run.log_parameters({
        "param2": "value2",
        "param3": "value3"
    })

    assert params(client, run.id) == {"param2": "value2", "param3": "value3"}


def test_seed003_log_metric(sm_run, client):
    run, finalloss = sm_run, 0.125
    # Log a metric over the course of a run
    run.log_metric(name="Final_loss", value=finalloss)

    run.flush()
    assert history(client, run.id, "Final_loss") == ([0], [0.125])


def test_seed003_log_metric_at_each_epoch(sm_run, client):
    run = sm_run
    for epoch, loss in [(0, 0.9), (1, 0.7), (2, 0.4)]:
        # Log a metric over the course of a run at each epoch
        run.log_metric(name="test:loss", value=loss, step=epoch)

    run.flush()
    assert history(client, run.id, "test:loss") == ([0, 1, 2], [0.9, 0.7, 0.4])


def test_seed003_log_artifact(sm_run, client):
    run = sm_run
    # Track a string value as an input or output artifact
    run.log_artifact(name="training_data", value="data.csv", is_output=False)  # comma added

    [ref] = client.list_artifacts(run.id)
    assert (ref.path, ref.uri, ref.direction, ref.kind) == (
        "training_data", "data.csv", common_pb2.DIRECTION_INPUT, artifact_pb2.ARTIFACT_KIND_REFERENCE)


def test_seed003_log_file(sm_run, client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("training_data.csv").write_text("x,y\n1,0\n")
    run = sm_run
    # Upload a local file to S3 and track it as an input or output artifact
    run.log_file("training_data.csv", name="training_data", is_output=False)

    [artifact] = client.list_artifacts(run.id)
    assert (artifact.path, artifact.size_bytes, artifact.direction) == (
        "training_data", 8, common_pb2.DIRECTION_INPUT)


# What the Keras snippets need but do not define: a stand-in for keras (its Callback base and a
# model whose fit() calls on_epoch_end with Keras' logs), data, and the datasets/ files.
KERAS_STANDIN = '''
import types
class _Callback:
    pass
keras = types.SimpleNamespace(callbacks=types.SimpleNamespace(Callback=_Callback))
class _Model:
    def fit(self, x, y, batch_size, epochs, validation_split, callbacks):
        for epoch in range(epochs):
            logs = {"loss": 1.0 / (epoch + 1), "accuracy": 0.5 + 0.1 * epoch}
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
    def evaluate(self, x, y, verbose=0):
        return [0.25, 0.75]
model = _Model()
x_train = y_train = x_test = y_test = None
batch_size, epochs = 32, 3
'''

EXPERIMENT_CALLBACK = '''
class ExperimentCallback(keras.callbacks.Callback):
    """ """

    def __init__(self, run, model, x_test, y_test):
        """Save params in constructor"""
        self.run = run
        self.model = model
        self.x_test = x_test
        self.y_test = y_test

    def on_epoch_end(self, epoch, logs=None):
        """ """
        keys = list(logs.keys())
        for key in keys:
            run.log_metric(name=key, value=logs[key], step=epoch)
            print("Epoch: {}\\n{} -> {}".format(epoch, key, logs[key]))
'''

SEED003_NOTEBOOK = '''
from labbook import Run

# The run name is an optional argument to `run.init()`
with Run(experiment_name = 'my-experiment') as run:
    
    # Define values for the parameters to log
    run.log_parameter("batch_size", batch_size)
    run.log_parameter("epochs", epochs)
    run.log_parameter("dropout", 0.5)
    
    # Define input artifacts
    run.log_file('datasets/input_train.npy', is_output = False)
    run.log_file('datasets/input_test.npy', is_output = False)
    run.log_file('datasets/input_train_labels.npy', is_output = False)
    run.log_file('datasets/input_test_labels.npy', is_output = False)

    # Train locally
    model.fit(
        x_train, 
        y_train, 
        batch_size=batch_size, 
        epochs=epochs, 
        validation_split=0.1, 
        callbacks = [ExperimentCallback(run, model, x_test, y_test)]
    )
    
    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", score[0])
    print("Test accuracy:", score[1])
    
    # Define metrics to log
    run.log_metric(name = "Final Test Loss", value = score[0])
    run.log_metric(name = "Final Test Loss", value = score[1])
'''

INPUT_FILES = ["input_train.npy", "input_test.npy", "input_train_labels.npy", "input_test_labels.npy"]


def make_datasets(root):
    (root / "datasets").mkdir()
    for i, name in enumerate(INPUT_FILES):
        np.save(root / "datasets" / name, np.arange(i + 3))


def check_keras_run(client, run_id, stdout):
    assert params(client, run_id) == {"batch_size": 32, "epochs": 3, "dropout": 0.5}
    artifacts = {a.path: a.direction for a in client.list_artifacts(run_id)}
    assert artifacts == {name: common_pb2.DIRECTION_INPUT for name in INPUT_FILES}
    assert history(client, run_id, "loss") == ([0, 1, 2], pytest.approx([1.0, 0.5, 1 / 3]))
    assert history(client, run_id, "accuracy") == ([0, 1, 2], pytest.approx([0.5, 0.6, 0.7]))
    # as written, the snippet logs the accuracy under "Final Test Loss" too: two points
    assert history(client, run_id, "Final Test Loss") == ([0, 1], [0.25, 0.75])
    assert "Epoch: 2\naccuracy -> 0.7" in stdout and "Test accuracy: 0.75" in stdout


def test_seed003_create_an_experiment_with_the_sagemaker_python_sdk(online, client, tmp_path,
                                                                    monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_datasets(tmp_path)
    out = io.StringIO()
    scope: dict = {"__name__": "notebook"}
    with redirect_stdout(out):
        exec(KERAS_STANDIN + EXPERIMENT_CALLBACK + SEED003_NOTEBOOK, scope)
    run = scope["run"]
    assert (run.experiment, run.status) == ("my-experiment", "COMPLETED")
    check_keras_run(client, run.id, out.getvalue())
    assert status(client, run.id) == "COMPLETED"


SEED003_SCRIPT_MODE = '''
# Import additional requirements
from labbook import load_run

# Define training script
if __name__ == "__main__":
    with load_run() as run:
        # Define values for the parameters to log
        run.log_parameters({
            "batch_size": batch_size,
            "epochs": epochs,
            "dropout": 0.5
        })
        # Define input artifacts
        run.log_file('datasets/input_train.npy', is_output = False)
        run.log_file('datasets/input_test.npy', is_output = False)
        run.log_file('datasets/input_train_labels.npy', is_output = False)
        run.log_file('datasets/input_test_labels.npy', is_output = False)
        
        # Train the model
        model.fit(
            x_train, 
            y_train, 
            batch_size=batch_size, 
            epochs=epochs, 
            validation_split=0.1, 
            callbacks = [ExperimentCallback(run, model, x_test, y_test)]
        )
        
        score = model.evaluate(x_test, y_test, verbose=0)
        print("Test loss:", score[0])
        print("Test accuracy:", score[1])
        
        # Define metrics to log
        run.log_metric(name = "Final Test Loss", value = score[0])
        run.log_metric(name = "Final Test Loss", value = score[1])
'''


def test_seed003_create_an_experiment_using_sagemaker_script_mode(server, client, exp_name, tmp_path):
    make_datasets(tmp_path)
    script = tmp_path / "train.py"
    script.write_text(KERAS_STANDIN + EXPERIMENT_CALLBACK + SEED003_SCRIPT_MODE)
    proc = labbook_run(server, exp_name, "job", script, cwd=tmp_path)  # the "training job"
    run_id = find_run(client, exp_name, "job").id
    check_keras_run(client, run_id, proc.stdout)
    assert "Test loss: 0.25" in texts(client, run_id, stream=log_pb2.LOG_STREAM_STDOUT)  # labbook run keeps stdout
    assert status(client, run_id) == "COMPLETED"


# == 004: ML-Dash, "Experiments" ====================================================================
def read_offline(run):
    """What an offline run holds, read back from its directory."""
    return {"params": run.get_parameters(), "logs": [(l["level"], l["text"]) for l in run.read_logs()],
            "status": run.get_status(), "files": run.get_file_names()}


def test_seed004_context_manager(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from labbook import Run as Experiment

    with Experiment(name="my-experiment", project="project",
            local_path=".ml-dash") as experiment:
        experiment.log("Training started")
        experiment.parameters().set(learning_rate=0.001)
        # Experiment automatically closed on exit

    assert Path(experiment.offline_dir).parent == tmp_path / ".ml-dash"
    assert (experiment.project, experiment.name) == ("project", "my-experiment")
    assert read_offline(experiment) == {"params": {"learning_rate": 0.001},
                                        "logs": [("INFO", "Training started")],
                                        "status": "COMPLETED", "files": []}


def test_seed004_decorator(online, client):
    losses = iter([0.9, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05])

    def train_epoch():
        return next(losses)

    from labbook import experiment as ml_dash_experiment

    @ml_dash_experiment(name="my-experiment", project="project")
    def train_model(experiment):
        experiment.log("Training started")
        experiment.parameters().set(learning_rate=0.001)

        for epoch in range(10):
            loss = train_epoch()
            experiment.metric("loss").append(value=loss, epoch=epoch)

        return "Training complete!"

    result = train_model()

    assert result == "Training complete!"
    run = find_run(client, online, "my-experiment", project="project")
    assert params(client, run.id) == {"learning_rate": 0.001}
    assert texts(client, run.id) == ["Training started"]
    assert history(client, run.id, "loss") == (
        list(range(10)), [0.9, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05])
    assert [m.key for m in client.list_metrics(run.id)] == ["loss"]
    assert status(client, run.id) == "COMPLETED"


def test_seed004_direct(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from labbook import Run as Experiment

    experiment = Experiment(name="my-experiment", project="project",
            local_path=".ml-dash")
    experiment.open()

    try:
        experiment.log("Training started")
        experiment.parameters().set(learning_rate=0.001)
    finally:
        experiment.close()

    assert read_offline(experiment) == {"params": {"learning_rate": 0.001},
                                        "logs": [("INFO", "Training started")],
                                        "status": "COMPLETED", "files": []}


def test_seed004_local_mode(server, client, exp_name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LABBOOK_EXPERIMENT", exp_name)
    from labbook import Run as Experiment

    with Experiment(
        name="my-experiment",
        project="project",
        local_prefix="./experiments",
            local_path=".ml-dash"
    ) as experiment:
        experiment.log("Using local storage")

    # local_path wins over local_prefix; nothing is sent anywhere
    assert Path(experiment.offline_dir).parent == tmp_path / ".ml-dash"
    assert not (tmp_path / "experiments").exists()
    assert read_offline(experiment)["logs"] == [("INFO", "Using local storage")]
    # ... and `labbook sync` uploads it: the same run on the server
    assert CLI_JAR.exists()
    proc = subprocess.run([str(ROOT / "bin" / "labbook"), "sync", ".ml-dash", "--target", server.target],
                          cwd=tmp_path, capture_output=True, text=True, timeout=180,
                          env=dict(os.environ, LABBOOK_NO_BUILD="1"))
    assert proc.returncode == 0, proc.stderr
    synced = find_run(client, exp_name, "my-experiment", project="project")
    assert texts(client, synced.id) == ["Using local storage"]
    assert status(client, synced.id) == "COMPLETED"


def test_seed004_remote_mode(server, client, exp_name, monkeypatch):
    monkeypatch.setenv("LABBOOK_EXPERIMENT", exp_name)
    from labbook import Run as Experiment

    with Experiment(
        name="my-experiment",
        project="project",
        remote=server.target,   # "https://your-server.com": the server's gRPC address
        user_name="alice"
    ) as experiment:
        experiment.log("Using remote server")

    assert experiment.offline_dir is None
    run = find_run(client, exp_name, "my-experiment", project="project")
    assert run.id == experiment.id and dict(run.tags) == {"user_name": "alice"}
    assert texts(client, run.id) == ["Using remote server"]
    assert status(client, run.id) == "COMPLETED"


def test_seed004_experiment_metadata(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from labbook import Run as Experiment

    with Experiment(
        name="resnet50-imagenet",
        project="computer-vision",
        local_prefix="./experiments",
        description="ResNet-50 training with new augmentation",
        tags=["resnet", "imagenet", "baseline"],
        folder="/experiments/2025/resnet",
            local_path=".ml-dash"
    ) as experiment:
        experiment.log("Training started")

    meta = json.loads((Path(experiment.offline_dir) / "run.json").read_text())
    assert (meta["name"], meta["project"], meta["description"]) == (
        "resnet50-imagenet", "computer-vision", "ResNet-50 training with new augmentation")
    assert experiment.get_tags() == {"resnet": "", "imagenet": "", "baseline": "",
                                     "folder": "/experiments/2025/resnet"}
    assert read_offline(experiment)["logs"] == [("INFO", "Training started")]


def test_seed004_resuming_experiments(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from labbook import Run as Experiment

    # First run
    with Experiment(name="long-training", project="ml",
            local_path=".ml-dash") as experiment:
        experiment.log("Starting epoch 1")
        experiment.metric("loss").append(value=0.5, epoch=1)
    first = experiment

    # Later - continues same experiment
    with Experiment(name="long-training", project="ml",
            local_path=".ml-dash") as experiment:
        experiment.log("Resuming from checkpoint")
        experiment.metric("loss").append(value=0.3, epoch=2)

    assert (first.resumed, experiment.resumed) == (False, True)
    assert experiment.offline_dir == first.offline_dir
    assert len(os.listdir(tmp_path / ".ml-dash")) == 1
    assert [(p.step, p.value) for p in experiment.get_metric_history("loss", as_dataframe=False)] == [
        (1, 0.5), (2, 0.3)]
    assert read_offline(experiment)["logs"] == [("INFO", "Starting epoch 1"),
                                                ("INFO", "Resuming from checkpoint")]


def test_seed004_available_operations(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("model.pth").write_bytes(b"\x00weights")
    from labbook import Run as Experiment

    with Experiment(name="demo", project="test",
            local_path=".ml-dash") as experiment:
        # Logging
        experiment.log("Training started", level="info")

        # Parameters
        experiment.parameters().set(lr=0.001, batch_size=32)

        # Metrics metricing
        experiment.metric("loss").append(value=0.5, epoch=1)

        # File uploads
        experiment.file("model.pth", prefix="/models")

    assert read_offline(experiment) == {"params": {"lr": 0.001, "batch_size": 32},
                                        "logs": [("INFO", "Training started")],
                                        "status": "COMPLETED", "files": ["models/model.pth"]}
    assert [(p.step, p.value) for p in experiment.get_metric_history("loss", as_dataframe=False)] == [(1, 0.5)]
    assert (Path(experiment.offline_dir) / "files" / "models" / "model.pth").read_bytes() == b"\x00weights"


def test_seed004_available_operations_online(online, client, tmp_path, monkeypatch):
    """The same snippet against the server (no local_path: LABBOOK_TRACKING_URI is set)."""
    monkeypatch.chdir(tmp_path)
    Path("model.pth").write_bytes(b"\x00weights")
    from labbook import Run as Experiment

    with Experiment(name="demo", project="test") as experiment:
        experiment.log("Training started", level="info")
        experiment.parameters().set(lr=0.001, batch_size=32)
        experiment.metric("loss").append(value=0.5, epoch=1)
        experiment.file("model.pth", prefix="/models")

    run_id = find_run(client, online, "demo", project="test").id
    assert params(client, run_id) == {"lr": 0.001, "batch_size": 32}
    assert texts(client, run_id) == ["Training started"]
    assert history(client, run_id, "loss") == ([1], [0.5])
    assert [(a.path, a.size_bytes) for a in client.list_artifacts(run_id)] == [("models/model.pth", 8)]
    assert status(client, run_id) == "COMPLETED"


# == the rules behind the ML-Dash calls (docs/python-sdk.md, "Coming from ML-Dash") ================
def test_run_log_tells_text_from_metric_by_its_arguments(online, client):
    with labbook.Run(name="dispatch") as run:
        run.log("acc", 0.5)                           # name + value: a point (Azure)
        run.log("acc", value=0.75)
        run.log("note", "text value")                 # name + text value: a table row (Azure)
        run.log("Training started")                   # one string: a text line (ML-Dash)
        run.log("lr dropped", level="warn")           # level=: a text line
        run.log("epoch done", level="info", metadata={"epoch": 1, "loss": 0.5})
        run.log("with fields", batch=3)
        with pytest.raises(TypeError):
            run.log("acc", 0.5, level="info")         # both: refused, nothing logged
        with pytest.raises(TypeError):
            run.log("acc", 0.5, metadata={"a": 1})
    assert history(client, run.id, "acc") == ([0, 1], [0.5, 0.75])
    assert table(client, run.id, "note") == [{"value": "text value"}]
    lines = [(l.level, l.text) for l in client.read_logs(run.id)]
    assert lines == [(log_pb2.LOG_LEVEL_INFO, "Training started"),
                     (log_pb2.LOG_LEVEL_WARNING, "lr dropped"),
                     (log_pb2.LOG_LEVEL_INFO, 'epoch done {"epoch": 1, "loss": 0.5}'),
                     (log_pb2.LOG_LEVEL_INFO, 'with fields {"batch": 3}')]


def test_metric_append_fields_parameters_and_file(online, client, tmp_path):
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"1234")
    with labbook.Run(name="fields") as run:
        loss = run.metric("loss")
        loss.append(value=0.9)                                  # next step: 0
        loss.append(value=0.8, epoch=5)                         # epoch is the step
        loss.append(value=0.7, step=7, epoch=2, acc=0.5, phase="val")
        loss.append_batch([{"value": 0.6, "step": 8}, {"value": 0.5}])
        run.metric("train").append(acc=0.1, lr=0.01, step=3)    # no value: only the field series
        run.parameters().set({"model": {"depth": 50, "act": "relu"}}, lr=0.1).set(lr=0.2)
        run.file(str(weights))                                  # default prefix "/": the base name
        run.file(str(weights), prefix="/ckpt/last/", name="final.bin")
        with pytest.raises(TypeError):
            loss.append(epoch=1)
    assert history(client, run.id, "loss") == ([0, 5, 7, 8, 9], [0.9, 0.8, 0.7, 0.6, 0.5])
    assert history(client, run.id, "loss/acc") == ([7], [0.5])
    assert history(client, run.id, "loss/epoch") == ([7], [2.0])
    assert table(client, run.id, "loss/fields") == [{"phase": "val", "step": 7}]
    assert history(client, run.id, "train/acc") == ([3], [0.1])
    assert history(client, run.id, "train/lr") == ([3], [0.01])
    assert sorted(m.key for m in client.list_metrics(run.id)) == [
        "loss", "loss/acc", "loss/epoch", "train/acc", "train/lr"]
    assert params(client, run.id) == {"model.depth": 50, "model.act": "relu", "lr": 0.2}
    assert run.parameters().get(flatten=False) == {"model": {"depth": 50, "act": "relu"}, "lr": 0.2}
    assert sorted(run.get_file_names()) == ["ckpt/last/final.bin", "w.bin"]
    assert run.metric("loss").read()["step"].tolist() == [0, 5, 7, 8, 9]


def test_seed_spellings_of_run_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError):
        labbook.Run(name="a", remote="127.0.0.1:1", local_path=str(tmp_path))
    with pytest.raises(ValueError):
        labbook.Run(experiment="a", experiment_name="b")
    run = labbook.Run(experiment_name="e", run_name="r", local_prefix=str(tmp_path / "p"),
                      tags=["x"], user_name="u")
    assert (run.experiment, run.name, run.offline_dir, run.tags) == ("e", "r", None, {"x": "", "user_name": "u"})
    with run:
        assert Path(run.offline_dir).parent == tmp_path / "p"


def test_experiment_workspace_may_be_an_address_or_nothing(server, client, tmp_path):
    run = labbook.Experiment(server.target, "by-address").start_logging(name="r1")
    run.log("n", 1)
    run.complete()
    assert find_run(client, "by-address", "r1").id == run.id
    assert status(client, run.id) == "COMPLETED"
    # no workspace and no LABBOOK_TRACKING_URI: an offline run of that experiment
    run = labbook.Experiment(None, "offline-exp", offline_dir=str(tmp_path / "off")).start_logging()
    run.complete()
    meta = json.loads((Path(run.offline_dir) / "run.json").read_text())
    assert (meta["experiment"], meta["status"]) == ("offline-exp", "COMPLETED")
    assert Path(run.offline_dir).parent == tmp_path / "off"
    with pytest.raises(ValueError):
        labbook.Experiment(client)
