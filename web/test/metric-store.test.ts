import { describe, expect, it, vi } from "vitest";
import type { Api } from "../src/api/client";
import { MetricStore } from "../src/ui/metric-store";

interface Req {
  runIds: string[];
  keys: string[];
  maxPoints: number;
  startStep?: bigint;
  endStep?: bigint;
}

/** A stand-in for the generated client that answers from in-memory series. */
function fakeApi(data: Record<string, Record<string, number[]>>) {
  const calls: Req[] = [];
  const api = {
    metrics: {
      batchGetMetricHistory: vi.fn(async (req: Req) => {
        calls.push(req);
        const series = [];
        for (const runId of req.runIds) {
          for (const key of req.keys) {
            const steps = data[runId]?.[key];
            if (!steps) continue;
            const kept = steps.filter((s) => (req.startStep === undefined || s >= Number(req.startStep)) && (req.endStep === undefined || s <= Number(req.endStep)));
            series.push({ runId, key, step: kept.map(BigInt), timestampMs: kept.map((s) => BigInt(1000 + s)), value: kept.map((s) => s * 2), downsampled: false });
          }
        }
        return { series };
      }),
    },
  } as unknown as Api;
  return { api, calls };
}

const tick = () => new Promise((r) => setTimeout(r, 40));

describe("MetricStore", () => {
  it("answers the keys asked for together with one call", async () => {
    const { api, calls } = fakeApi({ r1: { a: [0, 1], b: [0, 1, 2], c: [5] } });
    const store = new MetricStore(api, ["r1"], 800);
    const seen: string[] = [];
    store.subscribe("b", () => seen.push("b"));
    store.request("a");
    store.request("b");
    store.request("c");
    store.request("a");
    await tick();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ runIds: ["r1"], keys: ["a", "b", "c"], maxPoints: 800 });
    expect(store.get("b")?.series?.get("r1")?.step).toEqual([0, 1, 2]);
    expect(seen).toEqual(["b"]);
  });

  it("splits calls to stay within 100 keys and 1000 series", async () => {
    const runs = Array.from({ length: 20 }, (_, i) => `r${i}`);
    const { api, calls } = fakeApi({});
    const store = new MetricStore(api, runs, 800);
    for (let k = 0; k < 120; k++) store.request(`k${k}`);
    await tick();
    expect(calls.map((c) => c.keys.length)).toEqual([50, 50, 20]);
  });

  it("fetches only new steps of a live run and appends them", async () => {
    const data = { r1: { a: [0, 1, 2], b: [0, 1, 2, 3, 4] } };
    const { api, calls } = fakeApi(data);
    const store = new MetricStore(api, ["r1"], 800);
    store.request("a");
    store.request("b");
    await tick();
    data.r1.a.push(3, 4);
    data.r1.b.push(5);
    await store.applyLive("r1", new Map([["a", 4], ["b", 5], ["not-loaded", 9]]));
    const live = calls[1]!;
    expect(live.keys).toEqual(["a", "b"]);
    expect(live.startStep).toBe(3n); // the earliest new step; b drops what it already has
    expect(store.get("a")?.series?.get("r1")?.step).toEqual([0, 1, 2, 3, 4]);
    expect(store.get("b")?.series?.get("r1")?.step).toEqual([0, 1, 2, 3, 4, 5]);
    await store.applyLive("r1", new Map([["a", 4], ["b", 5]]));
    expect(calls).toHaveLength(2); // nothing moved on: no call
  });

  it("reads a zoomed range", async () => {
    const { api, calls } = fakeApi({ r1: { a: [0, 1, 2, 3, 4, 5] } });
    const store = new MetricStore(api, ["r1"], 800);
    const byRun = await store.range("a", 2, 4);
    expect(calls[0]).toMatchObject({ startStep: 2n, endStep: 4n, keys: ["a"] });
    expect(byRun.get("r1")?.step).toEqual([2, 3, 4]);
  });

  it("keeps the error of a failed call for its keys", async () => {
    const api = { metrics: { batchGetMetricHistory: vi.fn(async () => Promise.reject(new Error("down"))) } } as unknown as Api;
    const store = new MetricStore(api, ["r1"], 800);
    store.request("a");
    await tick();
    expect(store.get("a")?.error).toBeInstanceOf(Error);
    expect(store.get("a")?.series).toBeUndefined();
  });
});
