import { describe, expect, it } from "vitest";
import { compact, envelope, fromApi, mergeTail, type Points, sortByX, stepRangeForX, xValues } from "../src/lib/series";
import { smooth } from "../src/lib/smoothing";
import { filterKeys, groupKeys } from "../src/lib/groups";
import { filterErrorFrom, splitAtError } from "../src/lib/filter-error";

function pts(steps: number[], values: number[], downsampled = false): Points {
  return { step: steps, time: steps.map((s) => 1000 + s * 10), value: values, downsampled };
}

describe("fromApi", () => {
  it("converts int64 arrays", () => {
    const p = fromApi({ step: [1n, 2n], timestampMs: [1700000000000n, 1700000000500n], value: [0.5, 0.25], downsampled: true });
    expect(p).toEqual({ step: [1, 2], time: [1700000000000, 1700000000500], value: [0.5, 0.25], downsampled: true });
  });
});

describe("mergeTail", () => {
  it("appends only points after the last step", () => {
    const merged = mergeTail(pts([0, 1, 2], [1, 2, 3]), pts([2, 3, 4], [9, 4, 5]));
    expect(merged.step).toEqual([0, 1, 2, 3, 4]);
    expect(merged.value).toEqual([1, 2, 3, 4, 5]);
  });
  it("returns the series itself when nothing is new", () => {
    const base = pts([0, 1], [1, 2]);
    expect(mergeTail(base, pts([0, 1], [1, 2]))).toBe(base);
  });
  it("starts an empty series", () => {
    expect(mergeTail(pts([], []), pts([5], [1])).step).toEqual([5]);
  });
  it("remembers a downsampled tail", () => {
    expect(mergeTail(pts([0], [1]), pts([1], [1], true)).downsampled).toBe(true);
  });
});

describe("compact", () => {
  it("keeps each bucket's extremes in step order", () => {
    const steps = Array.from({ length: 100 }, (_, i) => i);
    const values = steps.map((s) => (s === 37 ? 1000 : s === 62 ? -1000 : 0));
    const c = compact(pts(steps, values), 10);
    expect(c.step.length).toBeLessThanOrEqual(10);
    expect(c.value).toContain(1000);
    expect(c.value).toContain(-1000);
    expect(c.downsampled).toBe(true);
    for (let i = 1; i < c.step.length; i++) expect(c.step[i]!).toBeGreaterThan(c.step[i - 1]!);
  });
  it("leaves small series alone", () => {
    const p = pts([1, 2, 3], [1, 2, 3]);
    expect(compact(p, 10)).toBe(p);
  });
  it("keeps one point for an all-NaN bucket", () => {
    const c = compact(pts([0, 1, 2, 3], [NaN, NaN, 1, 2]), 2);
    expect(c.step.length).toBeGreaterThan(0);
  });
});

describe("envelope", () => {
  it("gives every point its bucket's range", () => {
    const e = envelope(pts([0, 1, 2, 3], [1, 5, -2, 4]), 2);
    expect(e.lo).toEqual([1, 1, -2, -2]);
    expect(e.hi).toEqual([5, 5, 4, 4]);
  });
  it("ignores NaN and leaves a gap for a NaN bucket", () => {
    const e = envelope(pts([0, 1, 2, 3], [NaN, NaN, 3, 1]), 2);
    expect(e.lo).toEqual([null, null, 1, 1]);
    expect(e.hi).toEqual([null, null, 3, 3]);
  });
});

describe("x axis", () => {
  const p = pts([0, 10, 20], [1, 2, 3]);
  it("maps steps, relative and wall time", () => {
    expect(xValues(p, "step", 0)).toEqual([0, 10, 20]);
    expect(xValues(p, "relative", 1000)).toEqual([0, 0.1, 0.2]);
    expect(xValues(p, "wall", 0)).toEqual([1, 1.1, 1.2]);
  });
  it("finds the steps of a zoomed time range", () => {
    expect(stepRangeForX(p, "relative", 1000, 0.05, 0.25)).toEqual([10, 20]);
    expect(stepRangeForX(p, "step", 0, 2.5, 11.2)).toEqual([2, 12]);
    expect(stepRangeForX(p, "relative", 1000, 5, 6)).toBeNull();
  });
  it("sorts by x only when needed", () => {
    const x = [1, 2, 3];
    const cols = [[1, 2, 3]];
    expect(sortByX(x, cols).x).toBe(x);
    expect(sortByX([3, 1, 2], [[30, 10, 20]])).toEqual({ x: [1, 2, 3], columns: [[10, 20, 30]] });
  });
});

describe("smooth", () => {
  it("is the identity at weight 0", () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
  });
  it("is debiased: a constant stays constant", () => {
    for (const v of smooth([5, 5, 5, 5], 0.9)) expect(v).toBeCloseTo(5, 10);
  });
  it("damps a spike and passes NaN through", () => {
    const s = smooth([0, 0, 10, 0, NaN, 0], 0.6);
    expect(s[2]!).toBeLessThan(10);
    expect(s[2]!).toBeGreaterThan(0);
    expect(Number.isNaN(s[4] as number)).toBe(true);
    expect(s[5]!).toBeGreaterThan(0);
  });
});

describe("key groups", () => {
  it("groups by prefix, unprefixed keys first", () => {
    expect(groupKeys(["val/acc", "train/loss", "lr", "train/acc"])).toEqual([
      { name: "", keys: ["lr"] },
      { name: "train", keys: ["train/acc", "train/loss"] },
      { name: "val", keys: ["val/acc"] },
    ]);
  });
  it("filters by substring or regex", () => {
    const keys = ["train/loss", "val/loss", "val/acc"];
    expect(filterKeys(keys, "LOSS")).toEqual(["train/loss", "val/loss"]);
    expect(filterKeys(keys, "/^val/")).toEqual(["val/loss", "val/acc"]);
    expect(filterKeys(keys, "/[/")).toEqual([]);
    expect(filterKeys(keys, " ")).toEqual(keys);
  });
});

describe("filter errors", () => {
  it("reads the column of an INVALID_FILTER error", () => {
    expect(filterErrorFrom("INVALID_FILTER", { field: "filter", column: "21" }, "filter: syntax error at column 21")).toEqual({
      field: "filter",
      index: 20,
      message: "syntax error at column 21",
    });
    expect(filterErrorFrom("RUN_NOT_FOUND", {}, "x")).toBeNull();
    expect(filterErrorFrom("INVALID_FILTER", {}, "bad")?.index).toBeNull();
  });
  it("splits the text at the error, past the end too", () => {
    expect(splitAtError("abc", 1)).toEqual(["a", "b", "c"]);
    expect(splitAtError("abc", 3)).toEqual(["abc", " ", ""]);
  });
});
