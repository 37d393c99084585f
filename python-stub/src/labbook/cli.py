"""The `labbook` console script of the Python package: the client side of the Java CLI without a JVM.

    labbook runs list [-e EXP] [--status S] [-n N] [-a]     labbook runs show RUN
    labbook logs RUN [-f]                                  labbook metrics RUN [KEY]
    labbook artifacts RUN [get PATH [-o FILE]]             labbook metrics -e EXPERIMENT KEY
    labbook sync DIR

Output formats are the Java CLI's (docs/cli.md): tables fitted to the terminal with short ids (the
last 8 characters), `--format table|json|csv`, `--json`, `--long`, `--wide`; JSON documents use
the Java SDK's field names. Imports are lazy: `labbook --help` does not load gRPC.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Dict, List, Optional, Sequence

from labbook._plot import Plot, Series, fmt_double, sparkline   # pure Python: no cost at start

SHORT_ID = 8
MIN_ID_PART = 6
MAX_CANDIDATES = 10
GAP = 2
MIN_COLUMN = 6
DEFAULT_TARGET = "localhost:7800"
RUN_HELP = "Run id, 6+ characters of one (e.g. a list's short id) or EXPERIMENT/RUN-NAME."


class CliError(Exception):
    """An expected failure: one line on stderr, exit status 1."""


# -- formatting (Formats.java, Sparkline.format, ProgressBar.bytes) ----------------------------------
def fmt_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return fmt_double(v)
    return str(v)


def fmt_time(epoch_ms: int) -> str:
    if epoch_ms <= 0:
        return ""
    import time
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch_ms / 1000.0))


def fmt_duration(start_ms: int, end_ms: int) -> str:
    if start_ms <= 0:
        return ""
    import time
    ms = max(0, (end_ms if end_ms > 0 else int(time.time() * 1000)) - start_ms)
    hours, minutes, seconds = ms // 3_600_000, ms // 60_000, ms // 1000
    if hours > 0:
        return "%dh%02dm%02ds" % (hours, minutes % 60, seconds % 60)
    if minutes > 0:
        return "%dm%02ds" % (minutes, seconds % 60)
    return "%.1fs" % (ms / 1000.0)


def fmt_bytes(n: int) -> str:
    if n < 1024:
        return "%d B" % n
    v, unit = float(n), -1
    units = ["KiB", "MiB", "GiB", "TiB"]
    while v >= 1024 and unit < len(units) - 1:
        v /= 1024
        unit += 1
    return "%.1f %s" % (v, units[unit])


def fmt_tags(tags: Dict[str, str]) -> str:
    return ", ".join(f"{k}={tags[k]}" for k in sorted(tags))


def short_id(run_id: str) -> str:
    return run_id if len(run_id) <= SHORT_ID else run_id[-SHORT_ID:]


# -- tables (render/Table.java) --------------------------------------------------------------------
class Table:
    def __init__(self, *header: str) -> None:
        self.header = list(header)
        self.rows: List[List[str]] = []

    def row(self, *cells: Any) -> "Table":
        assert len(cells) == len(self.header)
        self.rows.append(["" if c is None else str(c).replace("\n", " ").replace("\r", " ").replace("\t", " ")
                          for c in cells])
        return self

    def print(self, out: Any, max_width: int = 0) -> None:
        widths = [max([len(h)] + [len(r[i]) for r in self.rows]) for i, h in enumerate(self.header)]
        if max_width > 0:
            _fit(widths, [h == "ID" for h in self.header], max_width)
        for cells in [self.header] + self.rows:
            line = []
            for i, c in enumerate(cells):
                cell = ellipsize(c, widths[i])
                line.append(cell)
                if i < len(cells) - 1:
                    line.append(" " * (widths[i] - len(cell) + GAP))
            out.write("".join(line).rstrip() + "\n")

    def print_csv(self, out: Any) -> None:
        for cells in [self.header] + self.rows:
            out.write(",".join(_csv_cell(c) for c in cells) + "\r\n")


def _csv_cell(c: str) -> str:
    if any(ch in c for ch in ',"\n\r') or (c and (c[0].isspace() or c[-1].isspace())):
        return '"' + c.replace('"', '""') + '"'
    return c


def ellipsize(s: str, width: int) -> str:
    if len(s) <= width:
        return s
    return "…"[:max(0, width)] if width <= 1 else s[:width - 1] + "…"


def _fit(widths: List[int], fixed: List[bool], max_width: int) -> None:
    available = max_width - GAP * max(0, len(widths) - 1)
    if sum(widths) <= available:
        return

    def capped_sum(cap: int) -> int:
        return sum(w if f else min(w, cap) for w, f in zip(widths, fixed))
    cap = max(widths) if widths else 0
    while cap > MIN_COLUMN and capped_sum(cap) > available:
        cap -= 1
    capped = [w if f else min(w, cap) for w, f in zip(widths, fixed)]
    spare = available - sum(capped)
    for i in range(len(widths)):
        if spare <= 0:
            break
        if widths[i] > capped[i]:
            capped[i] += 1
            spare -= 1
    widths[:] = capped


def terminal_columns() -> int:
    """COLUMNS, else the width of the terminal stdout is on; 0 (no limit) for a pipe or file."""
    env = os.environ.get("COLUMNS", "").strip()
    if env:
        try:
            if int(env) > 0:
                return int(env)
        except ValueError:
            pass
    try:
        if not sys.stdout.isatty():
            return 0
        return max(0, os.get_terminal_size(sys.stdout.fileno()).columns)
    except (OSError, ValueError):
        return 0


# -- JSON as the Java CLI writes it (the Java SDK's records, camelCase) -----------------------------
def _num(v: float) -> Any:
    import math
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def _enum(value: int, enum: Any, prefix: str) -> Optional[str]:
    name = enum.Name(value)
    return None if name.endswith("_UNSPECIFIED") else name[len(prefix):]


def summary_json(s: Any) -> Dict[str, Any]:
    return {"key": s.key, "lastValue": _num(s.last_value), "lastStep": s.last_step,
            "lastTimestampMs": s.last_timestamp_ms, "min": _num(s.min), "max": _num(s.max), "count": s.count}


def param_value(v: Any) -> Any:
    kind = v.WhichOneof("kind")
    if kind is None:
        return None
    value = getattr(v, kind)
    return _num(value) if kind == "double_value" else value


def run_json(r: Any) -> Dict[str, Any]:
    from labbook.v1 import run_pb2
    s = r.source
    return {"id": r.id, "experimentId": r.experiment_id, "name": r.name,
            "status": _enum(r.status, run_pb2.RunStatus, "RUN_STATUS_"),
            "startTimeMs": r.start_time_ms, "endTimeMs": r.end_time_ms, "description": r.description,
            "tags": dict(sorted(r.tags.items())), "parentRunId": r.parent_run_id,
            "source": {"script": s.script, "args": list(s.args), "gitCommit": s.git_commit,
                       "gitDirty": s.git_dirty, "host": s.host, "workingDir": s.working_dir},
            "params": {p.key: param_value(p.value) for p in r.params}, "resumeCount": r.resume_count,
            "metrics": [summary_json(m) for m in r.metrics], "deleted": r.deleted,
            "createTimeMs": r.create_time_ms, "etag": r.etag, "creator": r.creator}


def print_json(out: Any, value: Any) -> None:
    import json
    out.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def status_name(status: int) -> str:
    from labbook.v1 import run_pb2
    return _enum(status, run_pb2.RunStatus, "RUN_STATUS_") or "UNSPECIFIED"


# -- options ---------------------------------------------------------------------------------------
def _client_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", "--server", metavar="HOST:PORT", help="Server address: host:port, grpc://host:port "
                   "or grpcs://host:port (TLS). Env: LABBOOK_TRACKING_URI. Default: " + DEFAULT_TARGET + ".")
    p.add_argument("--project", metavar="PROJECT",
                   help="Project of experiments and EXPERIMENT/RUN names. Env: LABBOOK_PROJECT. Default: default.")
    p.add_argument("--json", action="store_true", help="Print machine-readable JSON instead of a table.")


def _listing_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", metavar="FORMAT", help="Output format: table (default), json or csv. "
                   "--json is --format json.")
    p.add_argument("-l", "--long", dest="long_ids", action="store_true",
                   help=f"Show full ids (lists show the last {SHORT_ID} characters, which commands accept as RUN).")
    p.add_argument("-w", "--wide", action="store_true", help="Don't cut cells to fit the terminal width.")


def output_format(args: argparse.Namespace) -> str:
    fmt = getattr(args, "format", None)
    if not fmt or not fmt.strip():
        return "json" if args.json else "table"
    f = fmt.strip().lower()
    if f not in ("table", "json", "csv"):
        raise CliError(f"--format must be table, json or csv, got '{fmt}'")
    if args.json and f != "json":
        raise CliError(f"--json and --format {fmt} contradict each other")
    return f


def listed_id(args: argparse.Namespace, run_id: str) -> str:
    return run_id if args.long_ids or output_format(args) != "table" else short_id(run_id)


def print_listing(args: argparse.Namespace, out: Any, table: Table) -> None:
    if output_format(args) == "csv":
        table.print_csv(out)
    else:
        table.print(out, 0 if args.wide else terminal_columns())


def project(args: argparse.Namespace) -> str:
    if args.project and args.project.strip():
        return args.project
    return os.environ.get("LABBOOK_PROJECT", "").strip() or "default"


def connect(args: argparse.Namespace) -> Any:
    from labbook._target import SOURCE_ENV
    from labbook.client import Client
    if args.target and args.target.strip():
        target, source = args.target, "--target"
    elif os.environ.get("LABBOOK_TRACKING_URI", "").strip():
        target, source = os.environ["LABBOOK_TRACKING_URI"], SOURCE_ENV
    else:
        target, source = DEFAULT_TARGET, "the default: no --target, LABBOOK_TRACKING_URI not set"
    try:
        return Client(target, target_source=source)
    except ValueError as e:
        raise CliError(f"bad target '{target}' (from {source}): {e}")


class ExperimentNames:
    def __init__(self, client: Any, project_name: str) -> None:
        from labbook.v1 import experiment_pb2
        self.client = client
        self.names: Dict[str, str] = {}
        token = ""
        while True:
            response = client.call("experiments", "ListExperiments", experiment_pb2.ListExperimentsRequest(
                project=project_name, page_size=1000, page_token=token))
            for e in response.experiments:
                self.names[e.id] = e.name
            token = response.next_page_token
            if not token:
                break

    def of(self, experiment_id: str) -> str:
        if experiment_id not in self.names:
            self.names[experiment_id] = self.client.get_experiment(experiment_id=experiment_id).name
        return self.names[experiment_id]


# -- RUN arguments (RunResolver.java) --------------------------------------------------------------
def quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def id_part_filter(part: str) -> str:
    return f"id LIKE {quote(part + '%')} OR id LIKE {quote('%' + part)}"


def resolve_run(client: Any, project_name: str, ref: str) -> Any:
    """The run (run_pb2.GetRunResponse: run and status history) a RUN argument names."""
    import re
    from labbook.v1 import run_pb2
    from labbook.errors import NotFoundError
    r = ref.strip()
    if re.fullmatch(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", r):
        return client.call("runs", "GetRun", run_pb2.GetRunRequest(run_id=r))
    if re.fullmatch("[0-9a-fA-F-]{%d,35}" % MIN_ID_PART, r) and len(r.replace("-", "")) >= MIN_ID_PART:
        return _by_id_part(client, project_name, r.lower())
    slash = r.rfind("/")
    if slash <= 0 or slash == len(r) - 1:
        raise CliError(f"RUN must be a run id, {MIN_ID_PART} or more of its characters (from the start or the end, "
                       f"e.g. a list's short id) or EXPERIMENT/RUN-NAME, got '{ref}'")
    experiment, name = r[:slash], r[slash + 1:]
    try:
        return client.call("runs", "GetRun", run_pb2.GetRunRequest(
            project=project_name, experiment_name=experiment, run_name=name))
    except NotFoundError as e:
        if e.reason == "EXPERIMENT_NOT_FOUND":
            raise CliError(f"NOT_FOUND: no experiment '{experiment}' in project '{project_name}'")
        raise CliError(f"NOT_FOUND: no run '{name}' in experiment '{experiment}' of project '{project_name}'")


def _by_id_part(client: Any, project_name: str, part: str) -> Any:
    from labbook.v1 import common_pb2, run_pb2
    response = client.call("runs", "SearchRuns", run_pb2.SearchRunsRequest(
        project=project_name, filter=id_part_filter(part), lifecycle=common_pb2.LIFECYCLE_FILTER_ALL,
        page_size=MAX_CANDIDATES + 1, max_results=MAX_CANDIDATES + 1))
    found = list(response.runs)
    if not found:
        raise CliError(f"NOT_FOUND: no run of project '{project_name}' has an id that starts or ends with '{part}'")
    if len(found) == 1:
        return client.call("runs", "GetRun", run_pb2.GetRunRequest(run_id=found[0].id))
    experiments = ExperimentNames(client, project_name)
    count = f"more than {MAX_CANDIDATES}" if len(found) > MAX_CANDIDATES else str(len(found))
    lines = [f"ambiguous run id '{part}': {count} runs of project '{project_name}' match; give more characters, "
             "the full id or EXPERIMENT/RUN-NAME:"]
    for run in found[:MAX_CANDIDATES]:
        lines.append(f"  {run.id}  {experiments.of(run.experiment_id)}/{run.name}"
                     + ("  (deleted)" if run.deleted else ""))
    raise CliError("\n".join(lines))


# -- EXPERIMENT arguments (ExperimentResolver.java) ------------------------------------------------
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def resolve_experiment(client: Any, project_name: str, ref: str) -> Any:
    """The experiment an EXPERIMENT argument names: its name in the project, its id, or at least
    MIN_ID_PART hex characters from the start or end of its id that only one experiment of the
    project has (deleted ones too). A name wins over an id part."""
    import re
    from labbook.errors import NotFoundError
    from labbook.v1 import common_pb2, experiment_pb2
    r = ref.strip()
    if re.fullmatch(_UUID, r):
        return client.get_experiment(experiment_id=r)
    try:
        return client.get_experiment(ref, project_name)
    except NotFoundError as e:
        if (e.reason != "EXPERIMENT_NOT_FOUND" or not re.fullmatch("[0-9a-fA-F-]{%d,35}" % MIN_ID_PART, r)
                or len(r.replace("-", "")) < MIN_ID_PART):
            raise
    part = r.lower()
    found = []
    token = ""
    while True:
        response = client.call("experiments", "ListExperiments", experiment_pb2.ListExperimentsRequest(
            project=project_name, page_size=1000, page_token=token, lifecycle=common_pb2.LIFECYCLE_FILTER_ALL))
        found.extend(e for e in response.experiments if e.id.startswith(part) or e.id.endswith(part))
        token = response.next_page_token
        if not token:
            break
    if not found:
        raise CliError(f"NOT_FOUND: project '{project_name}' has no experiment named '{part}' "
                       "nor one whose id starts or ends with it")
    if len(found) == 1:
        return found[0]
    lines = [f"ambiguous experiment id '{part}': {len(found)} experiments of project '{project_name}' match; "
             "give more characters, the full id or the name:"]
    for e in found[:MAX_CANDIDATES]:
        lines.append(f"  {e.id}  {e.name}" + ("  (deleted)" if e.deleted else ""))
    if len(found) > MAX_CANDIDATES:
        lines.append(f"  ... and {len(found) - MAX_CANDIDATES} more")
    raise CliError("\n".join(lines))


# -- commands --------------------------------------------------------------------------------------
def cmd_runs_list(args: argparse.Namespace, out: Any) -> int:
    from labbook.v1 import common_pb2, run_pb2
    fmt = output_format(args)
    filters = []
    if args.status:
        filters.append("status = " + quote(args.status))
    client = connect(args)
    proj = project(args)
    experiment_ids = [resolve_experiment(client, proj, args.experiment).id] if args.experiment else []
    runs: List[Any] = []
    token = ""
    limit = max(0, args.limit)
    while True:
        response = client.call("runs", "SearchRuns", run_pb2.SearchRunsRequest(
            project="" if experiment_ids else proj, experiment_ids=experiment_ids, filter=" AND ".join(filters),
            max_results=limit, view=run_pb2.RUN_VIEW_FULL,
            lifecycle=common_pb2.LIFECYCLE_FILTER_ALL if args.all else common_pb2.LIFECYCLE_FILTER_ACTIVE,
            page_token=token))
        runs.extend(response.runs)
        token = response.next_page_token
        if not token or (limit and len(runs) >= limit):
            break
    if limit:
        runs = runs[:limit]
    if fmt == "json":
        print_json(out, [run_json(r) for r in runs])
        return 0
    experiments = ExperimentNames(client, proj)
    table = Table("ID", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION")
    for r in runs:
        table.row(listed_id(args, r.id), experiments.of(r.experiment_id), r.name,
                  status_name(r.status) + (" (deleted)" if r.deleted else ""), fmt_time(r.start_time_ms),
                  fmt_duration(r.start_time_ms, r.end_time_ms))
    print_listing(args, out, table)
    if not runs and fmt == "table":
        out.write("(no runs)\n")
    return 0


def cmd_runs_show(args: argparse.Namespace, out: Any) -> int:
    client = connect(args)
    details = resolve_run(client, project(args), args.run)
    r = details.run
    metrics = client.list_metrics(r.id)
    experiment = client.get_experiment(experiment_id=r.experiment_id).name
    history = list(details.status_history)
    if args.json:
        print_json(out, {"run": run_json(r), "experimentName": experiment,
                         "statusHistory": [{"from": status_name(c.from_status) if c.from_status else None,
                                            "to": status_name(c.to_status), "timeMs": c.time_ms,
                                            "reason": c.reason, "message": c.message} for c in history],
                         "metrics": [summary_json(m) for m in metrics]})
        return 0
    from labbook.v1 import run_pb2
    fields = Table("FIELD", "VALUE")
    fields.row("id", r.id)
    fields.row("name", r.name)
    fields.row("experiment", f"{experiment} ({r.experiment_id})")
    fields.row("status", status_name(r.status) + (" (deleted)" if r.deleted else ""))
    fields.row("created", fmt_time(r.create_time_ms))
    fields.row("started", "(queued)" if r.status == run_pb2.RUN_STATUS_QUEUED else fmt_time(r.start_time_ms))
    fields.row("ended", fmt_time(r.end_time_ms))
    fields.row("duration", fmt_duration(r.start_time_ms, r.end_time_ms))
    if r.resume_count > 0:
        fields.row("resumed", f"{r.resume_count} time(s)")
    if r.description:
        fields.row("description", r.description)
    if r.parent_run_id:
        fields.row("parent run", r.parent_run_id)
    if r.source.script:
        fields.row("command", r.source.script + " " + " ".join(r.source.args))
    if r.source.git_commit:
        fields.row("git", r.source.git_commit + (" (dirty)" if r.source.git_dirty else ""))
    if r.source.host:
        fields.row("host", r.source.host)
    if r.source.working_dir:
        fields.row("working dir", r.source.working_dir)
    fields.row("tags", fmt_tags(dict(r.tags)))
    fields.print(out)
    if r.params:
        out.write("\n")
        params = Table("PARAM", "VALUE")
        for p in sorted(r.params, key=lambda p: p.key):
            params.row(p.key, fmt_param(p.value))
        params.print(out)
    if metrics:
        out.write("\n")
        summary_table(metrics, {}).print(out)
    out.write("\n")
    statuses = Table("TIME", "STATUS", "REASON")
    for c in history:
        statuses.row(fmt_time(c.time_ms), status_name(c.to_status), c.reason)
    statuses.print(out)
    return 0


def fmt_param(v: Any) -> str:
    kind = v.WhichOneof("kind")
    return "" if kind is None else fmt_value(getattr(v, kind))


def summary_table(summaries: Sequence[Any], trends: Dict[str, str]) -> Table:
    header = ["METRIC", "LAST", "STEP", "MIN", "MAX", "COUNT"] + (["TREND"] if trends else [])
    table = Table(*header)
    for s in summaries:
        cells = [s.key, fmt_double(s.last_value), s.last_step, fmt_double(s.min), fmt_double(s.max), s.count]
        table.row(*(cells + ([trends.get(s.key, "")] if trends else [])))
    return table


# -- metrics (MetricsCommand.java; the pictures are labbook._plot) ----------------------------------
MAX_SPARKLINES = 50
SPARKLINE_WIDTH = 24


def plot_width(args: argparse.Namespace) -> int:
    """--width, else the terminal's (COLUMNS), else 80; at least 12."""
    if args.width > 0:
        return max(12, args.width)
    columns = terminal_columns()
    return max(12, columns) if columns > 0 else 80


