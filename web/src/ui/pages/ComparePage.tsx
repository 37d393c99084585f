// Compare N runs: overlaid curves per metric (one BatchGetMetricHistory call for all runs of
// the keys in view), a params table that highlights what differs (CompareRuns), and a scatter
// of a param against a metric summary.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { CompareRunsResponse, Run } from "../../gen/labbook/v1/run_pb";
import { formatNumber, formatValue, valueAsNumber } from "../../lib/format";
import { filterKeys } from "../../lib/groups";
import { seriesStyle } from "../../lib/palette";
import { type Route, runRoute, experimentsRoute } from "../../lib/url";
import { Chart, type ChartSeries } from "../Chart";
import { ChartControls } from "../ChartControls";
import { ChartGrid, useSeen } from "../ChartGrid";
import { Empty, ErrorBox, Loading, StatusBadge } from "../common";
import { useAsync } from "../hooks";
import { MetricStore } from "../metric-store";
import { Link, navigate } from "../router";
import { CARD_HEIGHT, maxPointsForWindow } from "./ChartsTab";

type CompareRoute = Extract<Route, { page: "compare" }>;

const COMPARE_CARD_HEIGHT = CARD_HEIGHT + 60;

function CompareCard({ metricKey, store, runs, options, width }: { metricKey: string; store: MetricStore; runs: Run[]; options: CompareRoute["chart"]; width: number }) {
  const [ref, seen] = useSeen<HTMLDivElement>();
  const [, setVersion] = useState(0);
  useEffect(() => store.subscribe(metricKey, () => setVersion((n) => n + 1)), [store, metricKey]);
  useEffect(() => {
    if (seen) store.request(metricKey);
  }, [seen, store, metricKey]);
  const state = store.get(metricKey);
  const series = useMemo<ChartSeries[]>(() => {
    if (!state?.series) return [];
    const out: ChartSeries[] = [];
    runs.forEach((r, i) => {
      const points = state.series!.get(r.id);
      if (points) out.push({ label: r.name, points, colour: seriesStyle(i).colour, dash: seriesStyle(i).dash, originMs: Number(r.startTimeMs) || Number(r.createTimeMs) });
    });
    return out;
  }, [state?.series, runs]);
  return (
    <div class="card" ref={ref} data-metric-key={metricKey}>
      <div class="card-head">
        <span class="key clip" title={metricKey}>{metricKey}</span>
        <span class="muted small">{series.length ? `${series.length} of ${runs.length} runs` : ""}</span>
      </div>
      {state?.error ? (
        <ErrorBox error={state.error} what={metricKey} />
      ) : !state?.series ? (
        <div class="chart-placeholder" style={{ height: "190px" }} aria-busy="true" />
      ) : !series.length ? (
        <div class="chart-placeholder muted small">none of the runs has points</div>
      ) : (
        <Chart series={series} options={options} width={width - 16} height={190} legend={true} />
      )}
    </div>
  );
}

