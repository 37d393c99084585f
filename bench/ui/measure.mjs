// The UI benchmark's browser side (bench/run ui): opens the pages of the web UI in headless
// Chromium (playwright-core from web/node_modules, the system's chromium) against a server that
// UiBenchSeed has seeded, and prints name=value lines on stdout (progress on stderr).
//
//   node bench/ui/measure.mjs --url http://127.0.0.1:7880 --seed seed.json [--repeat 3]
//
// Every measurement opens its page in a new browser context (an empty cache: a cold load of the
// app and its data) and takes the time from the navigation's start (performance.timeOrigin) until
// the page shows what the measurement waits for, checked on every animation frame; with
// --repeat N it reports the median of N. What it relies on in the app (web/src):
//   [data-metric-key="<key>"]      a chart card, on the run page's Charts tab and on Compare
//   ... canvas                     the card's uPlot canvas, there once the card's data is drawn
//   ... .u-legend .u-series        uPlot's legend entries (Compare: the x entry + one per run)
//   ... text "<N> pts"             the card's summary line (point count of the key)
//   .vbody .vrow[aria-rowindex]    the virtualized runs table's rows (aria-rowindex 2 = first)
//   URLs /runs/<id>?tab=charts, /compare?runs=a,b, /experiments/<id>/runs?sort=-metric:K&cols=...
//   gRPC-Web calls to .../labbook.v1.MetricService/BatchGetMetricHistory for chart data.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback === undefined) throw new Error(`--${name} is required`);
  return fallback;
}

const BASE = option("url").replace(/\/$/, "");
const seed = JSON.parse(readFileSync(option("seed"), "utf8"));
const REPEAT = Number(option("repeat", "3"));
const CHROMIUM = option("chromium", process.env.CHROMIUM_PATH ?? "/usr/bin/chromium");
const TIMEOUT_MS = 60_000;