def color_terminal() -> bool:
    """Plot.colorTerminal: stdin and stdout on a terminal (Java's System.console()), TERM set and
    not dumb, NO_COLOR unset."""
    term = os.environ.get("TERM", "")
    try:
        tty = sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty and "NO_COLOR" not in os.environ and bool(term.strip()) and term != "dumb"


def series_json(key: str, steps: Sequence[int], times: Sequence[int], values: Sequence[float],
                downsampled: bool) -> Dict[str, Any]:
    return {"key": key, "steps": list(steps), "timestampsMs": list(times), "values": [_num(v) for v in values],
            "downsampled": downsampled}


def run_label(args: argparse.Namespace, run: Any) -> str:
    shown = listed_id(args, run.id)
    return f"{shown} {run.name}" if run.name.strip() else shown


def draw(args: argparse.Namespace, out: Any, drawn: List[Any]) -> None:
    chart = Plot(drawn, plot_width(args), max(2, args.height), not args.no_color and color_terminal())
    for line in chart.render():
        out.write(line + "\n")
    if chart.skipped > 0:
        out.write("(%d NaN/Inf point%s not drawn)\n" % (chart.skipped, "" if chart.skipped == 1 else "s"))


def cmd_metrics(args: argparse.Namespace, out: Any) -> int:
    search = bool(args.experiment) or bool(args.filter.strip())
    args.targets = [a for a in (args.run, args.key) if a is not None]   # with -e, KEY comes first
    if search and len(args.targets) != 1:
        raise CliError("with -e or --filter give KEY alone (e.g. metrics -e sweep val/loss)")
    if not search and not args.targets:
        raise CliError("missing RUN")
    fmt = output_format(args)
    client = connect(args)
    if search:
        return metrics_overlay(args, out, client, args.targets[0])
    run = resolve_run(client, project(args), args.targets[0]).run
    key = args.targets[1] if len(args.targets) > 1 else None
    if key is None:
        summaries = client.list_metrics(run.id)
        if fmt == "json":
            print_json(out, [summary_json(s) for s in summaries])
            return 0
        trends: Dict[str, str] = {}
        if len(summaries) <= MAX_SPARKLINES and fmt != "csv":
            for s in summaries:
                # min and max of one bucket per braille column: two columns a character
                steps, _, values = client.get_metric_history(run.id, s.key, max_points=SPARKLINE_WIDTH * 4)
                trends[s.key] = sparkline(steps, values, SPARKLINE_WIDTH)
        print_listing(args, out, summary_table(summaries, trends))
        if not summaries and fmt != "csv":
            out.write("(no metrics)\n")
        return 0
    wanted = args.points if fmt == "json" else 2 * plot_width(args)
    steps, times, values = client.get_metric_history(run.id, key, max_points=max(0, wanted))
    if not values:
        raise CliError(f"NOT_FOUND: run {run.id} has no points for metric '{key}'")
    # The server downsamples (min/max per bucket) only a series longer than asked for.
    count = next((s.count for s in client.list_metrics(run.id, key_prefix=key) if s.key == key), len(values))
    downsampled = len(values) < count
    if fmt == "json":
        print_json(out, series_json(key, steps, times, values, downsampled))
        return 0
    out.write("%s  (%d points shown, steps %d..%d%s)\n" % (key, len(values), steps[0], steps[-1],
                                                          ", downsampled to min/max per column" if downsampled else ""))
    draw(args, out, [Series(run_label(args, run), steps, values)])
    out.write("last %s at step %d\n" % (fmt_double(values[-1]), steps[-1]))
    return 0


