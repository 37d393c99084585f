// Metric points on the client: converting API series, merging live tails, keeping the number of
// points bounded with the server's own min/max-per-bucket rule, and the envelope band.

/** One series as parallel arrays, in step order. */
export interface Points {
  step: number[];
  time: number[];
  value: number[];
  /** True when some part came downsampled (the band then shows each bucket's range). */
  downsampled: boolean;
}

export const EMPTY_POINTS: Points = { step: [], time: [], value: [], downsampled: false };

/** Converts the API's int64 arrays (bigints) to numbers; steps and times fit in 2^53. */
export function fromApi(series: {
  step: readonly bigint[];
  timestampMs: readonly bigint[];
  value: readonly number[];
  downsampled: boolean;
}): Points {
  const n = series.step.length;
  const step = new Array<number>(n);
  const time = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    step[i] = Number(series.step[i]);
    time[i] = Number(series.timestampMs[i]);
  }
  return { step, time, value: Array.from(series.value), downsampled: series.downsampled };
}

/** The step of the last point, or null for an empty series. */
export function lastStep(p: Points): number | null {
  return p.step.length ? p.step[p.step.length - 1]! : null;
}

/**
 * Appends a live tail to a series: only the tail's points after the series' last step (the
 * tail may start earlier when one request served keys at different steps), in step order.
 */
export function mergeTail(base: Points, tail: Points): Points {
  const last = lastStep(base);
  let from = 0;
  if (last !== null) {
    while (from < tail.step.length && tail.step[from]! <= last) from++;
  }
  if (from >= tail.step.length) return base;
  return {
    step: base.step.concat(tail.step.slice(from)),
    time: base.time.concat(tail.time.slice(from)),
    value: base.value.concat(tail.value.slice(from)),
    downsampled: base.downsampled || tail.downsampled,
  };
}

/**
 * Reduces a series to about `maxPoints` the way the server does: the step range cut into
 * `maxPoints / 2` equal buckets, each keeping its minimum and maximum point in step order, so
 * that spikes survive. A series already small enough is returned as it is.
 */
export function compact(p: Points, maxPoints: number): Points {
  const n = p.step.length;
  if (n <= maxPoints || maxPoints < 2) return p;
  const buckets = Math.floor(maxPoints / 2);
  const first = p.step[0]!;
  const width = (p.step[n - 1]! - first + 1) / buckets;
  const out: Points = { step: [], time: [], value: [], downsampled: true };
  let i = 0;
  while (i < n) {
    const bucket = Math.min(buckets - 1, Math.floor((p.step[i]! - first) / width));
    let lo = -1;
    let hi = -1;
    let firstIndex = i;
    while (i < n && Math.min(buckets - 1, Math.floor((p.step[i]! - first) / width)) === bucket) {
      const v = p.value[i]!;
      if (!Number.isNaN(v)) {
        if (lo < 0 || v < p.value[lo]!) lo = i;
        if (hi < 0 || v > p.value[hi]!) hi = i;
      }
      i++;
    }
    const keep = lo < 0 ? [firstIndex] : lo === hi ? [lo] : lo < hi ? [lo, hi] : [hi, lo];
    for (const k of keep) {
      out.step.push(p.step[k]!);
      out.time.push(p.time[k]!);
      out.value.push(p.value[k]!);
    }
    firstIndex = i;
  }
  return out;
}

/**
 * The min/max envelope of a downsampled series, aligned with its points: for each point the
 * lowest and highest value of its bucket (buckets of equal step width, `buckets` of them), so
 * that a chart can shade the range the downsampled line stands for.
 */
export function envelope(p: Points, buckets: number): { lo: (number | null)[]; hi: (number | null)[] } {
  const n = p.step.length;
  const lo: (number | null)[] = new Array(n).fill(null);
  const hi: (number | null)[] = new Array(n).fill(null);
  if (n === 0 || buckets < 1) return { lo, hi };
  const first = p.step[0]!;
  const width = (p.step[n - 1]! - first + 1) / buckets;
  let start = 0;
  while (start < n) {
    const bucket = Math.floor((p.step[start]! - first) / width);
    let end = start;
    let min = Infinity;
    let max = -Infinity;
    while (end < n && Math.floor((p.step[end]! - first) / width) === bucket) {
      const v = p.value[end]!;
      if (Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      end++;
    }
    for (let k = start; k < end; k++) {
      lo[k] = min <= max ? min : null;
      hi[k] = min <= max ? max : null;
    }
    start = end;
  }
  return { lo, hi };
}

/** What the x axis shows. */
export type XMode = "step" | "relative" | "wall";

/**
 * The x values of a series: steps, seconds since `originMs` (the run's start), or wall time in
 * seconds (uPlot's time scale unit).
 */
export function xValues(p: Points, mode: XMode, originMs: number): number[] {
  switch (mode) {
    case "step":
      return p.step;
    case "relative":
      return p.time.map((t) => (t - originMs) / 1000);
    case "wall":
      return p.time.map((t) => t / 1000);
  }
}

/**
 * Sorts parallel columns by x when needed (times need not grow with steps); uPlot requires
 * ascending x. Returns the input when it is already ordered.
 */
export function sortByX(x: number[], columns: (number | null)[][]): { x: number[]; columns: (number | null)[][] } {
  let ordered = true;
  for (let i = 1; i < x.length; i++) {
    if (x[i]! < x[i - 1]!) {
      ordered = false;
      break;
    }
  }
  if (ordered) return { x, columns };
  const order = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]! || a - b);
  return { x: order.map((i) => x[i]!), columns: columns.map((c) => order.map((i) => c[i] ?? null)) };
}

/** The steps covered by an x range of a series (for refetching a zoomed range by step). */
export function stepRangeForX(p: Points, mode: XMode, originMs: number, xMin: number, xMax: number): [number, number] | null {
  if (mode === "step") return [Math.floor(xMin), Math.ceil(xMax)];
  const xs = xValues(p, mode, originMs);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i]! >= xMin && xs[i]! <= xMax) {
      lo = Math.min(lo, p.step[i]!);
      hi = Math.max(hi, p.step[i]!);
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Positive values only, for a log-scale axis (others become gaps). */
export function positiveOnly(values: (number | null)[]): (number | null)[] {
  return values.map((v) => (v !== null && v > 0 ? v : null));
}
