"""Links to the web UI and notebook display, against the session's real server (HTTP port on)."""
from __future__ import annotations

import builtins
import html
import sys
import urllib.request

import pytest

import labbook
from labbook.widgets import MAX_PARAMS, RunDetails


@pytest.fixture
def public_url(server):
    # The server's default public URL: loopback host -> localhost, its HTTP port.
    return f"http://localhost:{server.http_port}"


def test_portal_url_is_the_run_page_under_the_servers_public_url(client, exp_name, public_url):
    with labbook.Run(exp_name, "linked", client=client) as run:
        url = run.get_portal_url()
    assert url == f"{public_url}/runs/{run.id}"
    assert client.server_info().public_url == public_url
    assert client.server_info().version
    assert client.server_info() is client.server_info()  # asked once per client


def test_the_portal_url_serves_the_web_ui(client, exp_name):
    with labbook.Run(exp_name, "served", client=client) as run:
        url = run.get_portal_url()
    with urllib.request.urlopen(url + "?embed=1", timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/html")
        assert b"<html" in response.read().lower()


def test_repr_html_shows_escaped_name_status_params_and_link(client, exp_name):
    name = "<b>bold</b> & co"
    params = {f"p{i:02d}": i for i in range(MAX_PARAMS + 5)}
    params["note"] = "<script>alert(1)</script>"
    with labbook.Run(exp_name, name, client=client, params=params) as run:
        run.log_metric("loss", 0.5)
        shown = run._repr_html_()
    assert html.escape(name) in shown and name not in shown
    assert "<script>" not in shown and html.escape("<script>alert(1)</script>") in shown
    assert "RUNNING" in shown
    assert f'href="{run.get_portal_url()}"' in shown
    assert "p00" in shown and "6 more" in shown and "p19" not in shown  # the first MAX_PARAMS, sorted
    assert "<iframe" not in shown  # small: the embedded page is RunDetails'
    assert "COMPLETED" in run._repr_html_()


def test_run_details_embeds_the_live_run_page(client, exp_name):
    with labbook.Run(exp_name, "detailed", client=client, params={"lr": 0.01}) as run:
        shown = RunDetails(run)._repr_html_()
    url = run.get_portal_url()
    assert f'<iframe src="{url}?embed=1"' in shown
    assert f'href="{url}"' in shown and "lr" in shown and "0.01" in shown


def test_show_prints_the_url_without_ipython(client, exp_name, monkeypatch, capsys):
    real_import = builtins.__import__

    def no_ipython(name, *args, **kwargs):
        if name == "IPython" or name.startswith("IPython."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.delitem(sys.modules, "IPython.display", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_ipython)
    with labbook.Run(exp_name, "printed", client=client) as run:
        RunDetails(run).show()
    assert capsys.readouterr().out.strip() == run.get_portal_url()


def test_offline_run_has_no_link(tmp_path):
    with labbook.Run("offline-exp", "<offline>", offline=True, offline_dir=str(tmp_path),
                     params={"lr": 0.1}) as run:
        assert run.get_portal_url() is None
        summary = run._repr_html_()
        details = RunDetails(run)._repr_html_()
    for shown in (summary, details):
        assert html.escape("<offline>") in shown and "offline" in shown and "lr" in shown
        assert "href=" not in shown and "<iframe" not in shown


def test_show_displays_html_through_ipython(client, exp_name, monkeypatch):
    # A stand-in for IPython.display (not installed here): show() hands it the widget's HTML.
    import types
    shown = []
    display_module = types.ModuleType("IPython.display")
    display_module.HTML = lambda data: ("HTML", data)
    display_module.display = shown.append
    ipython = types.ModuleType("IPython")
    ipython.display = display_module
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display_module)
    with labbook.Run(exp_name, "in-notebook", client=client) as run:
        RunDetails(run).show()
    assert len(shown) == 1 and shown[0][0] == "HTML"
    assert f'<iframe src="{run.get_portal_url()}?embed=1"' in shown[0][1]
