// Runs of an experiment (or of a project-wide search): a virtualized table (10,000 runs scroll
// smoothly: only the visible rows exist), columns from the chooser, server-side sort by any
// sortable column, the search language in the filter box, and actions on selected runs.
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../../api/client";
import { describeError } from "../../api/errors";
import { LifecycleFilter } from "../../gen/labbook/v1/common_pb";
import { type Run, RunView } from "../../gen/labbook/v1/run_pb";
import {
  availableKeys,
  type Column,
  columnLabel,
  DEFAULT_COLUMNS,
  formatSort,
  orderBy,
  parseColumns,
  parseSort,
  requestedKeys,
  sortable,
} from "../../lib/columns";
import { filterErrorFrom, type FilterError } from "../../lib/filter-error";
import { formatDuration, formatNumber, formatTime, formatValue, runDurationMs } from "../../lib/format";
import { compareRoute, experimentsRoute, type Route, runRoute } from "../../lib/url";
import { ColumnChooser, type KeysOffered } from "../ColumnChooser";
import { Empty, ErrorBox, Loading, StatusBadge } from "../common";
import { FilterBox } from "../FilterBox";
import { useAsync, useNow } from "../hooks";
import { Link, navigate } from "../router";
import { useProject } from "../session";

type RunsRoute = Extract<Route, { page: "runs" }>;

const ROW_HEIGHT = 32;
const FIRST_PAGE = 200;
const NEXT_PAGE = 1000;
const OVERSCAN = 10;

interface Loaded {
  runs: Run[];
  nextPageToken: string;
  loading: boolean;
  error: unknown;
  filterError: FilterError | null;
  keys: KeysOffered;
}

const EMPTY: Loaded = { runs: [], nextPageToken: "", loading: true, error: undefined, filterError: null, keys: { params: [], metrics: [], tags: [] } };

function width(c: Column): number {
  if (c.kind === "attr") {
    return { name: 240, status: 120, start: 164, end: 164, created: 164, duration: 90, host: 140, user: 120 }[c.attr];
  }
  return 120;
}

function cell(run: Run, c: Column, now: number) {
  switch (c.kind) {
    case "attr":
      switch (c.attr) {
        case "status":
          return <StatusBadge status={run.status} />;
        case "name":
          return <Link to={runRoute(run.id)} title={run.name}>{run.name}</Link>;
        case "start":
          return formatTime(Number(run.startTimeMs));
        case "end":
          return formatTime(Number(run.endTimeMs));
        case "created":
          return formatTime(Number(run.createTimeMs));
        case "duration": {
          const d = runDurationMs(Number(run.startTimeMs), Number(run.endTimeMs), now);
          return d === null ? "" : formatDuration(d);
        }
        case "host":
          return run.source?.host ?? "";
        case "user":
          return run.creator;
      }
      return "";
    case "param":
      return formatValue(run.params.find((p) => p.key === c.key)?.value);
    case "tag":
      return run.tags[c.key] ?? "";
    case "metric": {
      const m = run.metrics.find((s) => s.key === c.key);
      if (!m) return "";
      return formatNumber(c.agg === "last" ? m.lastValue : c.agg === "min" ? m.min : m.max);
    }
  }
}

