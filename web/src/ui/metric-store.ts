// Chart data for a set of runs. Charts ask for their key when they come into view; the store
// collects the keys asked for within a few milliseconds and answers them with ONE unary
// BatchGetMetricHistory call (browsers allow 6 connections per origin; a stream per chart would
// queue behind them), downsampled by the server to about the charts' pixel width.
import type { Api } from "../api/client";
import { compact, fromApi, lastStep, mergeTail, type Points } from "../lib/series";

const MAX_KEYS_PER_CALL = 100;
const MAX_SERIES_PER_CALL = 1000;

export interface KeyState {
  /** One entry per run (in the store's run order); undefined until loaded. */
  series: Map<string, Points> | undefined;
  error: unknown;
}

export class MetricStore {
  private readonly states = new Map<string, KeyState>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private tailInFlight = false;
  private closed = false;

  constructor(
    private readonly api: Api,
    readonly runIds: readonly string[],
    /** Points per series the server downsamples to: about twice the chart's width in pixels. */
    readonly maxPoints: number,
  ) {}

  get(key: string): KeyState | undefined {
    return this.states.get(key);
  }

  subscribe(key: string, fn: () => void): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }

  /** Asks for a key's series (once; later calls are no-ops while it is loaded or loading). */
  request(key: string): void {
    if (this.closed || this.states.has(key) || this.pending.has(key)) return;
    this.pending.add(key);
    this.timer ??= setTimeout(() => this.flush(), 16);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private notify(key: string): void {
    for (const fn of this.listeners.get(key) ?? []) fn();
  }

  private keysPerCall(): number {
    return Math.max(1, Math.min(MAX_KEYS_PER_CALL, Math.floor(MAX_SERIES_PER_CALL / Math.max(1, this.runIds.length))));
  }

  private flush(): void {
    this.timer = null;
    const keys = [...this.pending];
    this.pending.clear();
    const size = this.keysPerCall();
    for (let i = 0; i < keys.length; i += size) void this.load(keys.slice(i, i + size));
  }

  private async load(keys: string[]): Promise<void> {
    for (const k of keys) this.states.set(k, { series: undefined, error: undefined });
    try {
      const res = await this.api.metrics.batchGetMetricHistory({
        runIds: [...this.runIds],
        keys,
        maxPoints: this.maxPoints,
      });
      const byKey = new Map<string, Map<string, Points>>(keys.map((k) => [k, new Map()]));
      for (const s of res.series) byKey.get(s.key)?.set(s.runId, fromApi(s));
      for (const k of keys) {
        this.states.set(k, { series: byKey.get(k)!, error: undefined });
        this.notify(k);
      }
    } catch (error) {
      for (const k of keys) {
        this.states.set(k, { series: undefined, error });
        this.notify(k);
      }
    }
  }

  /** Fetches one key's step range at full resolution (up to maxPoints), for a zoomed chart. */
  async range(key: string, startStep: number, endStep: number, signal?: AbortSignal): Promise<Map<string, Points>> {
    const res = await this.api.metrics.batchGetMetricHistory(
      {
        runIds: [...this.runIds],
        keys: [key],
        maxPoints: this.maxPoints,
        startStep: BigInt(startStep),
        endStep: BigInt(endStep),
      },
      signal ? { signal } : {},
    );
    return new Map(res.series.map((s) => [s.runId, fromApi(s)]));
  }

  /**
   * Live update of one run: given the run's current summaries (last step per key), fetches only
   * the new points of the loaded keys that moved on, with one call per group of keys starting
   * at the earliest new step, and appends them. Whole histories are never pulled again; a
   * series that grows past 3x maxPoints is re-bucketed locally with the server's min/max rule.
   */
  async applyLive(runId: string, lastSteps: ReadonlyMap<string, number>): Promise<void> {
    if (this.tailInFlight || this.closed) return;
    const changed: { key: string; from: number }[] = [];
    for (const [key, step] of lastSteps) {
      const series = this.states.get(key)?.series;
      if (!series) continue;
      const points = series.get(runId);
      const last = points ? lastStep(points) : null;
      if (last === null || step > last) changed.push({ key, from: last === null ? Number.MIN_SAFE_INTEGER : last + 1 });
    }
    if (!changed.length) return;
    this.tailInFlight = true;
    try {
      const size = MAX_KEYS_PER_CALL;
      for (let i = 0; i < changed.length; i += size) {
        const group = changed.slice(i, i + size);
        const from = Math.min(...group.map((g) => g.from));
        const res = await this.api.metrics.batchGetMetricHistory({
          runIds: [runId],
          keys: group.map((g) => g.key),
          maxPoints: this.maxPoints,
          ...(from > Number.MIN_SAFE_INTEGER ? { startStep: BigInt(from) } : {}),
        });
        for (const s of res.series) {
          const state = this.states.get(s.key);
          if (!state?.series) continue;
          const base = state.series.get(runId);
          let merged = base ? mergeTail(base, fromApi(s)) : fromApi(s);
          if (merged.step.length > 3 * this.maxPoints) merged = compact(merged, this.maxPoints);
          if (merged !== base) {
            const series = new Map(state.series);
            series.set(runId, merged);
            this.states.set(s.key, { series, error: undefined });
            this.notify(s.key);
          }
        }
      }
    } finally {
      this.tailInFlight = false;
    }
  }
}
