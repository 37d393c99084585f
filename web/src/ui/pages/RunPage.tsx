// One run: overview (live status and duration, params, tags, description, source, parent and
// child runs), and the tabs charts, tables, images, logs and artifacts. The run's state follows
// WatchRun while it is RUNNING or QUEUED.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import { isAbort } from "../../api/errors";
import { type GetRunResponse, type Run, RunStatus } from "../../gen/labbook/v1/run_pb";
import { formatDuration, formatTime, formatValue, runDurationMs } from "../../lib/format";
import { type Route, RUN_TABS, runRoute, runsRoute, experimentsRoute, compareRoute } from "../../lib/url";
import { Empty, ErrorBox, Loading, StatusBadge, statusName, Tabs, Tags } from "../common";
import { useAsync, useNow } from "../hooks";
import { Link } from "../router";
import { ArtifactsTab } from "./ArtifactsTab";
import { ChartsTab } from "./ChartsTab";
import { ImagesTab } from "./ImagesTab";
import { LogsTab } from "./LogsTab";
import { TablesTab } from "./TablesTab";

type RunRoute = Extract<Route, { page: "run" }>;

function isLive(run: Run | undefined): boolean {
  // a CRASHED run is watched too: its writer may come back
  return !!run && (run.status === RunStatus.RUNNING || run.status === RunStatus.QUEUED
    || run.status === RunStatus.CRASHED);
}

/** GetRun, then WatchRun while the run is live; reconnects after a dropped watch. */
function useWatchedRun(runId: string): { data: GetRunResponse | undefined; run: Run | undefined; error: unknown; reload: () => void } {
  const initial = useAsync((signal) => api().runs.getRun({ runId }, { signal }), [runId]);
  const [run, setRun] = useState<Run | undefined>(undefined);
  useEffect(() => setRun(initial.data?.run), [initial.data]);
  const live = isLive(initial.data?.run);
  useEffect(() => {
    if (!live) return;
    const ctrl = new AbortController();
    const watch = async () => {
      while (!ctrl.signal.aborted) {
        try {
          for await (const msg of api().runs.watchRun({ runId }, { signal: ctrl.signal })) {
            if (msg.run) setRun(msg.run);
          }
          return; // the run finished: the stream completed after its final state
        } catch (e) {
          if (ctrl.signal.aborted || isAbort(e)) return;
          await new Promise((r) => setTimeout(r, 2000));
        }
      }
    };
    void watch();
    return () => ctrl.abort();
  }, [runId, live]);
  return { data: initial.data, run: run ?? initial.data?.run, error: initial.error, reload: initial.reload };
}

const TAB_LABELS: Record<string, string> = {
  overview: "Overview",
  charts: "Charts",
  tables: "Tables",
  images: "Images",
  logs: "Logs",
  artifacts: "Artifacts",
};

export function RunPage({ route }: { route: RunRoute }) {
  const { data, run, error, reload } = useWatchedRun(route.runId);
  const live = isLive(run);
  const now = useNow(1000, live);
  const experiment = useAsync(
    (signal) => (run ? api().experiments.getExperiment({ experimentId: run.experimentId }, { signal }) : Promise.resolve(undefined)),
    [run?.experimentId],
  );
  if (error) return <ErrorBox error={error} what="the run" onRetry={reload} />;
  if (!run) return <Loading what="the run" />;
  const duration = runDurationMs(Number(run.startTimeMs), Number(run.endTimeMs), now);
  const exp = experiment.data?.experiment;
  return (
    <div class="page run-page">
      <div class="page-head">
        <div>
          <div class="crumbs">
            <Link to={experimentsRoute(exp?.project ?? "")}>Experiments</Link> /{" "}
            <Link to={runsRoute(run.experimentId, exp?.project ?? "")}>{exp?.name ?? "experiment"}</Link> /
          </div>
          <h1>
            {run.name} <StatusBadge status={run.status} />
            {run.deleted && <span class="badge">deleted</span>}
          </h1>
          <div class="muted" aria-live="polite">
            {run.startTimeMs > 0n ? `started ${formatTime(Number(run.startTimeMs))}` : "queued"}
            {duration !== null && ` · ${live ? "running for" : "took"} `}
            {duration !== null && <span class="live-duration">{formatDuration(duration)}</span>}
          </div>
        </div>
      </div>
      <Tabs tabs={RUN_TABS.map((t) => ({ id: t, label: TAB_LABELS[t]!, to: { ...route, tab: t } }))} current={route.tab} />
      <div class="tab-body">
        {route.tab === "overview" && data && <Overview run={run} data={data} />}
        {route.tab === "charts" && <ChartsTab run={run} route={route} live={live} />}
        {route.tab === "tables" && <TablesTab run={run} route={route} />}
        {route.tab === "images" && <ImagesTab run={run} />}
        {route.tab === "logs" && <LogsTab run={run} route={route} live={live} />}
        {route.tab === "artifacts" && <ArtifactsTab run={run} route={route} />}
      </div>
    </div>
  );
}

