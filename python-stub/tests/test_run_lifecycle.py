"""The three usage styles, resume by name, final statuses and the explicit client."""
import pytest

import labbook
from labbook.v1 import run_pb2


def status_of(client, run_id):
    return run_pb2.RunStatus.Name(client.get_run(run_id).status)


def test_context_manager_completes_the_run(client, exp_name):
    with labbook.start_run(experiment=exp_name, name="ctx", project="default", description="first try",
                           tags={"team": "vision"}, client=client) as run:
        assert labbook.active_run() is run
        run.log_metric("loss", 0.5)
    assert labbook.active_run() is None
    got = client.get_run(run.id)
    assert run_pb2.RunStatus.Name(got.status) == "RUN_STATUS_COMPLETED"
    assert got.name == "ctx" and got.description == "first try" and dict(got.tags) == {"team": "vision"}
    assert got.source.host and got.source.working_dir


def test_context_manager_fails_the_run_on_exception(client, exp_name):
    with pytest.raises(ZeroDivisionError):
        with labbook.start_run(experiment=exp_name, name="boom", client=client) as run:
            1 / 0
    assert status_of(client, run.id) == "RUN_STATUS_FAILED"
    assert any("ZeroDivisionError" in line["text"] for line in run_logs(client, run.id))


def run_logs(client, run_id):
    return [{"text": l.text, "level": l.level} for l in client.read_logs(run_id)]


def test_start_run_without_with_and_module_level_calls(client, exp_name):
    run = labbook.start_run(experiment=exp_name, name="plain", client=client)
    labbook.log_metric("loss", 1.0)
    labbook.log_metrics({"loss": 0.5, "acc": 0.7}, step=5)
    labbook.log_param("lr", 0.01)
    labbook.log_params({"epochs": 3})
    labbook.set_tags({"stage": "dev"})
    labbook.log_text("hello")
    labbook.end_run()
    assert run.status == "COMPLETED" and labbook.active_run() is None
    assert status_of(client, run.id) == "RUN_STATUS_COMPLETED"
    steps, _, values = client.get_metric_history(run.id, "loss")
    assert steps == [0, 5] and values == [1.0, 0.5]
    assert {p.key for p in client.get_run(run.id).params} == {"lr", "epochs"}
    assert client.get_run(run.id).tags["stage"] == "dev"


def test_decorator_passes_the_run_in(client, exp_name):
    seen = {}

    @labbook.experiment(exp_name, name="decorated", client=client)
    def train(run, lr, epochs=2):
        seen["run"] = run
        run.log_parameter("lr", lr)
        for epoch in range(epochs):
            run.log_metric("loss", 1.0 / (epoch + 1))
        return "done"

    assert train(0.1, epochs=3) == "done"
    run = seen["run"]
    assert status_of(client, run.id) == "RUN_STATUS_COMPLETED"
    assert client.get_metric_history(run.id, "loss")[0] == [0, 1, 2]

    @labbook.experiment(exp_name, name="decorated-fails", client=client)
    def broken(run):
        seen["broken"] = run
        raise ValueError("bad data")

    with pytest.raises(ValueError):
        broken()
    assert status_of(client, seen["broken"].id) == "RUN_STATUS_FAILED"


def test_explicit_open_complete(client, exp_name):
    run = labbook.Run(experiment=exp_name, name="explicit", client=client)
    with pytest.raises(RuntimeError):
        run.log_metric("loss", 1.0)  # not open yet
    run.open()
    assert status_of(client, run.id) == "RUN_STATUS_RUNNING"
    run.log_metric("loss", 1.0)
    run.complete()
    assert status_of(client, run.id) == "RUN_STATUS_COMPLETED"
    with pytest.raises(RuntimeError):
        run.log_metric("loss", 2.0)  # closed


def test_fail_and_cancel(client, exp_name):
    failed = labbook.Run(exp_name, "f", client=client).open()
    failed.fail(RuntimeError("diverged"))
    canceled = labbook.Run(exp_name, "c", client=client).open()
    canceled.cancel()
    assert status_of(client, failed.id) == "RUN_STATUS_FAILED"
    assert status_of(client, canceled.id) == "RUN_STATUS_CANCELED"


