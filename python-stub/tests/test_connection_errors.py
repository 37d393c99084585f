"""Fail fast and say where: connection errors name the target and where it came from, unknown
URI schemes are refused at once, a stopped server fails the first call within seconds, and a
TLS/plaintext mismatch says so. The retry windows are the Java SDK's."""
from __future__ import annotations

import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

import labbook
from labbook import _retry
from server_process import free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("uri", ["http://localhost:7800", "https://labbook.example.com", "HTTP://h:7880/"])
def test_an_http_url_is_refused_at_once_saying_the_sdk_speaks_grpc(uri, monkeypatch):
    started = time.monotonic()
    with pytest.raises(ValueError) as given:
        labbook.Run("e", "r", target=uri)
    assert "the target= argument" in str(given.value)
    monkeypatch.setenv("LABBOOK_TRACKING_URI", uri)
    with pytest.raises(ValueError) as from_env:
        labbook.start_run("e", "r")
    with pytest.raises(ValueError) as client:
        labbook.Client(uri)
    assert time.monotonic() - started < 1.0
    message = str(from_env.value)
    assert uri in message and "env LABBOOK_TRACKING_URI" in message
    assert "gRPC" in message and "7800" in message and "7880 is the web UI's HTTP port" in message
    assert "(from code)" in str(client.value)


def test_an_unknown_scheme_or_a_path_is_refused_at_once():
    started = time.monotonic()
    with pytest.raises(ValueError, match=r"unknown scheme ftp://; use host:port, grpc://host:port"):
        labbook.Client("ftp://h:7800")
    with pytest.raises(ValueError, match="without a path"):
        labbook.Client("h:7800/api")
    assert time.monotonic() - started < 1.0
    assert labbook.Client("grpc://h").target == "h:7800"
    assert labbook.Client("grpcs://h:9/").secure


def test_a_stopped_server_fails_the_first_call_within_5_s_naming_target_source_and_hint(monkeypatch):
    port = free_port()
    monkeypatch.setenv("LABBOOK_TRACKING_URI", f"127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(labbook.UnavailableError) as error:
        labbook.Run("e", "r").open()
    took = time.monotonic() - started
    assert took < 5.0, took
    message = str(error.value)
    assert message.startswith(f"cannot reach the Labbook server at 127.0.0.1:{port} "
                              "(target from env LABBOOK_TRACKING_URI): ")
    assert "Connection refused" in message
    assert "LABBOOK_TRACKING_URI" in error.value.hint and "7800" in error.value.hint


def test_the_source_of_a_target_is_named_for_code_and_the_default():
    port = free_port()
    with pytest.raises(labbook.UnavailableError, match=rf"at 127.0.0.1:{port} \(target from code\)"):
        labbook.Client(f"127.0.0.1:{port}").get_run("01a20a84-5459-7a28-8ee9-e332301dd0b5")
    default = labbook.Client()
    assert default.target == "localhost:7800" and default.target_source.startswith("the default")


@pytest.mark.parametrize("transfer", ["upload", "download"])
def test_an_artifact_transfer_to_a_stopped_server_fails_within_5_s_naming_the_target(transfer, tmp_path):
    from labbook import _artifacts
    port = free_port()
    client = labbook.Client(f"127.0.0.1:{port}")
    run_id = "01a20a84-5459-7a28-8ee9-e332301dd0b5"
    started = time.monotonic()
    with pytest.raises(labbook.UnavailableError) as error:
        if transfer == "upload":
            _artifacts.upload(client, run_id, "outputs/model.bin", b"weights")
        else:
            _artifacts.download(client, run_id, "outputs/model.bin", str(tmp_path / "model.bin"))
    took = time.monotonic() - started
    assert took < 5.0, took  # the connect window, not the 300 s budget of a transfer in progress
    assert str(error.value).startswith(f"cannot reach the Labbook server at 127.0.0.1:{port} (target from code): ")
    assert not (tmp_path / "model.bin").exists() and not (tmp_path / "model.bin.part").exists()


def test_an_http_server_given_for_the_grpc_server_says_so():
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    http = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        with pytest.raises(labbook.UnavailableError) as error:
            labbook.Client(f"127.0.0.1:{http.server_port}").get_run("01a20a84-5459-7a28-8ee9-e332301dd0b5")
        assert time.monotonic() - started < 5.0
        assert "does not answer gRPC" in str(error.value) and "port 7800" in str(error.value)
    finally:
        http.shutdown()


def test_a_tls_client_to_a_plaintext_server_says_so(server):
    started = time.monotonic()
    with pytest.raises(labbook.UnavailableError) as error:
        labbook.Client(f"grpcs://{server.target}").get_run("01a20a84-5459-7a28-8ee9-e332301dd0b5")
    assert time.monotonic() - started < 5.0
    message = str(error.value)
    assert f"at grpcs://{server.target}" in message
    assert "does not use TLS" in message and f"grpc://{server.target}" in message


@pytest.fixture
def tls_server(tmp_path):
    """A TLS socket server with a self-signed certificate (it never speaks gRPC: enough for a
    handshake to succeed or fail)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "1", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                context.wrap_socket(conn, server_side=True).close()
            except (OSError, ssl.SSLError):
                conn.close()
    threading.Thread(target=serve, daemon=True).start()
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_a_plaintext_client_to_a_tls_server_says_so(tls_server):
    started = time.monotonic()
    with pytest.raises(labbook.UnavailableError) as error:
        labbook.Client(tls_server).get_run("01a20a84-5459-7a28-8ee9-e332301dd0b5")
    assert time.monotonic() - started < 5.0
    assert f"if it uses TLS, use grpcs://{tls_server}" in str(error.value)


def test_once_the_server_answered_a_call_retries_for_the_longer_window(client):
    fresh = labbook.Client(client.target)
    assert not fresh.reached and fresh._retry_window() == _retry.CONNECT_WINDOW_S
    fresh.server_info()
    assert fresh.reached and fresh._retry_window() == _retry.RETRY_WINDOW_S
    fresh.close()


def test_the_retry_windows_are_the_java_sdks():
    calls = (REPO / "java-sdk/src/main/java/dev/labbook/sdk/internal/Calls.java").read_text()
    backoff = (REPO / "java-sdk/src/main/java/dev/labbook/sdk/Backoff.java").read_text()
    assert int(re.search(r"RETRY_WINDOW_MS = ([\d_]+)", calls).group(1).replace("_", "")) \
        == _retry.RETRY_WINDOW_S * 1000
    assert int(re.search(r"CONNECT_WINDOW_MS = ([\d_]+)", calls).group(1).replace("_", "")) \
        == _retry.CONNECT_WINDOW_S * 1000
    assert "new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5))" in backoff
    b = _retry.Backoff()
    assert (b.base, b.cap) == (0.1, 5.0)
    delays = [_retry.Backoff().next_delay() for _ in range(200)]
    assert min(delays) >= 0.025 and max(delays) <= 0.1