function ParamsTable({ data, onlyDiff, runs }: { data: CompareRunsResponse; onlyDiff: boolean; runs: Run[] }) {
  const rows = onlyDiff ? data.params.filter((p) => p.differs) : data.params;
  if (!data.params.length) return <p class="muted">None of the runs has params.</p>;
  return (
    <div class="table-scroll">
      <table class="grid-table compare-params">
        <thead>
          <tr>
            <th>Param</th>
            {runs.map((r, i) => (
              <th key={r.id}>
                <span class="swatch" style={{ background: seriesStyle(i).colour }} /> {r.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.key} class={p.differs ? "differs" : ""} data-param-key={p.key} data-differs={p.differs ? "true" : "false"}>
              <th scope="row" class="mono">
                {p.key}
                {p.differs && <span class="sr-only"> (differs)</span>}
              </th>
              {p.values.map((v, i) => (
                <td key={i} class="mono">{v.kind.case === undefined ? <span class="muted">—</span> : formatValue(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {onlyDiff && rows.length === 0 && <p class="muted">All params are equal.</p>}
    </div>
  );
}

/** An SVG scatter: one dot per run, a param (numbers, or categories) against a metric summary. */
function Scatter({ data, runs, param, metric, agg }: { data: CompareRunsResponse; runs: Run[]; param: string; metric: string; agg: "last" | "min" | "max" }) {
  const p = data.params.find((x) => x.key === param);
  const m = data.metrics.find((x) => x.key === metric);
  if (!p || !m) return <p class="muted">Pick a param and a metric.</p>;
  const numeric = p.values.every((v) => v.kind.case === undefined || valueAsNumber(v) !== null);
  const categories = numeric ? [] : [...new Set(p.values.map((v) => formatValue(v)))].sort();
  const points = runs
    .map((r, i) => {
      const s = m.summaries[i];
      const v = p.values[i];
      if (!s || s.count === 0n || !v || v.kind.case === undefined) return null;
      const y = agg === "last" ? s.lastValue : agg === "min" ? s.min : s.max;
      const x = numeric ? valueAsNumber(v)! : categories.indexOf(formatValue(v));
      return Number.isFinite(x) && Number.isFinite(y) ? { x, y, i, run: r, label: formatValue(v) } : null;
    })
    .filter((x): x is NonNullable<typeof x> => x !== null);
  if (!points.length) return <p class="muted">No run has both {param} and {metric}.</p>;
  const W = 560, H = 300, L = 64, B = 40, T = 10, R = 16;
  const xs = points.map((q) => q.x), ys = points.map((q) => q.y);
  const [x0, x1] = numeric ? [Math.min(...xs), Math.max(...xs)] : [-0.5, categories.length - 0.5];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R) + (x1 === x0 ? (W - L - R) / 2 : 0);
  const sy = (y: number) => H - B - ((y - y0) / (y1 - y0 || 1)) * (H - B - T) - (y1 === y0 ? (H - B - T) / 2 : 0);
  return (
    <svg class="scatter" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${metric} (${agg}) against ${param}`}>
      <line x1={L} y1={H - B} x2={W - R} y2={H - B} class="axis" />
      <line x1={L} y1={T} x2={L} y2={H - B} class="axis" />
      <text x={(W + L) / 2} y={H - 6} class="label" text-anchor="middle">{param}</text>
      <text x={12} y={(H - B) / 2} class="label" text-anchor="middle" transform={`rotate(-90 12 ${(H - B) / 2})`}>{`${metric} (${agg})`}</text>
      <text x={L - 4} y={sy(y1) + 4} class="tick" text-anchor="end">{formatNumber(y1, 3)}</text>
      <text x={L - 4} y={sy(y0) + 4} class="tick" text-anchor="end">{formatNumber(y0, 3)}</text>
      {numeric ? (
        <>
          <text x={sx(x0)} y={H - B + 16} class="tick" text-anchor="start">{formatNumber(x0, 3)}</text>
          <text x={sx(x1)} y={H - B + 16} class="tick" text-anchor="end">{formatNumber(x1, 3)}</text>
        </>
      ) : (
        categories.map((c, i) => <text key={c} x={sx(i)} y={H - B + 16} class="tick" text-anchor="middle">{c}</text>)
      )}
      {points.map((q) => (
        <circle key={q.run.id} cx={sx(q.x)} cy={sy(q.y)} r={6} fill={seriesStyle(q.i).colour}>
          <title>{`${q.run.name}: ${param}=${q.label}, ${metric} ${agg}=${formatNumber(q.y)}`}</title>
        </circle>
      ))}
    </svg>
  );
}

export function ComparePage({ route }: { route: CompareRoute }) {
  const ids = route.runIds;
  const data = useAsync((signal) => (ids.length >= 2 ? api().runs.compareRuns({ runIds: ids }, { signal }) : Promise.resolve(undefined)), [ids.join(",")]);
  const store = useMemo(() => new MetricStore(api(), ids, Math.min(2000, maxPointsForWindow())), [ids.join(",")]);
  useEffect(() => () => store.close(), [store]);
  const set = (patch: Partial<CompareRoute>) => navigate({ ...route, ...patch }, { replace: true });
  if (ids.length < 2)
    return (
      <Empty title="Pick at least two runs to compare.">
        <p>
          Select runs in an experiment's table and press <em>Compare</em>. <Link to={experimentsRoute()}>Go to the experiments</Link>
        </p>
      </Empty>
    );
  if (data.error) return <ErrorBox error={data.error} what="the runs to compare" onRetry={data.reload} />;
  if (!data.data) return <Loading what="the comparison" />;
  const d = data.data;
  const runs = d.runs;
  const metricKeys = d.metrics.map((m) => m.key);
  const keys = filterKeys(metricKeys, route.keys);
  const metric = route.metric || metricKeys[0] || "";
  const param = route.param || d.differingParamKeys[0] || d.params[0]?.key || "";
  return (
    <div class="page compare-page">
      <div class="page-head">
        <h1>Compare {runs.length} runs</h1>
      </div>
      <ul class="legend-list" aria-label="Runs">
        {runs.map((r, i) => (
          <li key={r.id}>
            <span class="swatch" style={{ background: seriesStyle(i).colour }} /> <Link to={runRoute(r.id)}>{r.name}</Link> <StatusBadge status={r.status} />
          </li>
        ))}
      </ul>
      <section>
        <h2>Params</h2>
        <label class="check">
          <input type="checkbox" checked={route.onlyDiff} onChange={(e) => set({ onlyDiff: (e.target as HTMLInputElement).checked })} /> only params that differ ({d.differingParamKeys.length})
        </label>
        <ParamsTable data={d} onlyDiff={route.onlyDiff} runs={runs} />
      </section>
      {metricKeys.length > 0 && d.params.length > 0 && (
        <section>
          <h2>Param against metric</h2>
          <div class="toolbar">
            <label>
              param{" "}
              <select value={param} onChange={(e) => set({ param: (e.target as HTMLSelectElement).value })}>
                {d.params.map((p) => <option key={p.key} value={p.key}>{p.key}{p.differs ? " *" : ""}</option>)}
              </select>
            </label>
            <label>
              metric{" "}
              <select value={metric} onChange={(e) => set({ metric: (e.target as HTMLSelectElement).value })}>
                {metricKeys.map((k) => <option key={k} value={k}>{k}</option>)}
              </select>
            </label>
            <label>
              summary{" "}
              <select value={route.agg} onChange={(e) => set({ agg: (e.target as HTMLSelectElement).value as CompareRoute["agg"] })}>
                <option value="last">last</option>
                <option value="min">min</option>
                <option value="max">max</option>
              </select>
            </label>
          </div>
          <Scatter data={d} runs={runs} param={param} metric={metric} agg={route.agg} />
        </section>
      )}
      <section class="compare-charts">
        <h2>Metrics</h2>
        {!metricKeys.length ? (
          <p class="muted">None of the runs logged metrics.</p>
        ) : (
          <>
            <ChartControls options={route.chart} keys={route.keys} count={`${keys.length} of ${metricKeys.length} metrics`} onChange={(chart, k) => set({ chart, keys: k })} />
            <ChartGrid keys={keys} cardHeight={COMPARE_CARD_HEIGHT} renderCard={(key, width) => <CompareCard metricKey={key} store={store} runs={runs} options={route.chart} width={width} />} />
          </>
        )}
      </section>
    </div>
  );
}
