"""Fixtures: one real server process for the session (see server_process.py), a Client on it,
and a unique experiment name per test."""
from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import labbook  # noqa: E402
from server_process import ServerProcess, free_port  # noqa: E402


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    # The HTTP port on a free port (not the default 7880, which parallel runs would share), so
    # that links to the web UI (get_portal_url, widgets) are tested against what a server reports.
    proc = ServerProcess(tmp_path_factory.mktemp("labbook-server") / "data", http_port=free_port()).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def client(server):
    with labbook.Client(server.target) as c:
        yield c


@pytest.fixture
def exp_name(request):
    return f"{request.node.name[:60]}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test sees the caller's LABBOOK_* settings; offline runs and spools go to tmp."""
    for var in ("LABBOOK_TRACKING_URI", "LABBOOK_PROJECT", "LABBOOK_EXPERIMENT", "LABBOOK_RUN_ID",
                "LABBOOK_RUN_NAME", "LABBOOK_TOKEN", "LABBOOK_TOKEN_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LABBOOK_OFFLINE_DIR", str(tmp_path / "offline"))
    monkeypatch.setenv("LABBOOK_SPOOL_DIR", str(tmp_path / "spool"))
