// Charts of one run: one card per metric key, grouped by prefix, created when scrolled into
// view; data from one BatchGetMetricHistory call per batch of newly visible keys; zoom
// refetches the visible step range; while the run is RUNNING, cheap ListMetrics summaries are
// polled about once a second and only the new steps of changed keys are fetched.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../../api/client";
import type { MetricSummary } from "../../gen/labbook/v1/metric_pb";
import type { Run } from "../../gen/labbook/v1/run_pb";
import { formatInt64, formatNumber } from "../../lib/format";
import { filterKeys } from "../../lib/groups";
import { seriesStyle } from "../../lib/palette";
import { type Points, stepRangeForX } from "../../lib/series";
import type { ChartOptions, Route } from "../../lib/url";
import { Chart, type ChartSeries } from "../Chart";
import { ChartGrid, useSeen } from "../ChartGrid";
import { ChartControls } from "../ChartControls";
import { Empty, ErrorBox, Loading } from "../common";
import { MetricStore } from "../metric-store";
import { navigate } from "../router";

type RunRoute = Extract<Route, { page: "run" }>;

export const CARD_HEIGHT = 250;
const CHART_HEIGHT = 190;
const LIVE_POLL_MS = 1000;

/** Points per series to ask for: about two per pixel of a card (one min/max bucket). */
export function maxPointsForWindow(): number {
  const w = Math.min(window.innerWidth, 2400);
  const cols = Math.max(1, Math.floor(w / 380));
  return Math.min(4000, Math.max(200, 2 * Math.ceil(w / cols)));
}

async function listAllMetrics(runId: string, signal?: AbortSignal): Promise<MetricSummary[]> {
  const out: MetricSummary[] = [];
  let pageToken = "";
  do {
    const res = await api().metrics.listMetrics({ runId, pageSize: 10000, pageToken }, signal ? { signal } : {});
    out.push(...res.metrics);
    pageToken = res.nextPageToken;
  } while (pageToken);
  return out;
}

function summaryText(s: MetricSummary | undefined): string {
  if (!s) return "";
  return `last ${formatNumber(s.lastValue)} · min ${formatNumber(s.min)} · max ${formatNumber(s.max)} · ${formatInt64(s.count)} pts`;
}

function RunChartCard({
  metricKey,
  store,
  runId,
  options,
  width,
  summary,
  originMs,
}: {
  metricKey: string;
  store: MetricStore;
  runId: string;
  options: ChartOptions;
  width: number;
  summary: MetricSummary | undefined;
  originMs: number;
}) {
  const [ref, seen] = useSeen<HTMLDivElement>();
  const [, setVersion] = useState(0);
  const [zoomed, setZoomed] = useState<Points | null>(null);
  const [hover, setHover] = useState("");
  const [zoomError, setZoomError] = useState("");
  useEffect(() => store.subscribe(metricKey, () => setVersion((n) => n + 1)), [store, metricKey]);
  useEffect(() => {
    if (seen) store.request(metricKey);
  }, [seen, store, metricKey]);
  const state = store.get(metricKey);
  const overview = state?.series?.get(runId);
  const points = zoomed ?? overview;
  const series = useMemo<ChartSeries[]>(
    () => (points ? [{ label: metricKey, points, colour: seriesStyle(0).colour, originMs }] : []),
    [points, metricKey, originMs],
  );
  const zoom = useRef<AbortController | null>(null);
  return (
    <div class="card" ref={ref} data-metric-key={metricKey}>
      <div class="card-head">
        <span class="key clip" title={metricKey}>
          {metricKey}
        </span>
        {zoomed && (
          <button type="button" class="link small" onClick={() => setZoomed(null)}>
            reset zoom
          </button>
        )}
      </div>
      <div class="muted small clip card-sub">{hover || zoomError || summaryText(summary)}</div>
      {state?.error ? (
        <ErrorBox error={state.error} what={metricKey} />
      ) : !points ? (
        <div class="chart-placeholder" style={{ height: `${CHART_HEIGHT}px` }} aria-busy="true" />
      ) : points.step.length === 0 ? (
        <div class="chart-placeholder muted small" style={{ height: `${CHART_HEIGHT}px` }}>
          no points
        </div>
      ) : (
        <Chart
          series={series}
          options={options}
          width={width - 16}
          height={CHART_HEIGHT}
          envelopeBuckets={Math.floor(store.maxPoints / 2)}
          onHover={setHover}
          label={`${metricKey}: ${summaryText(summary)}`}
          onResetZoom={() => setZoomed(null)}
          onZoom={(xMin, xMax) => {
            const base = zoomed ?? overview;
            const range = base ? stepRangeForX(base, options.x, originMs, xMin, xMax) : null;
            if (!range) return;
            zoom.current?.abort();
            const ctrl = new AbortController();
            zoom.current = ctrl;
            store.range(metricKey, range[0], range[1], ctrl.signal).then(
              (byRun) => !ctrl.signal.aborted && setZoomed(byRun.get(runId) ?? null),
              () => !ctrl.signal.aborted && setZoomError("could not load the zoomed range"),
            );
          }}
        />
      )}
    </div>
  );
}