const log = (message) => process.stderr.write(`measure: ${message}\n`);
const report = (name, value) => console.log(`${name}=${Math.round(value)}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });

/** Runs `fn(page)` in a fresh context (cold cache) of the given viewport. */
async function withPage(viewport, fn) {
  const context = await browser.newContext({ viewport, colorScheme: "light" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    const result = await fn(page);
    if (errors.length) throw new Error(`errors in the page: ${errors.join("; ")}`);
    return result;
  } finally {
    await context.close();
  }
}

/** Milliseconds from the navigation's start until `ready` (a function run in the page) holds. */
async function timeUntil(page, url, ready, arg) {
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction(ready, arg, { polling: "raf", timeout: TIMEOUT_MS });
  const [ms, calls] = await page.evaluate(() => [performance.now(), performance.getEntriesByType("resource")
    .filter((e) => e.name.includes("/labbook.v1."))
    .map((e) => `${e.name.replace(/.*\/labbook\.v1\./, "")} ${Math.round(e.startTime)}+${Math.round(e.duration)}`)]);
  // Where the time went: each API call's start and duration (ms since the navigation's start).
  log(`  ${url.replace(BASE, "")}: ${calls.join(", ")}`);
  return ms;
}

/** Every chart card in `selector` that is in the viewport has its canvas (and there is one). */
function cardsDrawn({ selector, atLeast }) {
  const inView = [...document.querySelectorAll(selector)].filter((card) => {
    const r = card.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight && r.height > 0;
  });
  return inView.length >= atLeast && inView.every((card) => {
    const canvas = card.querySelector("canvas");
    return canvas && canvas.width > 0 && canvas.height > 0;
  });
}

async function runPage() {
  const times = [];
  const bytes = [];
  for (let i = 0; i < REPEAT; i++) {
    const [ms, perChart] = await withPage({ width: 1280, height: 1600 }, async (page) => {
      const sizes = [];
      page.on("requestfinished", (request) => {
        if (request.url().endsWith("/BatchGetMetricHistory")) {
          sizes.push(request.sizes().then((s) => s.responseBodySize + s.responseHeadersSize));
        }
      });
      // Tall enough that the ten charts are all on the first screen.
      const ms = await timeUntil(page, `${BASE}/runs/${seed.tenKeysRunId}?tab=charts`, (n) =>
        [...document.querySelectorAll("[data-metric-key] canvas")].filter((c) => c.width > 0).length >= n,
        seed.tenKeys.length);
      await page.waitForTimeout(200); // requests still finishing count too
      const total = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
      return [ms, total / seed.tenKeys.length];
    });
    log(`run page: ${Math.round(ms)} ms, ${Math.round(perChart)} bytes per chart`);
    times.push(ms);
    bytes.push(perChart);
  }
  report("ui_run_page_ms", median(times));
  report("ui_bytes_per_chart", median(bytes));
}

async function compare() {
  const times = [];
  for (let i = 0; i < REPEAT; i++) {
    const ms = await withPage({ width: 1280, height: 900 }, (page) =>
      timeUntil(page, `${BASE}/compare?runs=${seed.compareRunIds.join(",")}`, ({ key, runs }) => {
        const card = document.querySelector(`[data-metric-key="${key}"]`);
        const canvas = card?.querySelector("canvas");
        return !!canvas && canvas.width > 0 && card.querySelectorAll(".u-legend .u-series").length >= runs + 1;
      }, { key: seed.compareKey, runs: seed.compareRunIds.length }));
    log(`compare of ${seed.compareRunIds.length} runs: ${Math.round(ms)} ms`);
    times.push(ms);
  }
  report("ui_compare_ms", median(times));
}

async function runsTable() {
  const times = [];
  const metric = seed.tableMetric;
  const url = `${BASE}/experiments/${seed.tableExperimentId}/runs?sort=-metric:${encodeURIComponent(metric)}`
    + `&cols=status,name,start,metric:${encodeURIComponent(metric)},param:lr,param:batch_size`;
  for (let i = 0; i < REPEAT; i++) {
    const ms = await withPage({ width: 1280, height: 900 }, (page) =>
      // Rows visible, and the first is the run with the highest value: the sort was applied.
      timeUntil(page, url, (top) => {
        const rows = document.querySelectorAll(".vbody .vrow");
        const first = document.querySelector('.vbody .vrow[aria-rowindex="2"]');
        return rows.length > 10 && !!first && [...first.querySelectorAll("a")].some((a) => a.textContent === top);
      }, seed.tableTopRunName));
    log(`runs table sorted by ${metric}: ${Math.round(ms)} ms`);
    times.push(ms);
  }
  report("ui_runs_table_ms", median(times));
}

async function manyKeys() {
  const times = [];
  let nodes = 0;
  for (let i = 0; i < REPEAT; i++) {
    const [ms, n] = await withPage({ width: 1280, height: 900 }, async (page) => {
      const ms = await timeUntil(page, `${BASE}/runs/${seed.manyKeysRunId}?tab=charts`, cardsDrawn,
        { selector: "[data-metric-key]", atLeast: 3 });
      return [ms, await page.evaluate(() => document.getElementsByTagName("*").length)];
    });
    log(`2,000 keys: first screen in ${Math.round(ms)} ms, ${n} DOM nodes`);
    times.push(ms);
    nodes = Math.max(nodes, n);
  }
  report("ui_many_keys_ms", median(times));
  report("ui_many_keys_dom_nodes", nodes);
}

/** A unary call of the HTTP port's JSON API, as curl makes it. */
async function call(method, body) {
  const response = await fetch(`${BASE}/labbook.v1.${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function liveLatency() {
  const samples = [];
  await withPage({ width: 1280, height: 900 }, async (page) => {
    await page.goto(`${BASE}/runs/${seed.liveRunId}?tab=charts`);
    const card = page.locator(`[data-metric-key="${seed.liveKey}"]`);
    await card.getByText(/\b1 pts\b/).waitFor({ timeout: TIMEOUT_MS });
    for (let step = 1; step <= 5 * REPEAT; step++) {
      const t0 = Date.now();
      await call("MetricService/BatchLogMetrics", {
        batch: { runId: seed.liveRunId, keys: [seed.liveKey], keyIndex: [0], step: [String(step)],
          timestampMs: [String(Date.now())], value: [1 / (step + 1)] },
      });
      await card.getByText(new RegExp(`\\b${step + 1} pts\\b`)).waitFor({ timeout: 10_000 });
      samples.push(Date.now() - t0);
      await page.waitForTimeout(Math.random() * 500); // not in step with the page's polling
    }
  });
  await call("RunService/FinishRun", { runId: seed.liveRunId, status: "RUN_STATUS_COMPLETED" });
  log(`live: ${samples.join(", ")} ms`);
  report("ui_live_latency_ms", median(samples));
}

try {
  // One untimed visit first: the browser process and the server's JIT warm up, as on a server
  // that has been serving for a while. Each measured visit still starts with an empty cache.
  await withPage({ width: 1280, height: 900 }, (page) =>
    timeUntil(page, `${BASE}/runs/${seed.compareRunIds[0]}?tab=charts`, () => !!document.querySelector("[data-metric-key] canvas")));
  await runPage();
  await compare();
  await runsTable();
  await manyKeys();
  await liveLatency();
} finally {
  await browser.close();
}
