// Every page's state lives in its URL, so that a link shows the same view to someone else.
// parseRoute and routeUrl are inverses for every state they know (unknown query parameters are
// ignored, defaults are left out of the URL).

import type { XMode } from "./series";

export type RunTab = "overview" | "charts" | "tables" | "images" | "logs" | "artifacts";
export const RUN_TABS: readonly RunTab[] = ["overview", "charts", "tables", "images", "logs", "artifacts"];

/** How charts are drawn; shared by the run page and compare. */
export interface ChartOptions {
  x: XMode;
  /** EMA weight in [0, 0.99]; 0 is no smoothing. */
  smooth: number;
  log: boolean;
}

export const DEFAULT_CHART_OPTIONS: ChartOptions = { x: "step", smooth: 0, log: false };

export type Route =
  | { page: "experiments"; project: string; q: string; folder: string; deleted: boolean }
  | {
      page: "runs";
      /** Empty for a project-wide search. */
      experimentId: string;
      project: string;
      filter: string;
      sort: string;
      /** Column ids; empty means the default columns. */
      cols: string[];
      deleted: boolean;
    }
  | {
      page: "run";
      runId: string;
      tab: RunTab;
      chart: ChartOptions;
      /** Filter over metric keys (charts). */
      keys: string;
      /** Selected table (tables), artifact path (artifacts). */
      table: string;
      path: string;
      /** Logs: search text, levels and streams shown (empty: all). */
      q: string;
      levels: string[];
      streams: string[];
    }
  | {
      page: "compare";
      runIds: string[];
      /** Metric for the scatter view; empty picks the first. */
      metric: string;
      agg: "last" | "min" | "max";
      /** Param on the scatter's x axis; empty picks the first differing one. */
      param: string;
      chart: ChartOptions;
      keys: string;
      onlyDiff: boolean;
    }
  | { page: "notfound"; path: string };

export type ExperimentsRoute = Extract<Route, { page: "experiments" }>;
export type RunsRoute = Extract<Route, { page: "runs" }>;
export type RunRoute = Extract<Route, { page: "run" }>;
export type CompareRoute = Extract<Route, { page: "compare" }>;

/** Splits a comma list whose items escape `%` and `,` (keys may contain commas). */
export function splitList(text: string | null): string[] {
  if (!text) return [];
  return text.split(",").filter((s) => s !== "").map((s) => s.replace(/%2C/gi, ",").replace(/%25/g, "%"));
}

export function joinList(items: readonly string[]): string {
  return items.map((s) => s.replace(/%/g, "%25").replace(/,/g, "%2C")).join(",");
}

function chartFrom(q: URLSearchParams): ChartOptions {
  const x = q.get("x");
  const smooth = Number(q.get("smooth") ?? "0");
  return {
    x: x === "relative" || x === "wall" ? x : "step",
    smooth: Number.isFinite(smooth) ? Math.min(0.99, Math.max(0, smooth)) : 0,
    log: q.get("log") === "1",
  };
}

function chartInto(q: URLSearchParams, c: ChartOptions): void {
  if (c.x !== "step") q.set("x", c.x);
  if (c.smooth > 0) q.set("smooth", String(c.smooth));
  if (c.log) q.set("log", "1");
}

function segment(s: string): string {
  return encodeURIComponent(s);
}