def test_reopening_the_same_name_resumes_and_continues_steps(client, exp_name):
    with labbook.start_run(experiment=exp_name, name="resumable", client=client) as first:
        first.log_metric("loss", 1.0)
        first.log_metric("loss", 0.9)
        first.log_parameter("lr", 0.1)
    with labbook.start_run(experiment=exp_name, name="resumable", client=client, tags={"x": "1"}) as again:
        assert again.resumed and again.id == first.id
        again.log_metric("loss", 0.8)
    steps, _, values = client.get_metric_history(first.id, "loss")
    assert steps == [0, 1, 2] and values == [1.0, 0.9, 0.8]
    got = client.get_run(first.id)
    assert got.resume_count == 1 and got.tags["x"] == "1" and got.params[0].key == "lr"
    assert run_pb2.RunStatus.Name(got.status) == "RUN_STATUS_COMPLETED"


def test_nested_runs_and_parent(client, exp_name):
    with labbook.start_run(experiment=exp_name, name="parent", client=client) as parent:
        with labbook.start_run(experiment=exp_name, name="child", client=client,
                               parent_run_id=parent.id) as child:
            assert labbook.active_run() is child
            labbook.log_metric("fold_acc", 0.9)
        assert labbook.active_run() is parent
    assert client.get_run(child.id).parent_run_id == parent.id
    assert client.list_metrics(child.id)[0].key == "fold_acc"
    assert client.list_metrics(parent.id) == []


def test_client_is_usable_from_threads(client, exp_name):
    import threading

    run = labbook.Run(exp_name, "threads", client=client).open()
    errors = []

    def worker(i):
        try:
            for step in range(1000):
                run.log_metric(f"w{i}", step, step=step)
            run.log_parameter(f"p{i}", i)
        except Exception as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.complete()
    assert not errors
    summaries = {m.key: m.count for m in client.list_metrics(run.id)}
    assert summaries == {f"w{i}": 1000 for i in range(4)}


def test_attach_by_run_id_does_not_set_status(client, exp_name):
    owner = labbook.Run(exp_name, "owned", client=client).open()
    attached = labbook.Run(run_id=owner.id, client=client).open()
    assert attached.name == "owned"
    attached.log_metric("x", 1.0)
    attached.close()
    assert status_of(client, owner.id) == "RUN_STATUS_RUNNING"
    assert client.list_metrics(owner.id)[0].count == 1
    owner.complete()


def test_typed_errors(client, exp_name):
    with pytest.raises(labbook.NotFoundError):
        client.get_run("01a20a84-5459-7a28-8ee9-e332301dd0b5")
    with pytest.raises(labbook.InvalidArgumentError) as info:
        client.get_run("not-a-uuid")
    assert info.value.field == "run_id"
    with pytest.raises(labbook.NotFoundError):
        labbook.Run(run_id="01a20a84-5459-7a28-8ee9-e332301dd0b5", client=client).open()
    with labbook.start_run(experiment=exp_name, name="errs", client=client) as run:
        with pytest.raises(labbook.InvalidArgumentError) as bad_key:
            run.log_metric("bad\nkey", 1.0)
        assert bad_key.value.field == "key"
        with pytest.raises(labbook.InvalidArgumentError):
            client.log_params(run.id, {"x" * 300: 1})


def test_unreachable_server_is_unavailable_after_retries():
    from server_process import free_port
    c = labbook.Client(f"127.0.0.1:{free_port()}", retry_deadline_s=1.0)
    with pytest.raises(labbook.UnavailableError):
        c.get_run("01a20a84-5459-7a28-8ee9-e332301dd0b5")


def test_client_start_run_leaves_the_fluent_stack_alone(client, exp_name):
    with client.start_run(exp_name, "direct", tags={"via": "client"}) as run:
        assert labbook.active_run() is None
        run.log_metric("x", 1.0)
    assert status_of(client, run.id) == "RUN_STATUS_COMPLETED"
    assert client.get_run(run.id).tags["via"] == "client"