def metrics_overlay(args: argparse.Namespace, out: Any, client: Any, key: str) -> int:
    """KEY of every run -e / --filter finds, overlaid in one plot (one BatchGetMetricHistory call)."""
    from labbook.v1 import common_pb2, metric_pb2, run_pb2
    proj = project(args)
    experiment_ids = [resolve_experiment(client, proj, ref).id for ref in args.experiment]
    runs: List[Any] = []
    token = ""
    while True:
        response = client.call("runs", "SearchRuns", run_pb2.SearchRunsRequest(
            project="" if experiment_ids else proj, experiment_ids=experiment_ids, filter=args.filter,
            max_results=max(1, min(100, args.limit)), view=run_pb2.RUN_VIEW_FULL,
            lifecycle=common_pb2.LIFECYCLE_FILTER_ACTIVE, page_token=token))
        runs.extend(response.runs)
        token = response.next_page_token
        if not token:
            break
    if not runs:
        raise CliError("NOT_FOUND: no run matches the search")
    fmt = output_format(args)
    response = client.call("metrics", "BatchGetMetricHistory", metric_pb2.BatchGetMetricHistoryRequest(
        run_ids=[r.id for r in runs], keys=[key],
        max_points=max(2, args.points) if fmt == "json" else 2 * plot_width(args)))
    found = {s.run_id: s for s in response.series if s.key == key and len(s.value) > 0}
    have = [r for r in runs if r.id in found]
    if not have:
        raise CliError(f"NOT_FOUND: none of the {len(runs)} runs found has metric '{key}'")
    if fmt == "json":
        print_json(out, {r.id: series_json(key, found[r.id].step, found[r.id].timestamp_ms, found[r.id].value,
                                           found[r.id].downsampled) for r in have})
        return 0
    out.write("%s  (%d of %d runs have it)\n" % (key, len(have), len(runs)))
    draw(args, out, [Series(run_label(args, r), found[r.id].step, found[r.id].value) for r in have])
    return 0


