"""A real Labbook server process for the tests: `bin/labbook server` on a free loopback port with
its own data dir (embedded PostgreSQL), ready once grpc.health.v1 answers SERVING."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Mapping, Optional, Sequence

import grpc

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 180


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def make_token(seed: str = "") -> str:
    """An API token secret of the server's form (TokenSecrets): `lbk_`, 32 base62 characters and
    a 6-character base62 CRC32 of what comes before; for --bootstrap-token."""
    import secrets
    import zlib

    body = "lbk_" + (seed + "".join(secrets.choice(_BASE62) for _ in range(32)))[:32]
    value = zlib.crc32(body.encode("ascii"))
    digits = ""
    for _ in range(6):
        digits = _BASE62[value % 62] + digits
        value //= 62
    return body + digits


def health_serving(target: str, timeout: float = 2.0) -> bool:
    """grpc.health.v1.Health/Check with an empty request; SERVING is the bytes 08 01."""
    with grpc.insecure_channel(target) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                    request_serializer=lambda b: b, response_deserializer=lambda b: b)
        try:
            return check(b"", timeout=timeout) == b"\x08\x01"
        except grpc.RpcError:
            return False


class ServerProcess:
    def __init__(self, data_dir: Path, port: Optional[int] = None, http_port: Optional[int] = None,
                 bootstrap_token: Optional[str] = None, extra_args: Sequence[str] = (),
                 extra_env: Optional[Mapping[str, str]] = None) -> None:
        self.data_dir = Path(data_dir)
        #: More server flags, e.g. ["--run-lease-seconds", "2"].
        self.extra_args = list(extra_args)
        #: More environment variables of the server process, e.g. {"KUBECONFIG": path}.
        self.extra_env = dict(extra_env or {})
        self.port = port or free_port()
        #: The HTTP port (web UI) when given; None leaves it to LABBOOK_HTTP_PORT (bin/test: off).
        self.http_port = http_port
        #: With a token (make_token()): access control on, this token admin of every project.
        self.bootstrap_token = bootstrap_token
        self.target = f"127.0.0.1:{self.port}"
        self.proc: Optional[subprocess.Popen] = None
        self.starts = 0

    def start(self) -> "ServerProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        #: The process's console (its log lines), e.g. for a test's failure message.
        self.log_path = self.data_dir.parent / f"server-{self.port}-{self.starts}.log"
        log = open(self.log_path, "wb")
        env = dict(os.environ, LABBOOK_NO_BUILD="1", JAVA_OPTS=os.environ.get("LABBOOK_TEST_JAVA_OPTS", "-Xmx512m"))
        env.update(self.extra_env)
        self.proc = subprocess.Popen(
            [str(ROOT / "bin" / "labbook"), "server", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(self.data_dir), "--compaction-interval", "0",
             "--metrics-port", "0"]
            + (["--http-port", str(self.http_port)] if self.http_port is not None else [])
            + (["--auth", "on", "--bootstrap-token", self.bootstrap_token] if self.bootstrap_token else [])
            + self.extra_args,
            stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {log.name}")
            if health_serving(self.target):
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"server not SERVING within {START_TIMEOUT_S}s; see {log.name}")

    def kill(self) -> None:
        """SIGKILL, as a crash: no graceful drain. Its embedded PostgreSQL is stopped after it."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
            self.proc = None
        self._stop_orphan_postgres()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self.proc = None
        self._stop_orphan_postgres()

    def _stop_orphan_postgres(self) -> None:
        pidfile = self.data_dir / "postgres" / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().splitlines()[0].strip())
        except (OSError, ValueError, IndexError):
            return
        try:
            os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown
        except ProcessLookupError:
            return
        for _ in range(300):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
