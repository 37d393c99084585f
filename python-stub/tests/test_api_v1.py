"""The revised labbook.v1 API through the SDK, against the real server: run lifecycle and resume
policies, conditional updates, lookups by name, projects, paging, batch reads, retry-safe appends
under injected faults (tests/fault_proxy.py) and the typed errors the server's ErrorInfo gives."""
import threading

import pytest

import labbook
from labbook import _artifacts
from labbook.v1 import artifact_pb2, log_pb2, metric_pb2, run_pb2
from fault_proxy import FaultProxy


def status_of(client, run_id):
    return run_pb2.RunStatus.Name(client.get_run(run_id).status).replace("RUN_STATUS_", "")


@pytest.fixture
def proxy(server):
    p = FaultProxy(server.target).start()
    yield p
    p.stop()


@pytest.fixture
def proxied(proxy):
    with labbook.Client(proxy.target, retry_deadline_s=20) as c:
        yield c


# -- run lifecycle --------------------------------------------------------------------------------
def test_resume_policies(client, exp_name):
    with pytest.raises(labbook.RunNotFoundError) as missing:
        labbook.Run(exp_name, "first", client=client, resume="must").open()
    assert missing.value.reason in ("RUN_NOT_FOUND", "EXPERIMENT_NOT_FOUND")
    with labbook.Run(exp_name, "first", client=client, resume="never") as run:
        assert not run.resumed
        run.log_metric("loss", 1.0)
    with pytest.raises(labbook.RunAlreadyExistsError) as taken:
        labbook.Run(exp_name, "FIRST", client=client, resume="never").open()
    assert taken.value.reason == "RUN_ALREADY_EXISTS"
    with labbook.start_run(exp_name, "first", client=client, resume="must") as again:
        assert again.resumed and again.id == run.id
        again.log_metric("loss", 0.5)
    assert client.get_metric_history(run.id, "loss")[0] == [0, 1]
    assert status_of(client, run.id) == "COMPLETED"


def test_open_run_start_time_and_cancel_run_end_time(client, exp_name):
    import time
    start = int(time.time() * 1000) - 3_600_000 - 9
    run = client.open_run(experiment=exp_name, name="from-elsewhere", start_time_ms=start).run
    assert run.start_time_ms == start
    canceled = client.cancel_run(run.id, end_time_ms=start + 77)
    assert (canceled.start_time_ms, canceled.end_time_ms) == (start, start + 77)
    with pytest.raises(labbook.InvalidArgumentError):
        client.open_run(experiment=exp_name, name="tomorrow", start_time_ms=int(time.time() * 1000) + 86_400_000)


def test_open_run_reports_resume_and_experiment_creation(client, exp_name):
    first = client.open_run(experiment=exp_name, name="r")
    assert first.experiment_created and not first.resumed
    second = client.open_run(experiment=exp_name, name="r")
    assert second.resumed and not second.experiment_created and second.run.id == first.run.id
    with pytest.raises(labbook.ExperimentNotFoundError):
        client.open_run(experiment=exp_name + "-nope", name="r", create_experiment_if_missing=False)
    client.finish_run(first.run.id)


def test_queued_run_is_started_finished_and_transitions_are_checked(client, exp_name):
    experiment = client.create_experiment(exp_name, return_existing=True)
    queued = client.create_run(experiment_id=experiment.id, name="job", queued=True)
    assert run_pb2.RunStatus.Name(queued.status) == "RUN_STATUS_QUEUED"
    assert queued.start_time_ms == 0 and queued.create_time_ms > 0
    with pytest.raises(labbook.InvalidStatusTransitionError):
        client.finish_run(queued.id, "COMPLETED")  # a QUEUED run can only fail
    started = client.start_queued_run(queued.id)
    assert run_pb2.RunStatus.Name(started.status) == "RUN_STATUS_RUNNING" and started.start_time_ms > 0
    done = client.finish_run(queued.id, "COMPLETED", end_time_ms=started.start_time_ms + 5)
    assert done.end_time_ms == started.start_time_ms + 5
    assert client.finish_run(queued.id, "COMPLETED").status == done.status  # again: no-op
    with pytest.raises(labbook.InvalidStatusTransitionError) as refused:
        client.cancel_run(queued.id)
    assert refused.value.reason == "INVALID_STATUS_TRANSITION"
    assert refused.value.metadata.get("status", "").endswith("COMPLETED")
    with pytest.raises(labbook.RunAlreadyExistsError):
        client.create_run(experiment_id=experiment.id, name="job")


