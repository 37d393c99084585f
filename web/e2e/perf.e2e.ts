// Browser-side measurements of the UI's benchmark (issue 20): prints `name=value` lines. Runs
// only with LABBOOK_UI_URL and LABBOOK_UI_PERF=1; sizes from LABBOOK_UI_PERF_POINTS (points per
// series, default 1,000,000) and LABBOOK_UI_PERF_RUNS (runs in the table, default 10,000).
// Seeding goes through the HTTP port, so large sizes take a while.
import { type Page } from "playwright-core";
import { describe } from "vitest";
import type { Api } from "../src/api/client";
import { BASE_URL, eventually, uiTest, useBrowser } from "./harness";
import { finish, logMetrics, openRun, seedApi, uniqueName } from "./seed";

const ENABLED = BASE_URL && process.env["LABBOOK_UI_PERF"] === "1";
const POINTS = Number(process.env["LABBOOK_UI_PERF_POINTS"] ?? 1_000_000);
const RUNS = Number(process.env["LABBOOK_UI_PERF_RUNS"] ?? 10_000);
const SEED_TIMEOUT = 30 * 60_000;

function report(name: string, value: number): void {
  console.log(`${name}=${Math.round(value)}`);
}

/** Logs `points` steps of each key in batches of at most 100,000 points. */
async function logSeries(api: Api, runId: string, keys: string[], points: number): Promise<void> {
  const perBatch = Math.max(1, Math.floor(100_000 / keys.length));
  for (let start = 0; start < points; start += perBatch) {
    const steps = Array.from({ length: Math.min(perBatch, points - start) }, (_, i) => start + i);
    await logMetrics(api, runId, keys, steps, (k, s) => Math.exp(-s / (points / 5)) + k + 0.1 * Math.sin(s / 50) + (s % 99_991 === 0 ? 2 : 0));
  }
}

/** Milliseconds from the navigation's start until `ready` holds in the page. */
async function timeUntil(page: Page, url: string, ready: string): Promise<number> {
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction(ready, undefined, { polling: "raf", timeout: 60_000 });
  return page.evaluate(() => performance.now());
}

(ENABLED ? describe : describe.skip)("UI benchmark", () => {
  useBrowser();
  const api = seedApi(BASE_URL);
  const experiment = uniqueName("ui-bench");

  uiTest("ui_run_page_ms and ui_bytes_per_chart", async (page) => {
    const run = await openRun(api, experiment, "ten-keys");
    const keys = Array.from({ length: 10 }, (_, i) => `metric_${i}`);
    await logSeries(api, run.id, keys, POINTS);
    await finish(api, run.id);
    let bytes = 0;
    page.on("response", async (r) => {
      if (r.url().endsWith("/BatchGetMetricHistory")) bytes += (await r.body()).length;
    });
    // Tall enough that all ten charts are on the first screen.
    await page.setViewportSize({ width: 1280, height: 1600 });
    const ms = await timeUntil(page, `${BASE_URL}/runs/${run.id}?tab=charts`, `document.querySelectorAll('[data-metric-key] canvas').length >= 10`);
    report("ui_run_page_ms", ms);
    await eventually("the responses read", async () => bytes > 0);
    report("ui_bytes_per_chart", bytes / 10);
  }, SEED_TIMEOUT);

  uiTest("ui_many_keys_ms and ui_many_keys_dom_nodes", async (page) => {
    const run = await openRun(api, experiment, "many-keys");
    const keys = Array.from({ length: 2000 }, (_, i) => `group_${i % 20}/key_${i}`);
    for (let i = 0; i < keys.length; i += 500) await logSeries(api, run.id, keys.slice(i, i + 500), 20);
    await finish(api, run.id);
    const ms = await timeUntil(page, `${BASE_URL}/runs/${run.id}?tab=charts`, `document.querySelectorAll('[data-metric-key] canvas').length >= 3`);
    report("ui_many_keys_ms", ms);
    report("ui_many_keys_dom_nodes", await page.evaluate(() => document.getElementsByTagName("*").length));
  });

  uiTest("ui_compare_ms", async (page) => {
    const ids: string[] = [];
    for (let r = 0; r < 20; r++) {
      const run = await openRun(api, experiment, `cmp-${r}`, { lr: 0.001 * (r + 1) });
      await logSeries(api, run.id, ["loss"], POINTS);
      await finish(api, run.id);
      ids.push(run.id);
    }
    const ms = await timeUntil(page, `${BASE_URL}/compare?runs=${ids.join(",")}`, `document.querySelectorAll('[data-metric-key="loss"] .u-legend .u-series').length >= 21 && !!document.querySelector('[data-metric-key="loss"] canvas')`);
    report("ui_compare_ms", ms);
  }, SEED_TIMEOUT);

  uiTest("ui_runs_table_ms", async (page) => {
    const exp = uniqueName("ui-bench-table");
    for (let r = 0; r < RUNS; r++) {
      const run = await openRun(api, exp, `run-${r}`, Object.fromEntries(Array.from({ length: 20 }, (_, p) => [`p${p}`, (r * 7 + p) % 97])));
      await logMetrics(api, run.id, ["val/acc"], [0], () => ((r * 31) % 1000) / 1000);
      await finish(api, run.id);
    }
    const id = (await api.experiments.getExperiment({ project: "default", name: exp })).experiment!.id;
    const ms = await timeUntil(page, `${BASE_URL}/experiments/${id}/runs?sort=-metric:val/acc&cols=status,name,metric:val/acc,param:p1`, `document.querySelectorAll('.vbody .vrow').length > 10`);
    report("ui_runs_table_ms", ms);
  }, SEED_TIMEOUT);

  uiTest("ui_live_latency_ms", async (page) => {
    const run = await openRun(api, experiment, "live");
    await logMetrics(api, run.id, ["loss"], [0], () => 1);
    await page.goto(`${BASE_URL}/runs/${run.id}?tab=charts`);
    const card = page.locator('[data-metric-key="loss"]');
    await card.getByText("1 pts").waitFor();
    const samples: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const t0 = Date.now();
      await logMetrics(api, run.id, ["loss"], [i], () => 1 / (i + 1));
      await card.getByText(`${i + 1} pts`).waitFor({ timeout: 10_000 });
      samples.push(Date.now() - t0);
    }
    await finish(api, run.id);
    samples.sort((a, b) => a - b);
    report("ui_live_latency_ms", samples[Math.floor(samples.length / 2)]!);
  });
});