export function RunsPage({ route }: { route: RunsRoute }) {
  const experiment = useAsync(
    (signal) => (route.experimentId ? api().experiments.getExperiment({ experimentId: route.experimentId }, { signal }) : Promise.resolve(undefined)),
    [route.experimentId],
  );
  // A project-wide search of a caller without a role in `default` opens the caller's project.
  const project = useProject(route.project, (p) => {
    if (!route.experimentId) navigate({ ...route, project: p }, { replace: true });
  });
  const columns = useMemo(() => parseColumns(route.cols.length ? route.cols : DEFAULT_COLUMNS), [route.cols.join(",")]);
  const sort = parseSort(route.sort);
  const [state, setState] = useState<Loaded>(EMPTY);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<string>("");
  const [reloads, setReloads] = useState(0);
  const busy = useRef<AbortController | null>(null);
  const query = JSON.stringify([route.experimentId, route.experimentId ? route.project : project, route.filter, route.sort, route.deleted, columns.map((c) => c.id), reloads]);

  const request = useCallback(
    (pageToken: string, first: boolean) => {
      const keys = requestedKeys(columns);
      const trimmed = keys.paramKeys.length + keys.metricKeys.length > 0;
      return {
        experimentIds: route.experimentId ? [route.experimentId] : [],
        project: route.experimentId ? route.project : project,
        filter: route.filter,
        orderBy: orderBy(sort),
        pageSize: first ? FIRST_PAGE : NEXT_PAGE,
        pageToken,
        lifecycle: route.deleted ? LifecycleFilter.ALL : LifecycleFilter.ACTIVE,
        // The first page brings every key for the column chooser; later pages only the shown
        // params and metrics (or the bare runs when none is shown).
        view: first || trimmed ? RunView.FULL : RunView.BASIC,
        paramKeys: first ? [] : keys.paramKeys,
        metricKeys: first ? [] : keys.metricKeys,
      };
    },
    [query],
  );

  const loadPage = useCallback(
    async (pageToken: string, first: boolean) => {
      busy.current?.abort();
      const ctrl = new AbortController();
      busy.current = ctrl;
      setState((s) => ({ ...(first ? EMPTY : s), loading: true }));
      try {
        const res = await api().runs.searchRuns(request(pageToken, first), { signal: ctrl.signal });
        if (ctrl.signal.aborted) return;
        setState((s) => {
          const runs = first ? res.runs : s.runs.concat(res.runs);
          return {
            runs,
            nextPageToken: res.nextPageToken,
            loading: false,
            error: undefined,
            filterError: null,
            keys: first ? availableKeys(res.runs) : s.keys,
          };
        });
      } catch (error) {
        if (ctrl.signal.aborted) return;
        const e = describeError(error);
        setState((s) => ({ ...s, loading: false, error, filterError: filterErrorFrom(e.reason, e.metadata, e.message) }));
      }
    },
    [request],
  );

  useEffect(() => {
    setSelected(new Set());
    void loadPage("", true);
    return () => busy.current?.abort();
  }, [query]);

  const set = (patch: Partial<RunsRoute>, replace = true) => navigate({ ...route, ...patch }, { replace });

  // Virtualization: only the rows in (and just around) the viewport are rendered.
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    setView({ top: el.scrollTop, height: el.clientHeight });
    const nearEnd = el.scrollTop + el.clientHeight * 3 >= state.runs.length * ROW_HEIGHT;
    if (nearEnd && state.nextPageToken && !state.loading) void loadPage(state.nextPageToken, false);
  };
  useEffect(() => {
    const el = scroller.current;
    if (el) setView({ top: el.scrollTop, height: el.clientHeight });
  }, [state.runs.length]);
  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(state.runs.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);
  const anyRunning = state.runs.some((r) => r.endTimeMs === 0n && r.startTimeMs > 0n);
  const now = useNow(1000, anyRunning);
  const template = `36px ${columns.map((c) => `${width(c)}px`).join(" ")}`;
  const totalWidth = 36 + columns.reduce((w, c) => w + width(c), 0);

  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  const act = async (what: string, fn: (id: string) => Promise<unknown>) => {
    const ids = [...selected];
    setMessage(`${what} ${ids.length} run(s)…`);
    try {
      for (const id of ids) await fn(id);
      setMessage(`${what} ${ids.length} run(s): done.`);
      setReloads((n) => n + 1);
    } catch (e) {
      setMessage(`${what} failed: ${describeError(e).message}`);
    }
  };

  const headerClick = (c: Column) => {
    if (!sortable(c)) return;
    const next = sort && sort.column === c.id ? (sort.desc ? { column: c.id, desc: false } : null) : { column: c.id, desc: true };
    set({ sort: formatSort(next) });
  };

  const title = route.experimentId ? (experiment.data?.experiment?.name ?? "Runs") : `Runs in project ${project || "default"}`;

  return (
    <div class="page runs-page">
      <div class="page-head">
        <div>
          <div class="crumbs">
            <Link to={experimentsRoute(route.experimentId ? route.project : project)}>Experiments</Link> /
          </div>
          <h1>{title}</h1>
          {experiment.error ? <ErrorBox error={experiment.error} what="the experiment" /> : null}
        </div>
        <div class="toolbar">
          <ColumnChooser selected={columns.map((c) => c.id)} keys={state.keys} onChange={(cols) => set({ cols })} />
          <label class="check">
            <input type="checkbox" checked={route.deleted} onChange={(e) => set({ deleted: (e.target as HTMLInputElement).checked })} /> show deleted
          </label>
        </div>
      </div>
      <FilterBox value={route.filter} error={state.filterError} onApply={(filter) => set({ filter }, false)} />
      <div class="toolbar selection" aria-live="polite">
        <span>
          {state.runs.length}
          {state.nextPageToken ? "+" : ""} runs{selected.size ? ` · ${selected.size} selected` : ""}
        </span>
        <button type="button" disabled={selected.size < 2 || selected.size > 100} onClick={() => navigate(compareRoute([...selected]))} title="Compare 2 to 100 runs">
          Compare
        </button>
        <button
          type="button"
          disabled={!selected.size}
          onClick={() => {
            const text = window.prompt("Tag the selected runs: key=value (value may be empty)");
            if (!text) return;
            const eq = text.indexOf("=");
            const key = (eq < 0 ? text : text.slice(0, eq)).trim();
            const value = eq < 0 ? "" : text.slice(eq + 1).trim();
            if (key) void act("Tagged", (runId) => api().runs.setRunTags({ runId, tags: { [key]: value } }));
          }}
        >
          Tag
        </button>
        <button
          type="button"
          disabled={!selected.size}
          onClick={() => {
            if (window.confirm(`Delete ${selected.size} run(s)? They can be restored (show deleted).`)) void act("Deleted", (runId) => api().runs.deleteRun({ runId }));
          }}
        >
          Delete
        </button>
        {route.deleted && (
          <button type="button" disabled={!selected.size} onClick={() => void act("Restored", (runId) => api().runs.restoreRun({ runId }))}>
            Restore
          </button>
        )}
        {selected.size > 0 && (
          <button type="button" class="link" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        )}
        {message && <span class="muted">{message}</span>}
      </div>
      {state.error && !state.filterError ? (
        <ErrorBox error={state.error} what="the runs" onRetry={() => setReloads((n) => n + 1)} project={route.experimentId ? undefined : project || "default"} />
      ) : !state.runs.length && state.loading ? (
        <Loading what="runs" />
      ) : !state.runs.length && state.filterError ? null : !state.runs.length ? (
        <Empty title={route.filter ? "No run matches this filter." : "No runs here yet."}>
          {route.filter ? (
            <button type="button" onClick={() => set({ filter: "" }, false)}>Clear the filter</button>
          ) : (
            <p>Runs logged to this experiment appear here while they run.</p>
          )}
        </Empty>
      ) : (
        <div class="vtable" ref={scroller} onScroll={onScroll} role="grid" aria-rowcount={state.runs.length + 1} aria-label="Runs">
          <div class="vrow vhead" role="row" style={{ gridTemplateColumns: template, width: `${totalWidth}px` }}>
            <div role="columnheader">
              <input
                type="checkbox"
                aria-label="Select all loaded runs"
                checked={selected.size > 0 && selected.size === state.runs.length}
                onChange={(e) => setSelected((e.target as HTMLInputElement).checked ? new Set(state.runs.map((r) => r.id)) : new Set())}
              />
            </div>
            {columns.map((c) => {
              const active = sort?.column === c.id;
              return (
                <div role="columnheader" key={c.id} aria-sort={active ? (sort!.desc ? "descending" : "ascending") : "none"} title={columnLabel(c)}>
                  {sortable(c) ? (
                    <button type="button" class="sort" onClick={() => headerClick(c)}>
                      {columnLabel(c)} {active ? (sort!.desc ? "▼" : "▲") : ""}
                    </button>
                  ) : (
                    <span title="The server cannot sort by this column">{columnLabel(c)}</span>
                  )}
                </div>
              );
            })}
          </div>
          <div class="vbody" style={{ height: `${state.runs.length * ROW_HEIGHT}px`, width: `${totalWidth}px` }}>
            {state.runs.slice(first, last).map((run, i) => (
              <div
                class={`vrow${selected.has(run.id) ? " selected" : ""}${run.deleted ? " deleted" : ""}`}
                role="row"
                aria-rowindex={first + i + 2}
                key={run.id}
                data-run-id={run.id}
                style={{ gridTemplateColumns: template, transform: `translateY(${(first + i) * ROW_HEIGHT}px)` }}
              >
                <div role="gridcell">
                  <input type="checkbox" aria-label={`Select ${run.name}`} checked={selected.has(run.id)} onChange={() => toggle(run.id)} />
                </div>
                {columns.map((c) => (
                  <div role="gridcell" key={c.id} class={c.kind === "metric" || (c.kind === "attr" && c.attr === "duration") ? "num" : ""}>
                    {cell(run, c, now)}
                  </div>
                ))}
              </div>
            ))}
          </div>
          {state.loading && state.runs.length > 0 && <div class="muted small pad">Loading more…</div>}
        </div>
      )}
    </div>
  );
}