/** Reads a route from a location's path and query string. */
export function parseRoute(pathname: string, search: string): Route {
  const q = new URLSearchParams(search);
  const parts = pathname.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
  const [first, second, third] = parts;
  if (parts.length === 0 || (first === "experiments" && parts.length === 1)) {
    return {
      page: "experiments",
      project: q.get("project") ?? "",
      q: q.get("q") ?? "",
      folder: q.get("folder") ?? "",
      deleted: q.get("deleted") === "1",
    };
  }
  const runsState = {
    project: q.get("project") ?? "",
    filter: q.get("filter") ?? "",
    sort: q.get("sort") ?? "",
    cols: splitList(q.get("cols")),
    deleted: q.get("deleted") === "1",
  };
  if (first === "experiments" && second && third === "runs" && parts.length === 3) {
    return { page: "runs", experimentId: second, ...runsState };
  }
  if (first === "runs" && parts.length === 1) {
    return { page: "runs", experimentId: "", ...runsState };
  }
  if (first === "runs" && second && parts.length === 2) {
    const tab = q.get("tab");
    return {
      page: "run",
      runId: second,
      tab: (RUN_TABS as readonly string[]).includes(tab ?? "") ? (tab as RunTab) : "overview",
      chart: chartFrom(q),
      keys: q.get("keys") ?? "",
      table: q.get("table") ?? "",
      path: q.get("path") ?? "",
      q: q.get("q") ?? "",
      levels: splitList(q.get("levels")),
      streams: splitList(q.get("streams")),
    };
  }
  if (first === "compare" && parts.length === 1) {
    const agg = q.get("agg");
    return {
      page: "compare",
      runIds: splitList(q.get("runs")),
      metric: q.get("metric") ?? "",
      agg: agg === "min" || agg === "max" ? agg : "last",
      param: q.get("param") ?? "",
      chart: chartFrom(q),
      keys: q.get("keys") ?? "",
      onlyDiff: q.get("diff") === "1",
    };
  }
  return { page: "notfound", path: pathname };
}

function withQuery(path: string, q: URLSearchParams): string {
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

function setIf(q: URLSearchParams, name: string, value: string): void {
  if (value) q.set(name, value);
}

/** The URL (path and query) of a route. */
export function routeUrl(r: Route): string {
  const q = new URLSearchParams();
  switch (r.page) {
    case "experiments":
      setIf(q, "project", r.project);
      setIf(q, "q", r.q);
      setIf(q, "folder", r.folder);
      if (r.deleted) q.set("deleted", "1");
      return withQuery("/experiments", q);
    case "runs":
      setIf(q, "project", r.project);
      setIf(q, "filter", r.filter);
      setIf(q, "sort", r.sort);
      setIf(q, "cols", joinList(r.cols));
      if (r.deleted) q.set("deleted", "1");
      return withQuery(r.experimentId ? `/experiments/${segment(r.experimentId)}/runs` : "/runs", q);
    case "run":
      if (r.tab !== "overview") q.set("tab", r.tab);
      chartInto(q, r.chart);
      setIf(q, "keys", r.keys);
      setIf(q, "table", r.table);
      setIf(q, "path", r.path);
      setIf(q, "q", r.q);
      setIf(q, "levels", joinList(r.levels));
      setIf(q, "streams", joinList(r.streams));
      return withQuery(`/runs/${segment(r.runId)}`, q);
    case "compare":
      setIf(q, "runs", joinList(r.runIds));
      setIf(q, "metric", r.metric);
      if (r.agg !== "last") q.set("agg", r.agg);
      setIf(q, "param", r.param);
      chartInto(q, r.chart);
      setIf(q, "keys", r.keys);
      if (r.onlyDiff) q.set("diff", "1");
      return withQuery("/compare", q);
    case "notfound":
      return r.path;
  }
}

/** Default states, for links that only name the object. */
export function experimentsRoute(project = ""): ExperimentsRoute {
  return { page: "experiments", project, q: "", folder: "", deleted: false };
}

export function runsRoute(experimentId: string, project = ""): RunsRoute {
  return { page: "runs", experimentId, project, filter: "", sort: "", cols: [], deleted: false };
}

export function runRoute(runId: string, tab: RunTab = "overview"): RunRoute {
  return {
    page: "run",
    runId,
    tab,
    chart: DEFAULT_CHART_OPTIONS,
    keys: "",
    table: "",
    path: "",
    q: "",
    levels: [],
    streams: [],
  };
}

export function compareRoute(runIds: readonly string[]): CompareRoute {
  return {
    page: "compare",
    runIds: [...runIds],
    metric: "",
    agg: "last",
    param: "",
    chart: DEFAULT_CHART_OPTIONS,
    keys: "",
    onlyDiff: false,
  };
}
