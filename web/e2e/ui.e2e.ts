// End-to-end specs of the web UI in a real headless Chromium against a real Labbook server
// (LABBOOK_UI_URL, e.g. http://localhost:7880). Each spec logs its own data through the
// server's HTTP port first.
import { expect } from "vitest";
import type { Run } from "../src/gen/labbook/v1/run_pb";
import { BASE_URL, describeUi, eventually, inkPixels, screenshot, uiTest, useBrowser } from "./harness";
import { finish, logLines, logMetrics, openRun, seedApi, uniqueName } from "./seed";

const SERIES_RGB: [number, number, number] = [0x00, 0x72, 0xb2]; // first Okabe-Ito colour
const KEYS = ["loss", "train/acc", "val/acc", "val/loss"];

describeUi("web UI", () => {
  useBrowser();
  const api = seedApi(BASE_URL);
  const experiment = uniqueName("e2e-ui");
  const runs: Run[] = [];

  uiTest("seeds three finished runs", async () => {
    const steps = Array.from({ length: 3000 }, (_, i) => i);
    for (let r = 0; r < 3; r++) {
      const run = await openRun(api, experiment, `run-${r}`, { lr: [0.1, 0.01, 0.001][r]!, batch_size: 32, optimizer: r === 2 ? "sgd" : "adam" });
      await logMetrics(api, run.id, KEYS, steps, (k, s) => Math.exp(-s / 800) + k * 0.5 + r * 0.05 + 0.05 * Math.sin(s / 7));
      await logLines(api, run.id, [`hello from run ${r}`, "epoch 1 done"]);
      await finish(api, run.id);
      runs.push(run);
    }
  });

  uiTest("runs appear in the experiment's table", async (page) => {
    await page.goto(`${BASE_URL}/experiments?q=${experiment}`);
    // The experiments table shows the run count and last activity that ListExperiments carries.
    const row = page.getByRole("row", { name: new RegExp(experiment) });
    await row.getByRole("cell", { name: "3", exact: true }).waitFor();
    expect(await row.getByText("no runs").count()).toBe(0);
    await page.getByRole("link", { name: experiment }).click();
    for (const r of runs) await page.getByRole("link", { name: r.name, exact: true }).waitFor();
    expect(await page.locator(".vbody .vrow").count()).toBe(3);
    expect(page.url()).toContain(`/experiments/${runs[0]!.experimentId}/runs`);
  });

  uiTest("a run logged through the Python SDK shows in the table, with its chart and log", async (page) => {
    // bin/test-web logs it with web/e2e/seed_python_sdk.py before the specs run.
    const pyExperiment = process.env.LABBOOK_E2E_PY_EXPERIMENT;
    if (!pyExperiment) return;
    await page.goto(`${BASE_URL}/experiments?q=${pyExperiment}`);
    await page.getByRole("link", { name: pyExperiment }).click();
    await page.getByRole("link", { name: "py-sdk-run", exact: true }).click();
    await page.getByText("adamw").first().waitFor();
    await page.goto(`${page.url().split("?")[0]}?tab=charts`);
    const canvas = '[data-metric-key="py/loss"] canvas';
    await page.locator(canvas).waitFor();
    await eventually("a line in py/loss's chart", async () => (await inkPixels(page, canvas, SERIES_RGB)) > 100);
    await page.goto(`${page.url().split("?")[0]}?tab=logs`);
    await page.getByText("logged through the Python SDK").first().waitFor();
  });

  uiTest("the run page draws a chart per metric", async (page) => {
    const run = runs[0]!;
    await page.goto(`${BASE_URL}/runs/${run.id}?tab=charts`);
    for (const key of KEYS) {
      const canvas = `[data-metric-key="${key}"] canvas`;
      await page.locator(canvas).waitFor();
      await eventually(`a line in ${key}'s chart`, async () => (await inkPixels(page, canvas, SERIES_RGB)) > 100);
    }
    await screenshot(page, "run-charts");
  });

  uiTest("dragging over a chart refetches the zoomed step range", async (page) => {
    const run = runs[1]!;
    await page.goto(`${BASE_URL}/runs/${run.id}?tab=charts`);
    const card = page.locator('[data-metric-key="loss"]');
    const over = card.locator(".u-over");
    await over.waitFor();
    const box = (await over.boundingBox())!;
    const refetch = page.waitForRequest((r) => r.url().endsWith("/BatchGetMetricHistory"));
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await refetch;
    await card.getByRole("button", { name: "reset zoom" }).waitFor();
    await eventually("the zoomed line", async () => (await inkPixels(page, '[data-metric-key="loss"] canvas', SERIES_RGB)) > 100);
    await card.getByRole("button", { name: "reset zoom" }).click();
    await card.getByRole("button", { name: "reset zoom" }).waitFor({ state: "detached" });
  });

  uiTest("the run page shows params and logs", async (page) => {
    const run = runs[2]!;
    await page.goto(`${BASE_URL}/runs/${run.id}`);
    const params = page.locator("table.params");
    await params.getByText("optimizer").waitFor();
    await params.getByText("sgd").waitFor();
    await params.getByText("0.001").waitFor();
    await page.getByRole("link", { name: "Logs" }).click();
    await page.getByText("hello from run 2").waitFor();
    expect(page.url()).toContain("tab=logs");
  });

  uiTest("a live run's chart, status and log follow what is logged", async (page) => {
    const run = await openRun(api, experiment, uniqueName("live"), { lr: 0.5 });
    await logMetrics(api, run.id, ["live/loss"], [0, 1, 2], (_k, s) => 1 / (s + 1));
    await page.goto(`${BASE_URL}/runs/${run.id}?tab=charts`);
    const card = page.locator('[data-metric-key="live/loss"]');
    await card.getByText("3 pts").waitFor();
    await logMetrics(api, run.id, ["live/loss"], [3, 4, 5, 6], (_k, s) => 1 / (s + 1));
    const chartMs = await eventually("the new points in the chart", async () => (await card.getByText("7 pts").count()) > 0, 5000);
    expect(chartMs).toBeLessThan(5000);

    await page.getByRole("link", { name: "Logs" }).click();
    await logLines(api, run.id, ["first live line"]);
    await page.getByText("first live line").waitFor({ timeout: 5000 });
    await logLines(api, run.id, ["second live line"]);
    await page.getByText("second live line").waitFor({ timeout: 5000 });

    await finish(api, run.id);
    await page.locator("h1 .status-completed").waitFor({ timeout: 5000 });
  });

  uiTest("compare of three runs shows three legends and the differing param", async (page) => {
    await page.goto(`${BASE_URL}/compare?runs=${runs.map((r) => r.id).join(",")}`);
    const legend = page.locator('[data-metric-key="loss"] .u-legend .u-series');
    await eventually("a legend entry per run", async () => (await legend.count()) === 4); // x + 3 runs
    for (const r of runs) await page.locator('[data-metric-key="loss"] .u-legend').getByText(r.name).waitFor();
    const optimizer = page.locator('tr[data-param-key="optimizer"]');
    await optimizer.waitFor();
    expect(await optimizer.getAttribute("data-differs")).toBe("true");
    expect(await page.locator('tr[data-param-key="batch_size"]').getAttribute("data-differs")).toBe("false");
  });

  uiTest("the filter box shows a syntax error at its column", async (page) => {
    await page.goto(`${BASE_URL}/experiments/${runs[0]!.experimentId}/runs`);
    await page.locator(".vbody .vrow").first().waitFor();
    const box = page.getByLabel("Filter runs");
    await box.fill("params.lr < AND status = 'COMPLETED'");
    await box.press("Enter");
    const error = page.locator("#filter-error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/column \d+/);
    expect(await box.getAttribute("aria-invalid")).toBe("true");

    await box.fill("params.lr < 0.05");
    await box.press("Enter");
    await eventually("two matching runs", async () => (await page.locator(".vbody .vrow").count()) === 2);
    expect(page.url()).toContain("filter=params.lr");
  });
});