export function ChartsTab({ run, route, live }: { run: Run; route: RunRoute; live: boolean }) {
  const store = useMemo(() => new MetricStore(api(), [run.id], maxPointsForWindow()), [run.id]);
  useEffect(() => () => store.close(), [store]);
  const [summaries, setSummaries] = useState<MetricSummary[] | null>(null);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    const ctrl = new AbortController();
    listAllMetrics(run.id, ctrl.signal).then(setSummaries, (e) => !ctrl.signal.aborted && setError(e));
    return () => ctrl.abort();
  }, [run.id]);

  // Live: poll the summaries (cheap: one row per key) and fetch only new steps of changed keys.
  useEffect(() => {
    if (!live) return;
    let stopped = false;
    let inFlight = false;
    const tick = async (final = false) => {
      if (inFlight || (stopped && !final)) return;
      inFlight = true;
      try {
        const latest = await listAllMetrics(run.id);
        if (stopped && !final) return;
        setSummaries(latest);
        await store.applyLive(run.id, new Map(latest.map((s) => [s.key, Number(s.lastStep)])));
      } catch {
        // A failed poll is retried on the next tick.
      } finally {
        inFlight = false;
      }
    };
    const id = setInterval(() => void tick(), LIVE_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(id);
      void tick(true); // one last look after the run ended, for its final points
    };
  }, [live, run.id, store]);

  const byKey = useMemo(() => new Map((summaries ?? []).map((s) => [s.key, s])), [summaries]);
  const allKeys = useMemo(() => (summaries ?? []).map((s) => s.key), [summaries]);
  const keys = useMemo(() => filterKeys(allKeys, route.keys), [allKeys, route.keys]);
  const originMs = Number(run.startTimeMs) || Number(run.createTimeMs);

  if (error) return <ErrorBox error={error} what="the metrics" />;
  if (!summaries) return <Loading what="metrics" />;
  if (!allKeys.length)
    return (
      <Empty title={live ? "No metrics yet: charts appear as soon as the run logs one." : "This run logged no metrics."}>
        <p>
          Log one with <code>run.log_metric("loss", 0.5, step=1)</code> (Python) or <code>run.logMetric("loss", 0.5)</code> (Java).
        </p>
      </Empty>
    );
  return (
    <div class="charts-tab">
      <ChartControls
        options={route.chart}
        keys={route.keys}
        count={`${keys.length} of ${allKeys.length} metrics`}
        onChange={(chart, keysFilter) => navigate({ ...route, chart, keys: keysFilter }, { replace: true })}
      />
      {!keys.length ? (
        <Empty title="No metric key matches the filter.">
          <button type="button" onClick={() => navigate({ ...route, keys: "" }, { replace: true })}>
            Show all metrics
          </button>
        </Empty>
      ) : (
        <ChartGrid
          keys={keys}
          cardHeight={CARD_HEIGHT}
          renderCard={(key, width) => (
            <RunChartCard metricKey={key} store={store} runId={run.id} options={route.chart} width={width} summary={byKey.get(key)} originMs={originMs} />
          )}
        />
      )}
    </div>
  );
}
