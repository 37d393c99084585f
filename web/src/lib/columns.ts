// Columns of the runs table: ids that fit in a URL, their labels, how SearchRuns orders by
// them, and which params and metric summaries a page of runs must carry for them.

export type Aggregate = "last" | "min" | "max";

export type Column =
  | { id: string; kind: "attr"; attr: Attribute }
  | { id: string; kind: "param"; key: string }
  | { id: string; kind: "metric"; key: string; agg: Aggregate }
  | { id: string; kind: "tag"; key: string };

export type Attribute = "status" | "name" | "start" | "end" | "duration" | "host" | "user" | "created";

export const ATTRIBUTES: readonly Attribute[] = ["status", "name", "start", "end", "duration", "host", "user", "created"];

export const DEFAULT_COLUMNS: readonly string[] = ["status", "name", "start", "duration", "host"];

const ATTRIBUTE_LABELS: Record<Attribute, string> = {
  status: "Status",
  name: "Name",
  start: "Started",
  end: "Ended",
  duration: "Duration",
  host: "Host",
  user: "User",
  created: "Created",
};

/** The search language's field for each attribute that SearchRuns can order by. */
const ATTRIBUTE_ORDER: Partial<Record<Attribute, string>> = {
  status: "status",
  name: "name",
  start: "start_time",
  end: "end_time",
};

/**
 * Parses a column id: an attribute name, `param:<key>`, `metric:<key>` (last value),
 * `metric.min:<key>`, `metric.max:<key>` or `tag:<key>`. Keys may contain colons; the kind
 * ends at the first one. Unknown ids give null.
 */
export function parseColumn(id: string): Column | null {
  if ((ATTRIBUTES as readonly string[]).includes(id)) return { id, kind: "attr", attr: id as Attribute };
  const colon = id.indexOf(":");
  if (colon < 0) return null;
  const kind = id.slice(0, colon);
  const key = id.slice(colon + 1);
  if (!key) return null;
  switch (kind) {
    case "param":
      return { id, kind: "param", key };
    case "tag":
      return { id, kind: "tag", key };
    case "metric":
    case "metric.last":
      return { id: `metric:${key}`, kind: "metric", key, agg: "last" };
    case "metric.min":
      return { id, kind: "metric", key, agg: "min" };
    case "metric.max":
      return { id, kind: "metric", key, agg: "max" };
    default:
      return null;
  }
}

export function paramColumnId(key: string): string {
  return `param:${key}`;
}

export function metricColumnId(key: string, agg: Aggregate = "last"): string {
  return agg === "last" ? `metric:${key}` : `metric.${agg}:${key}`;
}

export function tagColumnId(key: string): string {
  return `tag:${key}`;
}

/** Parses a list of ids, dropping unknown and repeated ones. */
export function parseColumns(ids: readonly string[]): Column[] {
  const seen = new Set<string>();
  const out: Column[] = [];
  for (const id of ids) {
    const c = parseColumn(id);
    if (c && !seen.has(c.id)) {
      seen.add(c.id);
      out.push(c);
    }
  }
  return out;
}

export function columnLabel(c: Column): string {
  switch (c.kind) {
    case "attr":
      return ATTRIBUTE_LABELS[c.attr];
    case "param":
      return c.key;
    case "tag":
      return `#${c.key}`;
    case "metric":
      return c.agg === "last" ? c.key : `${c.key} (${c.agg})`;
  }
}

/**
 * A key as the search language needs it: bare when it is letters, digits, `_ - / :` only,
 * otherwise in backquotes with inner backquotes doubled (a dot would split the key, and a
 * final `.min` would read as an aggregate).
 */
export function quoteKey(key: string): string {
  return /^[A-Za-z0-9_\-/:]+$/.test(key) ? key : "`" + key.replace(/`/g, "``") + "`";
}

/** The search language's field for a column, or null when SearchRuns cannot order by it. */
export function columnField(c: Column): string | null {
  switch (c.kind) {
    case "attr":
      return ATTRIBUTE_ORDER[c.attr] ?? null;
    case "param":
      return `params.${quoteKey(c.key)}`;
    case "tag":
      return `tags.${quoteKey(c.key)}`;
    case "metric":
      return c.agg === "last" ? `metrics.${quoteKey(c.key)}` : `metrics.${quoteKey(c.key)}.${c.agg}`;
  }
}

/** A sort: the column id and its direction. In URLs `-<id>` is descending. */
export interface Sort {
  column: string;
  desc: boolean;
}

export function parseSort(text: string): Sort | null {
  if (!text) return null;
  const desc = text.startsWith("-");
  const column = desc ? text.slice(1) : text;
  return parseColumn(column) ? { column, desc } : null;
}

export function formatSort(sort: Sort | null): string {
  return sort ? `${sort.desc ? "-" : ""}${sort.column}` : "";
}

/** SearchRuns `order_by` for a sort; empty (the server's newest first) when there is none. */
export function orderBy(sort: Sort | null): string[] {
  if (!sort) return [];
  const c = parseColumn(sort.column);
  const field = c ? columnField(c) : null;
  return field ? [`${field} ${sort.desc ? "DESC" : "ASC"}`] : [];
}

/** Whether a column header can sort (the server orders; some attributes it cannot). */
export function sortable(c: Column): boolean {
  return columnField(c) !== null;
}

/** The params and metric keys a SearchRuns page must return for these columns. */
export function requestedKeys(columns: readonly Column[]): { paramKeys: string[]; metricKeys: string[] } {
  const paramKeys = new Set<string>();
  const metricKeys = new Set<string>();
  for (const c of columns) {
    if (c.kind === "param") paramKeys.add(c.key);
    if (c.kind === "metric") metricKeys.add(c.key);
  }
  return { paramKeys: [...paramKeys], metricKeys: [...metricKeys] };
}

/** The run fields this module reads, so that it does not depend on generated code. */
export interface RunLike {
  params: readonly { key: string }[];
  metrics: readonly { key: string }[];
  tags: Readonly<Record<string, string>>;
}

/** Param, metric and tag keys seen in some runs, sorted: what the column chooser offers. */
export function availableKeys(runs: readonly RunLike[]): { params: string[]; metrics: string[]; tags: string[] } {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const tags = new Set<string>();
  for (const r of runs) {
    for (const p of r.params) params.add(p.key);
    for (const m of r.metrics) metrics.add(m.key);
    for (const t of Object.keys(r.tags)) tags.add(t);
  }
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return { params: sorted(params), metrics: sorted(metrics), tags: sorted(tags) };
}

/** Adds or removes one column id, keeping the others in order. */
export function toggleColumn(ids: readonly string[], id: string): string[] {
  return ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id];
}