def test_create_run_with_the_same_request_id_returns_the_first_run(client, exp_name):
    experiment = client.create_experiment(exp_name, return_existing=True)
    one = client.create_run(experiment_id=experiment.id, name="once", request_id="req-1")
    two = client.create_run(experiment_id=experiment.id, name="once", request_id="req-1")
    assert one.id == two.id
    client.cancel_run(one.id)


def test_a_run_finished_by_someone_else_keeps_their_status(client, exp_name):
    run = labbook.Run(exp_name, "canceled-under-us", client=client).open()
    run.log_metric("loss", 1.0)
    client.cancel_run(run.id)          # e.g. from the UI
    run.complete()                     # not raised: a warning, the cancel stands
    assert run.status == "CANCELED" and status_of(client, run.id) == "CANCELED"


# -- updates, lookups, projects ------------------------------------------------------------------
def test_update_run_by_mask_and_etag(client, exp_name):
    with labbook.Run(exp_name, "before", client=client, description="d0") as run:
        read = run.get_details()
        assert read.etag
        changed = client.update_run(run.id, description="d1", etag=read.etag)
        assert changed.description == "d1" and changed.name == "before" and changed.etag != read.etag
        with pytest.raises(labbook.EtagMismatchError) as stale:
            client.update_run(run.id, name="after", etag=read.etag)
        assert stale.value.reason == "ETAG_MISMATCH"
        assert isinstance(stale.value, labbook.FailedPreconditionError)
        run.rename("after")
        assert run.name == "after"
        run.description = "d2"
    got = client.get_run(experiment=exp_name, name="after")
    assert got.id == run.id and got.description == "d2"
    with pytest.raises(labbook.RunNotFoundError):
        client.get_run(experiment=exp_name, name="before")


def test_get_run_by_name_is_read_only(client, exp_name):
    with labbook.Run(exp_name, "finished", client=client) as run:
        pass
    experiment = client.get_experiment(exp_name)
    for found in (client.get_run(experiment=exp_name, name="FINISHED"),
                  client.get_run(experiment_id=experiment.id, name="finished")):
        assert found.id == run.id
    got = client.get_run(run.id)
    assert got.resume_count == 0 and status_of(client, run.id) == "COMPLETED"
    with pytest.raises(labbook.ExperimentNotFoundError):
        client.get_run(experiment=exp_name + "-missing", name="finished")


def test_experiment_tags_update_and_etag(client, exp_name):
    experiment = client.create_experiment(exp_name, tags={"a": "1", "b": "2"})
    assert client.set_experiment_tags(experiment.id, {"c": 3}, remove_keys=["a"]) == {"b": "2", "c": "3"}
    current = client.get_experiment(experiment_id=experiment.id)
    updated = client.update_experiment(experiment.id, description="new", etag=current.etag)
    assert updated.description == "new" and dict(updated.tags) == {"b": "2", "c": "3"}
    with pytest.raises(labbook.EtagMismatchError):
        client.update_experiment(experiment.id, folder="/x", etag=current.etag)
    with pytest.raises(labbook.ExperimentAlreadyExistsError):
        client.create_experiment(exp_name)


def test_projects(client, exp_name):
    client.create_experiment(exp_name, "proj-" + exp_name[-8:])
    names = [p.name for p in client.list_projects(page_size=1)]
    assert "default" in names and "proj-" + exp_name[-8:] in names and names == sorted(names)
    project = client.get_project("proj-" + exp_name[-8:])
    assert project.experiment_count == 1
    with pytest.raises(labbook.NotFoundError):
        client.get_project("no-such-project-" + exp_name[-8:])


# -- reads: paging, ranges, batches, cursors -------------------------------------------------
def test_list_metrics_and_tables_follow_the_pages(client, exp_name):
    with labbook.Run(exp_name, "many", client=client) as run:
        for i in range(25):
            run.log_metric(f"k/{i:02d}", float(i))
        run.log_metric("other", 1.0)
        for t in range(5):
            run.log_row(f"t{t}", a=t, b="x")
        run.log_list("t0", [1, 2])
    keys = [m.key for m in client.list_metrics(run.id, page_size=4)]
    assert keys == sorted([f"k/{i:02d}" for i in range(25)] + ["other"])
    assert len(client.list_metrics(run.id, key_prefix="k/", page_size=7)) == 25
    tables = client.list_tables(run.id, page_size=2)
    assert [t.name for t in tables] == [f"t{t}" for t in range(5)]
    assert tables[0].row_count == 3 and [c.name for c in tables[0].columns] == ["a", "b", "value"]
    assert run.get_metrics()["t1"] == {"a": [1.0], "b": ["x"]}


