// Experiments of a project: folder tree, search box, tags, run counts and last activity.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { Experiment } from "../../gen/labbook/v1/experiment_pb";
import { LifecycleFilter } from "../../gen/labbook/v1/common_pb";
import { formatAgo, formatTime } from "../../lib/format";
import { type Route, runsRoute } from "../../lib/url";
import { Empty, ErrorBox, Loading, Tags } from "../common";
import { useAsync, useNow } from "../hooks";
import { Link, navigate } from "../router";
import { useProject } from "../session";

type ExperimentsRoute = Extract<Route, { page: "experiments" }>;

const MAX_EXPERIMENTS = 10_000;

async function listAll(project: string, deleted: boolean, signal: AbortSignal): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let pageToken = "";
  do {
    const res = await api().experiments.listExperiments(
      { project, pageSize: 1000, pageToken, lifecycle: deleted ? LifecycleFilter.ALL : LifecycleFilter.ACTIVE },
      { signal },
    );
    out.push(...res.experiments);
    pageToken = res.nextPageToken;
  } while (pageToken && out.length < MAX_EXPERIMENTS);
  return out;
}

/** Folder paths with every ancestor, sorted: `/a`, `/a/b`. */
function folderTree(experiments: readonly Experiment[]): string[] {
  const set = new Set<string>();
  for (const e of experiments) {
    const parts = e.folder.split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i++) set.add("/" + parts.slice(0, i).join("/"));
  }
  return [...set].sort();
}

function matches(e: Experiment, q: string, folder: string): boolean {
  if (folder && !(e.folder === folder || e.folder.startsWith(folder + "/"))) return false;
  if (!q) return true;
  const lower = q.toLowerCase();
  return (
    e.name.toLowerCase().includes(lower) ||
    e.description.toLowerCase().includes(lower) ||
    e.folder.toLowerCase().includes(lower) ||
    Object.entries(e.tags).some(([k, v]) => k.toLowerCase().includes(lower) || v.toLowerCase().includes(lower))
  );
}

/** The projects to choose from: those listed (the caller's), and the one shown even if it is not. */
function projectChoices(listed: string[], shown: string): string[] {
  return listed.includes(shown) ? listed : [...listed, shown];
}

/** Run count (runs not deleted) and last activity (the latest change of any run), from the experiment itself. */
function ActivityCells({ e, now }: { e: Experiment; now: number }) {
  const lastMs = Number(e.lastRunUpdateTimeMs);
  return (
    <>
      <td class="num">{e.runCount.toString()}</td>
      <td title={lastMs ? formatTime(lastMs) : ""}>{lastMs ? formatAgo(lastMs, now) : "no runs"}</td>
    </>
  );
}

export function ExperimentsPage({ route }: { route: ExperimentsRoute }) {
  const projects = useAsync((signal) => api().projects.listProjects({ pageSize: 1000 }, { signal }), []);
  const project = useProject(route.project, (p) => navigate({ ...route, project: p }, { replace: true }));
  const list = useAsync((signal) => listAll(project, route.deleted, signal), [project, route.deleted]);
  const [q, setQ] = useState(route.q);
  useEffect(() => setQ(route.q), [route.q]);
  const now = useNow(30_000, true);
  const shown = useMemo(() => (list.data ?? []).filter((e) => matches(e, q, route.folder)), [list.data, q, route.folder]);
  const folders = useMemo(() => folderTree(list.data ?? []), [list.data]);
  const set = (patch: Partial<ExperimentsRoute>, replace = true) => navigate({ ...route, ...patch }, { replace });

  return (
    <div class="page">
      <div class="page-head">
        <h1>Experiments</h1>
        <div class="toolbar">
          <label>
            Project{" "}
            <select value={project || "default"} onChange={(e) => set({ project: (e.target as HTMLSelectElement).value, folder: "" }, false)}>
              {projectChoices(projects.data?.projects.map((p) => p.name) ?? [], project || "default").map((p) => (
                <option key={p} value={p}>{p}</option>
              ))}
            </select>
          </label>
          <input
            type="search"
            data-search-box
            placeholder="Search names, tags, folders (/)"
            aria-label="Search experiments"
            value={q}
            onInput={(e) => {
              const v = (e.target as HTMLInputElement).value;
              setQ(v);
              set({ q: v });
            }}
          />
          <label class="check">
            <input type="checkbox" checked={route.deleted} onChange={(e) => set({ deleted: (e.target as HTMLInputElement).checked })} /> show deleted
          </label>
          <Link to={{ page: "runs", experimentId: "", project, filter: "", sort: "", cols: [], deleted: false }}>Search all runs</Link>
        </div>
      </div>
      <div class="split">
        {folders.length > 0 && (
          <nav class="folders" aria-label="Folders">
            <button type="button" class={route.folder === "" ? "folder active" : "folder"} onClick={() => set({ folder: "" })}>
              All folders
            </button>
            {folders.map((f) => (
              <button
                type="button"
                key={f}
                class={route.folder === f ? "folder active" : "folder"}
                style={{ paddingLeft: `${(f.split("/").length - 1) * 12}px` }}
                onClick={() => set({ folder: f })}
              >
                {f.slice(f.lastIndexOf("/") + 1)}
              </button>
            ))}
          </nav>
        )}
        <div class="grow">
          {list.error ? (
            <ErrorBox error={list.error} what="the experiments" onRetry={list.reload} project={project || "default"} />
          ) : !list.data ? (
            <Loading what="experiments" />
          ) : list.data.length === 0 ? (
            <Empty title={`Project “${project || "default"}” has no experiments yet.`}>
              <p>
                Log a run and it appears here, e.g. in Python: <code>with labbook.start_run(experiment="my-experiment") as run: run.log_metric("loss", 0.5)</code>, or from a shell:{" "}
                <code>labbook run --experiment my-experiment -- python train.py</code>.
              </p>
            </Empty>
          ) : shown.length === 0 ? (
            <Empty title="No experiment matches.">
              <button type="button" onClick={() => { setQ(""); set({ q: "", folder: "" }); }}>Clear the search</button>
            </Empty>
          ) : (
            <table class="grid-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Folder</th>
                  <th>Tags</th>
                  <th class="num">Runs</th>
                  <th>Last activity</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => (
                  <tr key={e.id} class={e.deleted ? "deleted" : ""}>
                    <td>
                      <Link to={runsRoute(e.id, project)}>{e.name}</Link>
                      {e.deleted && <span class="badge">deleted</span>}
                      {e.description && <div class="muted small clip">{e.description}</div>}
                    </td>
                    <td class="muted">{e.folder}</td>
                    <td><Tags tags={e.tags} /></td>
                    <ActivityCells e={e} now={now} />
                    <td title={formatTime(Number(e.createTimeMs))}>{formatAgo(Number(e.createTimeMs), now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </div>
  );
}
