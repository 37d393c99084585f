// A uPlot line chart of one or more series: x as step, time since the run started or wall
// time; optional log scale and smoothing; the min/max envelope of downsampled data shaded
// behind the line; drag to zoom (the owner refetches that range), double-click to zoom out.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatDuration, formatNumber } from "../lib/format";
import { envelope, type Points, positiveOnly, sortByX, xValues } from "../lib/series";
import { smooth } from "../lib/smoothing";
import type { ChartOptions } from "../lib/url";

export interface ChartSeries {
  label: string;
  points: Points;
  colour: string;
  dash?: number[] | undefined;
  /** Start of the series' run (ms), the origin of relative time. */
  originMs: number;
}

export interface ChartProps {
  series: ChartSeries[];
  options: ChartOptions;
  width: number;
  height: number;
  legend?: boolean;
  /** Buckets of the envelope (about the number of downsampling buckets). */
  envelopeBuckets?: number;
  onZoom?: (xMin: number, xMax: number) => void;
  onResetZoom?: () => void;
  /** Called with the value under the cursor (single-series charts). */
  onHover?: (text: string) => void;
  /** Text alternative of the chart for screen readers. */
  label?: string;
}

interface Built {
  data: uPlot.AlignedData;
  band: { lo: (number | null)[]; hi: (number | null)[] } | null;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function ySeries(p: Points, o: ChartOptions): (number | null)[] {
  const y = smooth(p.value, o.smooth);
  return o.log ? positiveOnly(y) : y;
}

/** The aligned data uPlot draws (and the envelope of a single downsampled series). */
export function buildData(series: ChartSeries[], o: ChartOptions, envelopeBuckets: number): Built {
  if (series.length === 1) {
    const s = series[0]!;
    const x = xValues(s.points, o.x, s.originMs);
    const y = ySeries(s.points, o);
    if (s.points.downsampled && envelopeBuckets > 0) {
      const env = envelope(s.points, envelopeBuckets);
      const lo = o.log ? positiveOnly(env.lo) : env.lo;
      const hi = o.log ? positiveOnly(env.hi) : env.hi;
      const sorted = sortByX(x, [y, lo, hi]);
      return { data: [sorted.x, sorted.columns[0]!], band: { lo: sorted.columns[1]!, hi: sorted.columns[2]! } };
    }
    const sorted = sortByX(x, [y]);
    return { data: [sorted.x, sorted.columns[0]!], band: null };
  }
  const tables = series.map((s) => {
    const sorted = sortByX(xValues(s.points, o.x, s.originMs), [ySeries(s.points, o)]);
    return [sorted.x, sorted.columns[0]!] as uPlot.AlignedData;
  });
  if (!tables.length) return { data: [[]], band: null };
  return { data: uPlot.join(tables), band: null };
}

function xAxisValues(o: ChartOptions) {
  if (o.x === "relative") return (_u: uPlot, splits: number[]) => splits.map((s) => formatDuration(s * 1000));
  if (o.x === "step") return (_u: uPlot, splits: number[]) => splits.map((s) => formatNumber(s));
  return undefined;
}

export function Chart(props: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const band = useRef<Built["band"]>(null);
  const callbacks = useRef(props);
  callbacks.current = props;
  const { series, options, width, height } = props;
  const shape = `${series.map((s) => `${s.label}|${s.colour}`).join(",")}|${options.x}|${options.log}|${props.legend}`;

  // (Re)create the plot when the set of series or the axes change.
  useEffect(() => {
    const el = host.current;
    if (!el || width <= 0) return;
    const axis = cssVar("--muted", "#666");
    const grid = cssVar("--grid", "rgba(128,128,128,0.15)");
    const bandFill = cssVar("--band", "rgba(0,114,178,0.18)");
    const built = buildData(series, options, props.envelopeBuckets ?? 0);
    band.current = built.band;
    const opts: uPlot.Options = {
      width,
      height,
      legend: { show: props.legend ?? false, live: true },
      cursor: { drag: { x: true, y: false, setScale: true }, points: { size: 6 } },
      scales: {
        x: { time: options.x === "wall" },
        y: options.log ? { distr: 3 } : {},
      },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, ...(xAxisValues(options) ? { values: xAxisValues(options)! } : {}) },
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 56, values: (_u, splits) => splits.map((v) => formatNumber(v, 3)) },
      ],
      series: [
        { label: options.x === "step" ? "step" : "time" },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.colour,
          width: 1.5,
          spanGaps: true,
          points: { show: false },
          ...(s.dash ? { dash: s.dash } : {}),
          value: (_u: uPlot, v: number | null) => (v === null ? "" : formatNumber(v)),
        })),
      ],
      hooks: {
        drawAxes: [
          (u) => {
            const b = band.current;
            if (!b) return;
            const xs = u.data[0];
            const ctx = u.ctx;
            ctx.save();
            ctx.fillStyle = bandFill;
            ctx.beginPath();
            let open = false;
            const upper: [number, number][] = [];
            const flush = () => {
              for (let k = upper.length - 1; k >= 0; k--) ctx.lineTo(upper[k]![0], upper[k]![1]);
              ctx.closePath();
              upper.length = 0;
              open = false;
            };
            for (let i = 0; i < xs.length; i++) {
              const lo = b.lo[i];
              const hi = b.hi[i];
              if (lo === null || hi === null || lo === undefined || hi === undefined) {
                if (open) flush();
                continue;
              }
              const px = u.valToPos(xs[i]!, "x", true);
              const plo = u.valToPos(lo, "y", true);
              if (!open) {
                ctx.moveTo(px, plo);
                open = true;
              } else ctx.lineTo(px, plo);
              upper.push([px, u.valToPos(hi, "y", true)]);
            }
            if (open) flush();
            ctx.fill();
            ctx.restore();
          },
        ],
        setSelect: [
          (u) => {
            if (u.select.width < 2) return;
            const min = u.posToVal(u.select.left, "x");
            const max = u.posToVal(u.select.left + u.select.width, "x");
            callbacks.current.onZoom?.(min, max);
          },
        ],
        setCursor: [
          (u) => {
            const i = u.cursor.idx;
            const hover = callbacks.current.onHover;
            if (!hover) return;
            if (i === null || i === undefined) return hover("");
            const x = u.data[0][i];
            const y = u.data[1]?.[i];
            if (x === undefined || y === undefined || y === null) return hover("");
            const xs = options.x === "step" ? `step ${formatNumber(x)}` : options.x === "relative" ? formatDuration(x * 1000) : new Date(x * 1000).toLocaleString();
            hover(`${xs}: ${formatNumber(y)}`);
          },
        ],
      },
    };
    const u = new uPlot(opts, built.data, el);
    plot.current = u;
    const onDbl = () => callbacks.current.onResetZoom?.();
    u.over.addEventListener("dblclick", onDbl);
    return () => {
      u.over.removeEventListener("dblclick", onDbl);
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, width > 0]);

  // New data (live tails, zoom, smoothing) goes into the existing plot.
  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    const built = buildData(series, options, props.envelopeBuckets ?? 0);
    band.current = built.band;
    u.setData(built.data);
  }, [series, options.smooth, props.envelopeBuckets]);

  useEffect(() => {
    if (plot.current && width > 0) plot.current.setSize({ width, height });
  }, [width, height]);

  return <div class="chart" ref={host} role="img" aria-label={props.label ?? series.map((s) => s.label).join(", ")} />;
}
