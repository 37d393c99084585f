import { describe, expect, it } from "vitest";
import { compareRoute, joinList, parseRoute, type Route, routeUrl, runRoute, runsRoute, splitList } from "../src/lib/url";

function roundTrip(r: Route): Route {
  const url = new URL(routeUrl(r), "http://x");
  return parseRoute(url.pathname, url.search);
}

describe("routes", () => {
  it("opens the experiments list at /", () => {
    expect(parseRoute("/", "")).toEqual({ page: "experiments", project: "", q: "", folder: "", deleted: false });
  });

  it("keeps runs table state in the URL", () => {
    const r: Route = {
      ...runsRoute("e1"),
      filter: "params.lr < 0.01 AND status = 'COMPLETED'",
      sort: "-metric:val/acc",
      cols: ["status", "name", "param:lr", "metric.min:loss, smoothed"],
    };
    const url = routeUrl(r);
    expect(url.startsWith("/experiments/e1/runs?")).toBe(true);
    expect(roundTrip(r)).toEqual(r);
  });

  it("leaves defaults out", () => {
    expect(routeUrl(runsRoute("e1"))).toBe("/experiments/e1/runs");
    expect(routeUrl(runRoute("r1"))).toBe("/runs/r1");
    expect(routeUrl(runRoute("r1", "charts"))).toBe("/runs/r1?tab=charts");
  });

  it("keeps chart options of the run page", () => {
    const r: Route = { ...runRoute("r1", "charts"), chart: { x: "wall", smooth: 0.6, log: true }, keys: "val/" };
    expect(routeUrl(r)).toBe("/runs/r1?tab=charts&x=wall&smooth=0.6&log=1&keys=val%2F");
    expect(roundTrip(r)).toEqual(r);
  });

  it("clamps nonsense chart options", () => {
    const r = parseRoute("/runs/r1", "?tab=nope&x=sideways&smooth=7");
    expect(r).toMatchObject({ page: "run", tab: "overview", chart: { x: "step", smooth: 0.99, log: false } });
  });

  it("keeps compare state", () => {
    const r: Route = { ...compareRoute(["a", "b", "c"]), metric: "val/acc", agg: "max", param: "lr", onlyDiff: true };
    expect(routeUrl(r)).toContain("runs=a%2Cb%2Cc");
    expect(roundTrip(r)).toEqual(r);
  });

  it("searches a project at /runs", () => {
    expect(parseRoute("/runs", "?project=vision&filter=status%20%3D%20'RUNNING'")).toMatchObject({
      page: "runs",
      experimentId: "",
      project: "vision",
      filter: "status = 'RUNNING'",
    });
  });

  it("reports unknown paths", () => {
    expect(parseRoute("/nothing/here", "")).toEqual({ page: "notfound", path: "/nothing/here" });
  });

  it("escapes commas and percent signs inside list items", () => {
    const items = ["a,b", "100%", "c"];
    expect(splitList(joinList(items))).toEqual(items);
    expect(splitList("")).toEqual([]);
  });
});