function Overview({ run, data }: { run: Run; data: GetRunResponse }) {
  const children = useAsync(
    (signal) => api().runs.listRuns({ experimentId: run.experimentId, parentRunId: run.id, pageSize: 1000 }, { signal }),
    [run.id],
  );
  const src = run.source;
  return (
    <div class="overview">
      <section>
        <h2>Run</h2>
        <dl class="facts">
          <dt>Status</dt>
          <dd><StatusBadge status={run.status} /></dd>
          <dt>Id</dt>
          <dd class="mono">{run.id}</dd>
          <dt>Created</dt>
          <dd>{formatTime(Number(run.createTimeMs)) || "—"}</dd>
          <dt>Started</dt>
          <dd>{formatTime(Number(run.startTimeMs)) || "not yet"}</dd>
          <dt>Ended</dt>
          <dd>{formatTime(Number(run.endTimeMs)) || "—"}</dd>
          {run.resumeCount > 0 && (<><dt>Resumed</dt><dd>{run.resumeCount}×</dd></>)}
          {run.creator && (<><dt>Creator</dt><dd>{run.creator}</dd></>)}
          <dt>Tags</dt>
          <dd>{Object.keys(run.tags).length ? <Tags tags={run.tags} /> : <span class="muted">none</span>}</dd>
        </dl>
        {run.description && (
          <>
            <h3>Description</h3>
            <p class="description">{run.description}</p>
          </>
        )}
      </section>
      <section>
        <h2>Source</h2>
        {src && (src.script || src.host || src.gitCommit) ? (
          <dl class="facts">
            {src.script && (<><dt>Script</dt><dd class="mono">{src.script}</dd></>)}
            {src.args.length > 0 && (<><dt>Args</dt><dd class="mono">{src.args.join(" ")}</dd></>)}
            {src.gitCommit && (<><dt>Git commit</dt><dd class="mono">{src.gitCommit}{src.gitDirty ? " (with uncommitted changes)" : ""}</dd></>)}
            {src.host && (<><dt>Host</dt><dd>{src.host}</dd></>)}
            {src.workingDir && (<><dt>Directory</dt><dd class="mono">{src.workingDir}</dd></>)}
          </dl>
        ) : (
          <p class="muted">No source recorded (runs started with <code>labbook run</code> or the SDKs record script, args, git commit and host).</p>
        )}
        <h2>Related runs</h2>
        {run.parentRunId && (
          <p>
            Parent: <Link to={runRoute(run.parentRunId)}>{run.parentRunId}</Link>
          </p>
        )}
        {children.error ? (
          <ErrorBox error={children.error} what="child runs" />
        ) : children.data?.runs.length ? (
          <>
            <ul class="plain">
              {children.data.runs.map((c) => (
                <li key={c.id}>
                  <StatusBadge status={c.status} /> <Link to={runRoute(c.id)}>{c.name}</Link>
                </li>
              ))}
            </ul>
            {children.data.runs.length >= 2 && <Link to={compareRoute(children.data.runs.slice(0, 100).map((c) => c.id))}>Compare the child runs</Link>}
          </>
        ) : (
          !run.parentRunId && <p class="muted">No parent or child runs.</p>
        )}
      </section>
      <section class="wide">
        <h2>Params ({run.params.length})</h2>
        {run.params.length ? (
          <table class="grid-table params">
            <thead>
              <tr><th>Key</th><th>Value</th><th>Type</th></tr>
            </thead>
            <tbody>
              {run.params.map((p) => (
                <tr key={p.key}>
                  <td class="mono">{p.key}</td>
                  <td class="mono value">{formatValue(p.value)}</td>
                  <td class="muted small">{p.value?.kind.case?.replace("Value", "") ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Empty title="No params logged.">
            <p>Log them with <code>run.log_params({"{"}"lr": 0.01{"}"})</code>.</p>
          </Empty>
        )}
      </section>
      <section class="wide">
        <h2>Status history</h2>
        <ol class="plain">
          {data.statusHistory.map((h, i) => (
            <li key={i}>
              {formatTime(Number(h.timeMs))}: {h.fromStatus ? `${statusName(h.fromStatus)} → ` : ""}
              {statusName(h.toStatus)} <span class="muted">({h.reason})</span>
              {/* why the server made the change, e.g. a submitted run's pod: "OOMKilled: ..." */}
              {h.message && <span class="status-message"> {h.message}</span>}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
