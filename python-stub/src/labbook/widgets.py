"""Runs in notebooks, without extra dependencies (Azure's `RunDetails(run).show()`).

    from labbook.widgets import RunDetails
    RunDetails(run).show()   # summary, link and the live run page embedded

A `Run` alone (the last expression of a Jupyter cell) shows its summary and link through
`Run._repr_html_`. Every piece of user text (names, params, URLs) is HTML-escaped. An offline run
has no page on a server: it shows its summary only, as does a run whose server has no web UI.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, List, NamedTuple, Optional, Tuple

from labbook.errors import LabbookError
from labbook.v1 import run_pb2

if TYPE_CHECKING:
    from labbook.run import Run

#: Params listed in the summary; the run page has them all.
MAX_PARAMS = 20
#: Height of the embedded run page, in CSS pixels.
IFRAME_HEIGHT = 600


class RunView(NamedTuple):
    """What a summary shows, read once from the server (or the offline directory)."""
    name: str
    status: str
    params: List[Tuple[str, Any]]
    param_count: int
    url: Optional[str]
    problem: str = ""


def read_view(run: "Run") -> RunView:
    """The run's name, status, params and page URL. A server that cannot be reached gives the
    run's local state and says so, rather than failing the notebook cell."""
    name = run.name or ""
    if run.offline is not None or run.client is None:
        params = sorted(run.get_parameters().items()) if run.offline is not None else []
        status = run.get_status() if run.offline is not None else run.status
        return RunView(name, f"{status} (offline)", params[:MAX_PARAMS], len(params), None)
    try:
        from labbook._values import from_param_value
        details = run.client.get_run(run.id)
        params = sorted((p.key, from_param_value(p.value)) for p in details.params)
        status = run_pb2.RunStatus.Name(details.status).replace("RUN_STATUS_", "")
        return RunView(details.name or name, status, params[:MAX_PARAMS], len(params), run.get_portal_url())
    except LabbookError as e:
        return RunView(name, run.status, [], 0, None, f"server not reachable: {e}")


def summary_html(run: "Run", view: Optional[RunView] = None) -> str:
    """A small block: name, status, params (first MAX_PARAMS) and a link to the run page."""
    v = view or read_view(run)
    esc = html.escape
    parts = [f'<div class="labbook-run"><strong>{esc(v.name)}</strong> &middot; '
             f'<span class="labbook-status">{esc(v.status)}</span>']
    if v.url:
        parts.append(f' &middot; <a href="{esc(v.url)}" target="_blank" rel="noopener">Open in Labbook</a>')
    if v.problem:
        parts.append(f'<div><em>{esc(v.problem)}</em></div>')
    if v.params:
        rows = "".join(f"<tr><td>{esc(str(k))}</td><td>{esc(str(val))}</td></tr>" for k, val in v.params)
        more = (f'<tr><td colspan="2">&hellip; {v.param_count - len(v.params)} more</td></tr>'
                if v.param_count > len(v.params) else "")
        parts.append(f'<table class="labbook-params"><tr><th>param</th><th>value</th></tr>{rows}{more}</table>')
    parts.append("</div>")
    return "".join(parts)


def embed_url(url: str) -> str:
    """The run page without the app's header, for a frame."""
    return url + ("&" if "?" in url else "?") + "embed=1"


class RunDetails:
    """The run in a notebook: its summary, a link, and the live run page (charts, logs, which
    update while the run logs) embedded from the server's web UI."""

    def __init__(self, run: "Run", *, height: int = IFRAME_HEIGHT) -> None:
        self.run = run
        self.height = int(height)

    def _repr_html_(self) -> str:
        view = read_view(self.run)
        block = summary_html(self.run, view)
        if not view.url:
            return block
        src = html.escape(embed_url(view.url))
        title = html.escape(f"Labbook run {view.name}")
        return (f'{block}<iframe src="{src}" title="{title}" width="100%" height="{self.height}" '
                f'style="border:1px solid #ccc" loading="lazy"></iframe>')

    def show(self) -> None:
        """Displays in Jupyter (IPython.display); outside IPython prints the run page's URL (or
        that there is none: offline run, or a server without web UI)."""
        try:
            from IPython.display import HTML, display
        except ImportError:
            url = self.run.get_portal_url()
            print(url if url else f"run {self.run.name!r}: no web UI page (offline run, or a server without UI)")
            return
        display(HTML(self._repr_html_()))

    def get_portal_url(self) -> Optional[str]:
        return self.run.get_portal_url()

    def __repr__(self) -> str:
        return f"RunDetails({self.run!r})"


__all__ = ["RunDetails", "summary_html", "embed_url", "MAX_PARAMS"]