def cmd_logs(args: argparse.Namespace, out: Any) -> int:
    import json
    import time as _time
    client = connect(args)
    run_id = resolve_run(client, project(args), args.run).run.id
    from labbook.v1 import log_pb2

    def show(line: Any) -> None:
        if args.json:
            out.write(json.dumps({"offset": line.offset, "timestampMs": line.timestamp_ms,
                                  "level": _enum(line.level, log_pb2.LogLevel, "LOG_LEVEL_"),
                                  "stream": _enum(line.stream, log_pb2.LogStream, "LOG_STREAM_"),
                                  "text": line.text}, ensure_ascii=False, separators=(",", ":")) + "\n")
        elif args.timestamps:
            stamp = _time.strftime("%Y-%m-%dT%H:%M:%S", _time.gmtime(line.timestamp_ms / 1000))
            millis = line.timestamp_ms % 1000
            out.write(f"{stamp}{'.%03d' % millis if millis else ''}Z "
                      f"{_enum(line.stream, log_pb2.LogStream, 'LOG_STREAM_')} {line.text}\n")
        else:
            out.write(line.text + "\n")

    if not args.follow:
        request = log_pb2.ReadLogsRequest(run_id=run_id, start_offset=args.from_offset)
        if args.level:
            request.min_level = log_pb2.LogLevel.Value("LOG_LEVEL_" + args.level)
        import grpc
        from labbook.errors import from_rpc_error
        try:
            for piece in client.stub("logs").ReadLogs(request, timeout=120):
                for line in piece.lines:
                    show(line)
        except grpc.RpcError as error:
            raise client.explain(from_rpc_error(error)) from error
        return 0
    import grpc
    from labbook.errors import from_rpc_error
    offset, outages = args.from_offset, 0
    while True:
        try:
            for piece in client.stub("logs").ReadLogs(log_pb2.ReadLogsRequest(
                    run_id=run_id, start_offset=offset, follow=True), timeout=None):
                for line in piece.lines:
                    show(line)
                    offset = line.offset + 1
                    outages = 0
                out.flush()
            return 0
        except grpc.RpcError as error:
            outages += 1
            if error.code() != grpc.StatusCode.UNAVAILABLE or outages > 30:
                raise client.explain(from_rpc_error(error)) from error
            _time.sleep(1)


