"""The SDK against a real server with access control on (`--auth on --bootstrap-token`):
credentials from LABBOOK_TOKEN, from the credentials file that `labbook login` writes, and from
a token file; clear errors for a missing token and a revoked one; metric points logged while the
token is revoked are spooled, not lost, and stored exactly once with a new token."""
from __future__ import annotations

import logging
import os
import subprocess

import pytest

import labbook
from server_process import ROOT, ServerProcess, free_port, make_token

BOOTSTRAP = make_token("PyTestBootstrap")


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory):
    proc = ServerProcess(tmp_path_factory.mktemp("labbook-auth-server") / "data", http_port=free_port(),
                         bootstrap_token=BOOTSTRAP).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def admin(auth_server):
    with labbook.Client(auth_server.target, token=BOOTSTRAP) as c:
        yield c


@pytest.fixture(autouse=True)
def home(monkeypatch, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def new_token(admin, name, role="editor", project="vision"):
    response = admin.create_token(name, project, role, ttl_seconds=3600)
    assert response.secret.startswith("lbk_") and not response.token.revoke_time_ms
    return response.secret


def points(admin, run_id, key):
    return admin.get_metric_history(run_id, key)[0]


def test_the_env_token_authenticates(auth_server, admin, monkeypatch, exp_name):
    monkeypatch.setenv("LABBOOK_TOKEN", new_token(admin, "ci"))
    with labbook.start_run(exp_name, "env", project="vision", target=auth_server.target) as run:
        run.log_metric("loss", 0.5)
        run.log_parameter("lr", 0.1)
        caller = run.client.get_caller()
    assert caller.principal == "token:ci" and caller.method == "token" and caller.auth_enabled
    assert [(r.project, r.role) for r in caller.roles] == [("vision", labbook.client.access_pb2.ROLE_EDITOR)]
    assert points(admin, run.id, "loss") == [0]
    assert admin.get_run(run.id).creator == "token:ci"


def test_the_credentials_file_written_by_labbook_login(auth_server, admin, home, exp_name):
    token = new_token(admin, "laptop")
    login = subprocess.run(
        [str(ROOT / "bin" / "labbook"), "login", "--target", auth_server.target],
        input=token + "\n", capture_output=True, text=True, timeout=120,
        env=dict(os.environ, HOME=str(home), LABBOOK_NO_BUILD="1", JAVA_OPTS=f"-Duser.home={home}"))
    assert login.returncode == 0, login.stderr
    assert "token:laptop" in login.stdout and token not in login.stdout + login.stderr
    path = home / ".labbook" / "credentials"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with labbook.Run(exp_name, "file", project="vision", target=auth_server.target) as run:
        run.log_metric("acc", 0.9)
        assert run.client.credentials.current()[1] == f"{path} [{auth_server.target}]"
    assert points(admin, run.id, "acc") == [0]


def test_a_token_file(auth_server, admin, monkeypatch, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(new_token(admin, "pod") + "\n")
    monkeypatch.setenv("LABBOOK_TOKEN_FILE", str(token_file))
    assert labbook.Client(auth_server.target).get_caller().principal == "token:pod"


def test_no_token_is_a_clear_error(auth_server, exp_name):
    with pytest.raises(labbook.AuthenticationError) as caught:
        labbook.Run(exp_name, "none", project="vision", target=auth_server.target).open()
    assert caught.value.reason == "CREDENTIALS_MISSING"
    assert "LABBOOK_TOKEN" in str(caught.value) and "labbook login" in str(caught.value)


def test_a_viewer_cannot_write(auth_server, admin, exp_name):
    viewer = labbook.Client(auth_server.target, token=new_token(admin, "reader", role="viewer"))
    with pytest.raises(labbook.PermissionDeniedError) as caught:
        viewer.create_experiment(exp_name, "vision")
    assert caught.value.reason == "ROLE_MISSING" and "use a token with that role" in str(caught.value)


def test_revoked_mid_run_points_are_spooled_with_one_warning_then_stored_once_with_a_new_token(
        auth_server, admin, monkeypatch, tmp_path, caplog, exp_name):
    monkeypatch.setenv("LABBOOK_TOKEN", new_token(admin, "trainer-1"))
    run = labbook.Run(exp_name, "revoked", project="vision", target=auth_server.target,
                      spool_dir=str(tmp_path / "spool")).open()
    run._sender.spool_after_s = 0.5
    for step in range(1000):
        run.log_metric("loss", 1.0 / (step + 1))
    assert run.flush(30)
    admin.revoke_token(run.client.get_caller().token_id)
    with pytest.raises(labbook.AuthenticationError) as caught:        # synchronous calls: a clear error
        run.client.get_run(run.id)
    assert caught.value.reason == "TOKEN_REVOKED" and "revoked" in str(caught.value)
    with caplog.at_level(logging.INFO, logger="labbook"):
        run.log_parameter("lr", 0.1)     # queued like the points: kept (spooled) while refused
        for step in range(1000, 3000):
            run.log_metric("loss", 1.0 / (step + 1))
        run.log_text("logged while revoked")
        assert not run.flush(3)
        assert list((tmp_path / "spool").rglob("*.batch")), "the refused batches are in the spool"
        assert run.errors == []
        monkeypatch.setenv("LABBOOK_TOKEN", new_token(admin, "trainer-2"))   # e.g. a new login
        assert run.flush(60)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "TOKEN_REVOKED" in warnings[0] and "refuses this client's credentials" in warnings[0]
    run.close()
    assert points(admin, run.id, "loss") == list(range(3000))
    assert [line.text for line in admin.read_logs(run.id)] == ["logged while revoked"]
    assert {p.key: p.value.double_value for p in admin.get_run(run.id).params} == {"lr": 0.1}
    assert not list((tmp_path / "spool").rglob("*.batch"))
    assert not list((tmp_path / "spool").rglob("*.call"))


def test_a_process_that_ends_while_revoked_leaves_its_points_for_replay_with_a_new_token(
        auth_server, admin, monkeypatch, tmp_path, exp_name):
    client = labbook.Client(auth_server.target, token=new_token(admin, "short-lived"))
    run = labbook.Run(exp_name, "ends", project="vision", client=client, spool_dir=str(tmp_path / "spool")).open()
    run._sender.spool_after_s = 0.0
    admin.revoke_token(client.get_caller().token_id)
    for step in range(2500):
        run.log_metric("acc", float(step))
    run.close(status=None, timeout=2)                              # as if the process ended
    assert list((tmp_path / "spool").rglob("*.batch"))
    with pytest.raises(labbook.AuthenticationError):
        labbook.replay_spool(client, str(tmp_path / "spool"))       # still revoked: files kept
    fresh = labbook.Client(auth_server.target, token=new_token(admin, "replayer"))
    assert labbook.replay_spool(fresh, str(tmp_path / "spool")) >= 1
    assert labbook.replay_spool(fresh, str(tmp_path / "spool")) == 0
    assert points(admin, run.id, "acc") == list(range(2500))
    assert not list((tmp_path / "spool").rglob("*.batch"))


def test_a_spool_replayed_with_a_token_lacking_the_role_is_kept_for_one_that_has_it(auth_server, admin, home,
                                                                                   exp_name, tmp_path):
    """PERMISSION_DENIED says who replays, not what is replayed: neither SDK's replayer deletes
    spooled data for it (docs/sdk-protocol.md), so a viewer's `sync --spool` loses nothing."""
    from labbook.v1 import common_pb2, run_pb2, spool_pb2
    run = admin.open_run(experiment=exp_name, name="spooled-for-editor", project="vision").run
    writer = tmp_path / "spool" / run.id / "dead-writer"
    writer.mkdir(parents=True)
    calls = [spool_pb2.SpooledCall(set_run_tags=run_pb2.SetRunTagsRequest(run_id=run.id, tags={"from": "spool"})),
             spool_pb2.SpooledCall(log_params=run_pb2.LogParamsRequest(run_id=run.id, params=[
                 run_pb2.Param(key="lr", value=common_pb2.Value(double_value=0.1))]))]
    for n, call in enumerate(calls, 1):
        (writer / f"{n:020d}.call").write_bytes(call.SerializeToString())
    kept = sorted(p.name for p in writer.glob("*.call"))

    with labbook.Client(auth_server.target, token=new_token(admin, "looker", role="viewer")) as viewer:
        with pytest.raises(labbook.PermissionDeniedError):
            labbook.replay_spool(viewer, str(tmp_path / "spool"))
    viewer_token = new_token(admin, "looker-cli", role="viewer")
    java = subprocess.run(
        [str(ROOT / "bin" / "labbook"), "sync", "--spool", str(tmp_path / "spool"), "--target", auth_server.target],
        capture_output=True, text=True, timeout=120,
        env=dict(os.environ, LABBOOK_TOKEN=viewer_token, LABBOOK_NO_BUILD="1", JAVA_OPTS=f"-Duser.home={home}"))
    assert java.returncode != 0, java.stdout
    assert sorted(p.name for p in writer.glob("*.call")) == kept, "nothing deleted by either replayer"
    assert dict(admin.get_run(run.id).tags) == {}

    with labbook.Client(auth_server.target, token=new_token(admin, "replayer")) as editor:
        assert labbook.replay_spool(editor, str(tmp_path / "spool")) == 2
    stored = admin.get_run(run.id)
    assert dict(stored.tags) == {"from": "spool"} and [p.key for p in stored.params] == ["lr"]
    assert not writer.exists()