def test_metric_history_range_and_batch(client, exp_name):
    runs = []
    for r in range(3):
        with labbook.Run(exp_name, f"r{r}", client=client) as run:
            for step in range(100):
                run.log_metric("loss", r + step / 100, step=step)
            if r == 0:
                run.log_metric("acc", 0.5, step=0)
        runs.append(run)
    steps, _, values = client.get_metric_history(runs[1].id, "loss", start_step=10, end_step=12)
    assert steps == [10, 11, 12] and values == [1.1, 1.11, 1.12]
    assert client.get_metric_history(runs[1].id, "loss", start_step=95)[0] == [95, 96, 97, 98, 99]
    assert client.get_metric_history(runs[1].id, "loss", end_step=1)[0] == [0, 1]
    assert runs[2].get_metric_history("loss", as_dataframe=False, start_step=98)[0].value == 2.98
    series = client.batch_get_metric_history([r.id for r in runs], ["loss", "acc"], start_step=0, end_step=49)
    assert list(series) == [(runs[0].id, "loss"), (runs[0].id, "acc"), (runs[1].id, "loss"), (runs[2].id, "loss")]
    assert series[(runs[2].id, "loss")][0] == list(range(50))
    small = client.batch_get_metric_history([runs[0].id], ["loss"], max_points=10)
    assert 2 <= len(small[(runs[0].id, "loss")][0]) <= 20