def cmd_artifacts(args: argparse.Namespace, out: Any) -> int:
    if args.action is not None and (args.action != "get" or args.path is None):
        raise CliError("usage: labbook artifacts RUN [get PATH [-o FILE]]")
    fmt = output_format(args)
    client = connect(args)
    run_id = resolve_run(client, project(args), args.run).run.id
    from labbook.v1 import artifact_pb2, common_pb2
    if args.action is None:
        artifacts = client.list_artifacts(run_id, path_prefix=args.prefix)
        if fmt == "json":
            print_json(out, [artifact_json(a) for a in artifacts])
            return 0
        table = Table("PATH", "SIZE", "DIRECTION", "TYPE", "SHA256", "CREATED")
        for a in artifacts:
            ref = a.kind == artifact_pb2.ARTIFACT_KIND_REFERENCE
            table.row(a.path, "-> " + a.uri if ref else fmt_bytes(a.size_bytes),
                      _enum(a.direction, common_pb2.Direction, "DIRECTION_") or "", a.media_type,
                      a.sha256[:12], fmt_time(a.create_time_ms))
        print_listing(args, out, table)
        if not artifacts and fmt == "table":
            out.write("(no artifacts)\n")
        return 0
    from labbook import _artifacts
    if args.output == "-":
        out.flush()
        _artifacts.download(client, run_id, args.path, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return 0
    file = args.output or os.path.basename(args.path.rstrip("/"))
    artifact = _artifacts.download(client, run_id, args.path, file)
    if args.json:
        print_json(out, {"artifact": artifact_json(artifact), "file": os.path.abspath(file)})
    return 0


def artifact_json(a: Any) -> Dict[str, Any]:
    from labbook.v1 import artifact_pb2, common_pb2
    return {"runId": a.run_id, "path": a.path, "direction": _enum(a.direction, common_pb2.Direction, "DIRECTION_"),
            "reference": a.kind == artifact_pb2.ARTIFACT_KIND_REFERENCE, "sizeBytes": a.size_bytes,
            "sha256": a.sha256, "mediaType": a.media_type, "step": a.step if a.HasField("step") else None,
            "uri": a.uri, "createTimeMs": a.create_time_ms}


def cmd_sync(args: argparse.Namespace, out: Any) -> int:
    if args.spool:
        from labbook._sender import replay_spool, spool_root
        spool = spool_root(args.dir)
        if not os.path.isdir(spool):
            raise CliError(f"no spool directory {spool}")
        sent = replay_spool(connect(args), spool)
        if args.json:
            print_json(out, {"sent": sent})
        else:
            out.write(f"{sent} spooled batch(es) and call(s) sent\n")
        return 0
    if not args.dir:
        raise CliError("give DIR: an offline run directory or a folder of them (or --spool)")
    if not os.path.isdir(args.dir):
        raise CliError(f"no such directory: {args.dir}")
    from labbook import _sync
    result = _sync.sync(connect(args), args.dir)
    if args.json:
        print_json(out, result.to_json())
    else:
        for r in result.synced:
            out.write(f"synced {r.summary()}\n")
        for f in result.failures:
            out.write(f"FAILED {f['dir']}: {f['message']}\n")
        out.write(f"{len(result.synced)} run(s) synced, {len(result.failures)} failed\n")
    if not result.synced and not result.failures:
        raise CliError(f"no offline runs (directories with a run.json) under {args.dir}")
    return 0 if not result.failures else 1


# -- parser and entry point ------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="labbook", description="Labbook client commands (Python; the Java CLI "
                                  "bin/labbook has more: see docs/cli.md).")
    from labbook import __version__
    top.add_argument("--version", action="version", version=f"labbook-sdk {__version__}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND")

    runs = commands.add_parser("runs", help="Lists and shows runs.")
    runs_commands = runs.add_subparsers(dest="runs_command", metavar="list|show")
    p = runs_commands.add_parser("list", help="Lists runs, newest first: of one experiment, or of the whole project.")
    _client_options(p)
    p.add_argument("-e", "--experiment", metavar="EXPERIMENT",
                   help="Only this experiment's runs (its name, id or short id).")
    p.add_argument("--status", metavar="STATUS", help="Only runs in this status: QUEUED, RUNNING, COMPLETED, FAILED, "
                   "CANCELED or CRASHED (its heartbeat stopped).")
    p.add_argument("-n", "--limit", metavar="N", type=int, default=50, help="At most N runs (0: all). Default: 50.")
    p.add_argument("-a", "--all", action="store_true", help="Deleted runs too (marked '(deleted)').")
    _listing_options(p)
    p.set_defaults(handler=cmd_runs_list)
    p = runs_commands.add_parser("show", help="Shows one run: status, times, source, tags, params, metric "
                                 "summaries, status history.")
    _client_options(p)
    p.add_argument("run", metavar="RUN", help=RUN_HELP)
    p.set_defaults(handler=cmd_runs_show)

    p = commands.add_parser("logs", help="Prints the run's log, or follows it (-f) until the run finishes.")
    _client_options(p)
    p.add_argument("run", metavar="RUN", help=RUN_HELP)
    p.add_argument("-f", "--follow", action="store_true", help="Follow the log until the run finishes.")
    p.add_argument("--from", dest="from_offset", metavar="OFFSET", type=int, default=0,
                   help="Start at this line offset (default 0).")
    p.add_argument("--level", metavar="LEVEL", type=str.upper, choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help="Only lines at this level or above: DEBUG, INFO, WARNING, ERROR (not with -f).")
    p.add_argument("-t", "--timestamps", action="store_true", help="Prefix each line with its time and stream.")
    p.set_defaults(handler=cmd_logs)

    p = commands.add_parser("metrics", help="A table of the run's metric series, or a plot of one (KEY); "
                            "with -e or --filter: KEY of several runs, overlaid.",
                            description="Without KEY: a table of the run's metric series (last, min, max, count, "
                            "trend). With KEY: a terminal plot of that series (each column spans its points' "
                            "min..max); with --json its (downsampled) points. With -e EXPERIMENT or --filter and "
                            "KEY: that series of several runs, overlaid.")
    _client_options(p)
    p.add_argument("run", metavar="RUN", nargs="?", help=RUN_HELP + " Not with -e or --filter.")
    p.add_argument("key", metavar="KEY", nargs="?", help="The metric to plot. With -e or --filter: KEY alone, "
                   "plotted for each run found.")
    _listing_options(p)
    p.add_argument("-e", "--experiment", metavar="EXPERIMENT", action="append", default=[],
                   help="Overlay KEY of the runs of this experiment (name, id or short id; repeatable).")
    p.add_argument("-f", "--filter", metavar="FILTER", default="",
                   help="Overlay KEY of the runs this search filter finds (docs/search.md).")
    p.add_argument("-n", "--limit", metavar="N", type=int, default=10,
                   help="With -e or --filter: at most N runs (newest first; 1-100). Default: 10.")
    p.add_argument("--points", metavar="N", type=int, default=1000,
                   help="With KEY and --json: at most about N points (0: the full history). Default: 1000.")
    p.add_argument("--width", metavar="COLS", type=int, default=0, help="Plot width in characters, labels "
                   "included. Default: the terminal's (COLUMNS), else 80.")
    p.add_argument("--height", metavar="ROWS", type=int, default=12, help="Plot height. Default: 12.")
    p.add_argument("--no-color", action="store_true",
                   help="No colours in the plot (also: NO_COLOR set, or not a terminal).")
    p.set_defaults(handler=cmd_metrics)

    p = commands.add_parser("artifacts", help="Lists the run's artifacts, or downloads one: "
                            "labbook artifacts RUN get PATH [-o FILE] (-o - writes to stdout).")
    _client_options(p)
    p.add_argument("run", metavar="RUN", help=RUN_HELP)
    p.add_argument("action", metavar="get", nargs="?", help="'get' to download PATH.")
    p.add_argument("path", metavar="PATH", nargs="?", help="Artifact path to download.")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="Where to download (default: PATH's file name in the current directory; - for stdout).")
    _listing_options(p)
    p.add_argument("--prefix", metavar="PREFIX", default="", help="List only paths starting with PREFIX.")
    p.set_defaults(handler=cmd_artifacts)

    p = commands.add_parser("sync", help="Uploads offline runs (LABBOOK_OFFLINE_DIR, default ./labbook-offline); "
                            "safe to repeat. With --spool: replays the SDK's spool.")
    _client_options(p)
    p.add_argument("dir", metavar="DIR", nargs="?", help="Offline run directory, or a directory of them "
                   "(with --spool: the spool directory).")
    p.add_argument("--spool", action="store_true", help="Replay the SDK's spool instead of offline runs.")
    p.set_defaults(handler=cmd_sync)
    return top


def main(argv: Optional[Sequence[str]] = None) -> int:
    top = parser()
    args = top.parse_args(argv)
    if getattr(args, "handler", None) is None:   # `labbook`, `labbook runs`: the usage, as the Java CLI
        top.parse_args([*([args.command] if args.command else []), "--help"])
    out = sys.stdout
    try:
        return args.handler(args, out)
    except CliError as e:
        out.flush()
        sys.stderr.write(f"labbook: error: {e}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:   # noqa: BLE001 - SDK errors: one line, as the Java CLI prints them
        from labbook.errors import LabbookError
        if not isinstance(e, LabbookError) or os.environ.get("LABBOOK_DEBUG") == "1":
            raise
        out.flush()
        code = e.code.name if e.code is not None else "UNKNOWN"
        message = str(e)
        sys.stderr.write(f"labbook: error: {message if message.startswith(code) else code + ': ' + message}\n")
        return 1
    finally:
        try:
            out.flush()
        except BrokenPipeError:
            pass


if __name__ == "__main__":
    sys.exit(main())