def test_load_run_by_names_and_get_context_inside_start_run(client, exp_name):
    with labbook.start_run(experiment=exp_name, name="ctx-active", client=client) as run:
        assert labbook.Run.get_context() is run
        assert labbook.load_run() is run
    # load_run finds the run read-only (GetRun) and attaches: no resume, the status stays
    with labbook.load_run(exp_name, "ctx-active", client=client) as again:
        assert again.id == run.id and not again.resumed
        again.log_metric("after", 1.0)
    got = client.get_run(run.id)
    assert got.resume_count == 0 and status_of(client, run.id) == "RUN_STATUS_COMPLETED"
    by_id = labbook.load_run(run_id=run.id, client=client)
    assert by_id.name == "ctx-active"
    by_id.close()
    assert [m.key for m in client.list_metrics(run.id)] == ["after"]
    with pytest.raises(labbook.RunNotFoundError):
        labbook.load_run(exp_name, "never-made", client=client)
    with pytest.raises(labbook.ExperimentNotFoundError):
        labbook.load_run(exp_name + "-missing", "ctx-active", client=client)
    # a typo creates nothing: no experiment, no (zombie) run
    experiment = client.get_experiment(exp_name)
    assert [r.name for r in client.search_runs(experiment_ids=[experiment.id])] == ["ctx-active"]
    with pytest.raises(labbook.ExperimentNotFoundError):
        client.get_experiment(exp_name + "-missing")
    with pytest.raises(labbook.RunNotFoundError):
        labbook.load_run(run_id="01a20a84-5459-7a28-8ee9-e332301dd0b5", client=client)


def test_repeated_explicit_steps_after_a_resume_warn_once_per_key_and_keep_both(client, exp_name, caplog):
    with labbook.start_run(exp_name, "rerun", client=client) as first:
        for step in range(3):
            first.log_metric("loss", float(step), step=step)
    caplog.set_level("WARNING", logger="labbook")
    with labbook.start_run(exp_name, "rerun", client=client) as again:  # the script run again
        assert again.resumed
        for step in range(3):
            again.log_metric("loss", 10.0 + step, step=step)
        again.log_metric("acc", 1.0, step=0)   # a new key repeats nothing
        again.log_metric("loss", 13.0, step=3)  # after the stored steps: no warning
        history = again.get_metric_history("loss", as_dataframe=False)
    warnings = [r.getMessage() for r in caplog.records if "logged again" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert "'loss'" in warnings[0] and "up to 2" in warnings[0] and "Both points are kept" in warnings[0]
    assert [p.step for p in history] == [0, 0, 1, 1, 2, 2, 3]  # both kept, in arrival order per step
    assert [p.value for p in history] == [0.0, 10.0, 1.0, 11.0, 2.0, 12.0, 13.0]


def test_no_warning_for_steps_after_the_stored_ones_or_without_resume(client, exp_name, caplog):
    caplog.set_level("WARNING", logger="labbook")
    with labbook.start_run(exp_name, "fresh", client=client) as run:
        run.log_metric("loss", 1.0, step=5)
        run.log_metric("loss", 2.0, step=1)  # out of order in one session: not a repeat of stored steps
    with labbook.start_run(exp_name, "fresh", client=client) as again:
        again.log_metric("loss", 3.0, step=6)
        again.log_metric("loss", 4.0)  # automatic: step 7
    assert not [r for r in caplog.records if "logged again" in r.getMessage()]


def test_runs_that_name_a_server_share_one_client(server, monkeypatch):
    a = labbook.Run("e", "a", target=server.target)
    b = labbook.Run("e", "b", target=server.target)
    monkeypatch.setenv("LABBOOK_TRACKING_URI", server.target)
    c = labbook.Run("e", "c")
    assert a.client is b.client is c.client, "one channel per target, not one per run"
