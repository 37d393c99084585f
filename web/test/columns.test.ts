import { describe, expect, it } from "vitest";
import {
  availableKeys,
  columnLabel,
  metricColumnId,
  orderBy,
  parseColumn,
  parseColumns,
  parseSort,
  quoteKey,
  requestedKeys,
  sortable,
  toggleColumn,
} from "../src/lib/columns";

describe("column ids", () => {
  it("parses attributes, params, metrics with aggregates and tags", () => {
    expect(parseColumn("status")).toEqual({ id: "status", kind: "attr", attr: "status" });
    expect(parseColumn("param:optimizer.lr")).toEqual({ id: "param:optimizer.lr", kind: "param", key: "optimizer.lr" });
    expect(parseColumn("metric:val:acc")).toEqual({ id: "metric:val:acc", kind: "metric", key: "val:acc", agg: "last" });
    expect(parseColumn("metric.min:loss")).toMatchObject({ kind: "metric", key: "loss", agg: "min" });
    expect(parseColumn("tag:team")).toMatchObject({ kind: "tag", key: "team" });
    expect(parseColumn("bogus")).toBeNull();
    expect(parseColumn("param:")).toBeNull();
  });
  it("drops unknown and repeated ids", () => {
    expect(parseColumns(["name", "x", "name", "param:lr"]).map((c) => c.id)).toEqual(["name", "param:lr"]);
  });
  it("labels columns", () => {
    expect(columnLabel(parseColumn(metricColumnId("loss", "max"))!)).toBe("loss (max)");
    expect(columnLabel(parseColumn("start")!)).toBe("Started");
  });
  it("toggles a column", () => {
    expect(toggleColumn(["a", "b"], "a")).toEqual(["b"]);
    expect(toggleColumn(["a"], "b")).toEqual(["a", "b"]);
  });
});

describe("ordering", () => {
  it("quotes keys the search language would misread", () => {
    expect(quoteKey("train/loss")).toBe("train/loss");
    expect(quoteKey("loss.min")).toBe("`loss.min`");
    expect(quoteKey("val acc")).toBe("`val acc`");
    expect(quoteKey("a`b")).toBe("`a``b`");
  });
  it("builds order_by from a sort", () => {
    expect(orderBy(parseSort("-metric:val/acc"))).toEqual(["metrics.val/acc DESC"]);
    expect(orderBy(parseSort("metric.min:loss.x"))).toEqual(["metrics.`loss.x`.min ASC"]);
    expect(orderBy(parseSort("param:lr"))).toEqual(["params.lr ASC"]);
    expect(orderBy(parseSort("start"))).toEqual(["start_time ASC"]);
    expect(orderBy(parseSort(""))).toEqual([]);
    expect(orderBy(parseSort("duration"))).toEqual([]);
  });
  it("knows which columns the server can sort", () => {
    expect(sortable(parseColumn("name")!)).toBe(true);
    expect(sortable(parseColumn("duration")!)).toBe(false);
    expect(sortable(parseColumn("host")!)).toBe(false);
  });
});

describe("column picking", () => {
  it("asks SearchRuns only for the shown params and metrics", () => {
    const cols = parseColumns(["name", "param:lr", "metric:loss", "metric.max:loss", "tag:t"]);
    expect(requestedKeys(cols)).toEqual({ paramKeys: ["lr"], metricKeys: ["loss"] });
  });
  it("offers every key seen in the runs, sorted", () => {
    const runs: { params: { key: string }[]; metrics: { key: string }[]; tags: Record<string, string> }[] = [
      { params: [{ key: "lr" }, { key: "bs" }], metrics: [{ key: "loss" }], tags: { team: "a" } },
      { params: [{ key: "lr" }], metrics: [{ key: "acc" }], tags: {} },
    ];
    expect(availableKeys(runs)).toEqual({ params: ["bs", "lr"], metrics: ["acc", "loss"], tags: ["team"] });
  });
});

import { createLimiter } from "../src/lib/limit";

describe("createLimiter", () => {
  it("runs at most n tasks at once, all of them in the end", async () => {
    const limit = createLimiter(2);
    let running = 0;
    let peak = 0;
    const task = async (v: number) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return v;
    };
    const results = await Promise.all([1, 2, 3, 4, 5].map((v) => limit(() => task(v))));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });
});