def test_a_broken_history_stream_resumes_from_its_cursor(client, proxy, proxied, exp_name):
    total = 300_000
    with labbook.Run(exp_name, "long", client=client) as run:
        for step in range(total):
            run.log_metric("loss", step * 0.25, step=step)
    # How many messages the server sends for the whole series: cut the stream in the middle.
    pieces = list(client.stub("metrics").GetMetricHistory(
        metric_pb2.GetMetricHistoryRequest(run_id=run.id, key="loss")))
    assert len(pieces) >= 2, "the series must span several messages for this test"
    assert all(p.next_page_token for p in pieces[:-1])
    proxy.break_stream("GetMetricHistory", after=len(pieces) // 2)
    steps, _, values = proxied.get_metric_history(run.id, "loss")
    assert steps == list(range(total)) and values == [s * 0.25 for s in range(total)]
    sent = proxy.requests_of("GetMetricHistory", metric_pb2.GetMetricHistoryRequest)
    assert len(sent) == 2 and sent[0].page_token == ""
    assert sent[1].page_token == pieces[len(pieces) // 2 - 1].next_page_token, \
        "the second call resumes after the last message received, not from the start"


# -- retry-safe appends --------------------------------------------------------------------------
def test_a_resent_sequence_is_acknowledged_not_stored_twice(client, exp_name):
    with labbook.Run(exp_name, "dup", client=client) as run:
        line = [log_pb2.LogLine(timestamp_ms=1, level=log_pb2.LOG_LEVEL_INFO, text="once")]
        first = client.append_log_lines(run.id, line, writer_id="w-logs", sequence=1)
        again = client.append_log_lines(run.id, line, writer_id="w-logs", sequence=1)
        assert (first.duplicate, again.duplicate) == (False, True) and again.accepted_lines == 0
        row = [metric_pb2.TableRow(cells={"v": metric_pb2.TableCell(number_value=1.0)})]
        first_rows = client.append_table_rows(run.id, "t", row, writer_id="w-rows", sequence=1)
        again_rows = client.append_table_rows(run.id, "t", row, writer_id="w-rows", sequence=1)
        assert (first_rows.duplicate, again_rows.duplicate) == (False, True) and again_rows.row_count == 1
        assert client.get_writer_state(run.id, "w-logs") == 1
        assert client.get_writer_state(run.id, "w-rows") == 1
        assert client.get_writer_state(run.id, "never-wrote") == 0
    assert [l.text for l in client.read_logs(run.id)] == ["once"]


def test_log_lines_whose_answer_was_lost_are_stored_once(proxy, proxied, client, exp_name):
    run = labbook.Run(exp_name, "lost-log-answer", client=proxied).open()
    proxy.lose_answer("AppendLogLines", times=2)
    for i in range(5):
        run.log_text(f"line {i}")
    assert run.flush(30)
    run.log_text("after")
    assert run.flush(30)
    run.complete()
    assert run.errors == []
    assert [l.text for l in client.read_logs(run.id)] == [f"line {i}" for i in range(5)] + ["after"]
    sent = proxy.requests_of("AppendLogLines", log_pb2.AppendLogLinesRequest)
    assert {r.writer_id for r in sent} == {run._sender.lines_writer_id}
    assert proxy.requests.get("GetWriterState"), "the sender asked where the lines writer stood"


def test_table_rows_whose_answer_was_lost_are_stored_once(proxy, proxied, client, exp_name):
    run = labbook.Run(exp_name, "lost-row-answer", client=proxied).open()
    proxy.lose_answer("AppendTableRows")
    run.log_row("per_epoch", epoch=0, loss=1.0)
    run.log_table("per_epoch", {"epoch": [1, 2], "loss": [0.5, 0.25]})
    run.complete()
    columns, rows = client.get_table(run.id, "per_epoch")
    assert [r.cells["epoch"].number_value for r in rows] == [0.0, 1.0, 2.0]
    sent = proxy.requests_of("AppendTableRows", metric_pb2.AppendTableRowsRequest)
    # rows are sent by the sender thread: after the lost answer it asks GetWriterState, learns
    # that sequence 1 was committed and goes on with 2 (a resend of 1 would be a duplicate)
    assert [(r.writer_id, r.sequence) for r in sent] == [(run._sender.tables.writer_id, 1),
                                                          (run._sender.tables.writer_id, 2)]
    assert proxy.requests.get("GetWriterState"), "the sender asked where the table writer stood"
    assert run.errors == []


def test_concurrent_table_appends_lose_nothing(client, exp_name):
    run = labbook.Run(exp_name, "threads-rows", client=client).open()

    def worker(i):
        for j in range(20):
            run.log_row("rows", worker=i, j=j)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.complete()
    assert client.list_tables(run.id)[0].row_count == 80


def test_metric_batches_whose_answer_was_lost_are_stored_once(proxy, proxied, client, exp_name):
    run = labbook.Run(exp_name, "lost-metric-answer", client=proxied).open()
    proxy.lose_answer("LogMetrics")
    for step in range(10_000):
        run.log_metric("loss", float(step), step=step)
    assert run.flush(30)
    run.complete()
    assert client.get_metric_history(run.id, "loss")[0] == list(range(10_000))


def test_an_upload_whose_answer_was_lost_is_not_sent_again(proxy, proxied, client, exp_name, tmp_path):
    import os

    run = labbook.Run(exp_name, "lost-upload-answer", client=proxied).open()
    proxy.lose_answer("UploadArtifact")
    data = os.urandom(3 * 1024 * 1024 + 7)
    assert run.upload_file("model.bin", data)["size_bytes"] == len(data)
    assert len(proxy.requests["UploadArtifact"]) == 1, "the finished upload is not sent again"
    [status] = proxy.requests_of("GetUploadStatus", artifact_pb2.GetUploadStatusRequest)
    assert status.run_id == run.id and status.upload_id
    run.complete()
    target = tmp_path / "back.bin"
    _artifacts.download(client, run.id, "model.bin", str(target))
    assert target.read_bytes() == data


# -- errors from the real server ------------------------------------------------------------------
def test_errors_carry_error_info(client, exp_name):
    with pytest.raises(labbook.RunNotFoundError) as missing:
        client.get_run("01a20a84-5459-7a28-8ee9-e332301dd0b5")
    assert missing.value.reason == "RUN_NOT_FOUND" and missing.value.domain == "labbook.dev"
    with pytest.raises(labbook.InvalidArgumentError) as bad:
        client.get_run("not-a-uuid")
    assert bad.value.reason and bad.value.field == "run_id"
    with pytest.raises(labbook.ExperimentNotFoundError):
        client.get_experiment(exp_name + "-none")


def test_upload_offset_mismatch_names_the_offset(client, exp_name):
    import uuid

    with labbook.Run(exp_name, "offsets", client=client) as run:
        header = artifact_pb2.UploadHeader(run_id=run.id, path="f.bin", size_bytes=10, offset=5,
                                           upload_id=str(uuid.uuid4()))
        requests = iter([artifact_pb2.UploadArtifactRequest(header=header),
                         artifact_pb2.UploadArtifactRequest(chunk=b"12345")])
        with pytest.raises(labbook.UploadOffsetMismatchError) as caught:
            _raise_typed(lambda: client.stub("artifacts").UploadArtifact(requests, timeout=30))
        assert caught.value.reason == "UPLOAD_OFFSET_MISMATCH"
        assert caught.value.expected_offset == 0, "a new upload starts at 0: the error says so as data"


def _raise_typed(fn):
    import grpc
    from labbook.errors import from_rpc_error

    try:
        return fn()
    except grpc.RpcError as error:
        raise from_rpc_error(error) from error
