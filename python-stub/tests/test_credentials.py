"""Credentials on the client side, against a fake server in this process (tests/fake_server.py):
which token is sent (order of the sources, token file rotation, the credentials file), that
every kind of call carries it, typed errors, and a token refused mid-run: points kept and
spooled, one warning, then delivered exactly once with a new token."""
from __future__ import annotations

import logging
import os
import stat
import threading
import time

import pytest

import labbook
from labbook import _credentials
from labbook.v1 import metric_pb2

from fake_server import FakeServer


@pytest.fixture
def fake():
    server = FakeServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def home(monkeypatch, tmp_path):
    """A home of its own (for ~/.labbook/credentials) and no token in the environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("LABBOOK_TOKEN", raising=False)
    monkeypatch.delenv("LABBOOK_TOKEN_FILE", raising=False)
    return home


def login(home, server, token, mode=0o600):
    path = home / ".labbook" / "credentials"
    path.parent.mkdir(mode=0o700, exist_ok=True)
    text = path.read_text() if path.exists() else "# Labbook credentials\n"
    path.write_text(text + f"[{server}]\ntoken = {token}\n")
    os.chmod(path, mode)
    return path


def every_kind_of_call(client):
    client.server_info()                                                   # unary
    client.log_metric_batches([metric_pb2.LogMetricsRequest(batch=metric_pb2.MetricBatch(
        run_id="r", writer_id="w", sequence=1, keys=["k"], key_index=[0], step=[0], timestamp_ms=[1],
        value=[1.0]))])                                                    # client stream
    client.get_metric_history("r", "k")                                    # server stream


def test_no_credentials_no_header(fake):
    with labbook.Client(fake.target) as client:
        every_kind_of_call(client)
    assert fake.auth_of() == ["(none)"] * 3


def test_env_token_on_every_kind_of_call(fake, monkeypatch):
    monkeypatch.setenv("LABBOOK_TOKEN", "lbk_env")
    with labbook.Client(fake.target) as client:
        every_kind_of_call(client)
    assert fake.auth_of() == ["Bearer lbk_env"] * 3


def test_order_code_then_env_then_token_file_then_credentials_file(fake, monkeypatch, home, tmp_path):
    login(home, fake.target, "lbk_file")
    client = labbook.Client(fake.target)
    assert client.credentials.current() == ("lbk_file", f"{home}/.labbook/credentials [{fake.target}]")
    token_file = tmp_path / "sa-token"
    token_file.write_text("  eyJ.projected.sa  \n")
    monkeypatch.setenv("LABBOOK_TOKEN_FILE", str(token_file))
    assert client.credentials.token() == "eyJ.projected.sa"
    monkeypatch.setenv("LABBOOK_TOKEN", "lbk_env")
    assert client.credentials.token() == "lbk_env"
    explicit = labbook.Client(fake.target, token="lbk_code")
    assert explicit.credentials.current() == ("lbk_code", "the token given in code")
    explicit.server_info()
    assert fake.auth_of("GetServerInfo") == ["Bearer lbk_code"]
    assert "lbk_code" not in repr(explicit) and "lbk_" not in repr(client)
    run = labbook.Run("exp", "r", target=fake.target, token="lbk_run")        # not opened
    assert run.client.credentials.current() == ("lbk_run", "the token given in code")


def test_the_credentials_file_section_is_the_servers_host_and_port(fake, home):
    login(home, "otherhost:7800", "lbk_other")
    client = labbook.Client(fake.target)
    assert client.credentials.token() is None
    login(home, fake.target, "lbk_mine")          # a login while the client lives is picked up
    client.server_info()
    assert fake.auth_of() == ["Bearer lbk_mine"]
    assert labbook.Client(f"grpc://{fake.target}").credentials.token() == "lbk_mine"


def test_a_rotated_token_file_is_read_again(fake, monkeypatch, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("sa-token-1\n")
    monkeypatch.setenv("LABBOOK_TOKEN_FILE", str(token_file))
    with labbook.Client(fake.target) as client:
        client.server_info()
        # the kubelet swaps in a new file (new content, new mtime)
        fresh = tmp_path / "token.next"
        fresh.write_text("sa-token-two\n")
        later = os.stat(token_file).st_mtime_ns + 5_000_000_000
        os.utime(fresh, ns=(later, later))
        os.replace(fresh, token_file)
        client.call("server", "GetServerInfo", labbook.client.server_pb2.GetServerInfoRequest())
    assert fake.auth_of() == ["Bearer sa-token-1", "Bearer sa-token-two"]


def test_a_watched_file_is_read_again_after_60_s_even_if_it_looks_unchanged(tmp_path):
    path = tmp_path / "t"
    path.write_text("aaaa")
    st = os.stat(path)
    now = [0.0]
    watched = _credentials.WatchedFile(str(path), str.strip, lambda p: None, clock=lambda: now[0])
    assert watched.get() == "aaaa"
    path.write_text("bbbb")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))   # a change the stat cannot see
    now[0] = 59.0
    assert watched.get() == "aaaa"
    now[0] = 60.0
    assert watched.get() == "bbbb"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork")
def test_a_forked_child_reads_a_watched_file_that_a_parent_thread_was_reading(tmp_path):
    # test_forked_child_gets_a_fresh_writer's flake, made certain: the parent's sender thread was
    # inside WatchedFile.get() (every call asks for the token; get() holds its lock over an
    # os.stat) when the main thread forked, and the child's sender waited on that lock forever.
    path = tmp_path / "t"
    path.write_text("aaaa")
    parent = os.getpid()
    inside, leave = threading.Event(), threading.Event()

    def parse(text):
        if os.getpid() == parent:   # the parent's reader stays inside get(), lock held
            inside.set()
            leave.wait(30)
        return text.strip()

    watched = _credentials.WatchedFile(str(path), parse, lambda p: None)
    reader = threading.Thread(target=watched.get)
    reader.start()
    assert inside.wait(10)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            got = []
            child_reader = threading.Thread(target=lambda: got.append(watched.get()), daemon=True)
            child_reader.start()
            child_reader.join(10)
            code = 0 if got == ["aaaa"] else 2
        finally:
            os._exit(code)
    leave.set()
    reader.join()
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0, "the child's get() waited on the lock the parent's thread held"
    assert watched.get() == "aaaa"   # the parent's lock works as before


def test_a_missing_token_file_warns_once_and_falls_back(fake, monkeypatch, home, tmp_path, caplog):
    monkeypatch.setenv("LABBOOK_TOKEN_FILE", str(tmp_path / "not-yet"))
    login(home, fake.target, "lbk_file")
    client = labbook.Client(fake.target)
    with caplog.at_level(logging.WARNING, logger="labbook"):
        assert client.credentials.token() == "lbk_file"
        assert client.credentials.token() == "lbk_file"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "LABBOOK_TOKEN_FILE" in warnings[0] and "does not exist" in warnings[0]
    (tmp_path / "not-yet").write_text("late")
    assert client.credentials.token() == "late"


def test_a_credentials_file_readable_by_others_warns_once_without_the_token(fake, home, caplog):
    path = login(home, fake.target, "lbk_secret_value", mode=0o644)
    with caplog.at_level(logging.WARNING, logger="labbook"):
        labbook.Client(fake.target).server_info()
        labbook.Client(fake.target).server_info()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "chmod 600" in warnings[0] and str(path) in warnings[0]
    assert "lbk_secret" not in caplog.text
    assert fake.auth_of() == ["Bearer lbk_secret_value"] * 2
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644   # warned, not changed behind the user's back


def test_a_refused_token_is_a_clear_typed_error(fake, monkeypatch):
    fake.refused.add("Bearer lbk_revoked")
    monkeypatch.setenv("LABBOOK_TOKEN", "lbk_revoked")
    with pytest.raises(labbook.AuthenticationError) as caught:
        labbook.Client(fake.target).server_info()
    error = caught.value
    assert isinstance(error, labbook.UnauthenticatedError) and error.reason == "TOKEN_REVOKED"
    assert "was revoked" in str(error) and "LABBOOK_TOKEN" in str(error) and "labbook login" in str(error)
    assert "lbk_revoked" not in str(error)


def test_a_token_revoked_mid_run_spools_points_warns_once_and_a_new_token_delivers_them_exactly_once(
        fake, monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("LABBOOK_TOKEN", "lbk_first")
    run = labbook.Run("exp", "revoked", target=fake.target, spool_dir=str(tmp_path / "spool")).open()
    run._sender.spool_after_s = 0.3
    for step in range(1000):
        run.log_metric("loss", 1.0 / (step + 1))
    assert run.flush(10)
    assert fake.points[run.id] == 1000
    fake.refused.add("Bearer lbk_first")                        # revoked
    with caplog.at_level(logging.INFO, logger="labbook"):
        for step in range(1000, 3000):
            run.log_metric("loss", 1.0 / (step + 1))
            if step % 500 == 0:
                run.log_text(f"step {step}")
        assert not run.flush(1.5)                                # kept, not delivered, not dropped
        spooled = list((tmp_path / "spool" / run.id).rglob("*.batch"))
        assert spooled, "the refused batches went to the spool"
        assert run.errors == []                                  # nothing dropped
        monkeypatch.setenv("LABBOOK_TOKEN", "lbk_second")        # a new token (e.g. labbook login)
        assert run.flush(15)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "refuses this client's credentials" in warnings[0] and "TOKEN_REVOKED" in warnings[0]
    assert "lbk_first" not in caplog.text
    assert fake.points[run.id] == 3000                          # every point, once
    assert fake.lines == [f"step {s}" for s in range(1000, 3000, 500)]
    run.close()
    assert not list((tmp_path / "spool").rglob("*.batch"))
    assert set(fake.auth_of("FinishRun")) == {"Bearer lbk_second"}


def test_replay_spool_keeps_the_files_when_the_token_is_refused(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("LABBOOK_TOKEN", "lbk_first")
    run = labbook.Run("exp", "dies", target=fake.target, spool_dir=str(tmp_path / "spool")).open()
    run._sender.spool_after_s = 0.0
    fake.refused.add("Bearer lbk_first")
    for step in range(500):
        run.log_metric("loss", float(step))
    run.close(status=None, timeout=1.0)                          # the process "ends": spooled
    assert list((tmp_path / "spool").rglob("*.batch"))
    client = labbook.Client(fake.target)
    with pytest.raises(labbook.UnauthenticatedError):
        labbook.replay_spool(client, str(tmp_path / "spool"))
    assert list((tmp_path / "spool").rglob("*.batch"))
    monkeypatch.setenv("LABBOOK_TOKEN", "lbk_second")
    assert labbook.replay_spool(client, str(tmp_path / "spool")) >= 1
    assert fake.points[run.id] == 500
    assert not list((tmp_path / "spool").rglob("*.batch"))
