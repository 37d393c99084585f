// The e2e harness: one system Chromium (Debian's `chromium`, or CHROMIUM_PATH) for all specs, a
// fresh page per spec, and a screenshot in e2e/screenshots/ when a spec fails.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";

export const BASE_URL = process.env["LABBOOK_UI_URL"]?.replace(/\/$/, "") ?? "";
/**
 * An API token of an admin of every project, when the server runs with access control on
 * (bin/test-web: `--auth on --bootstrap-token`): the seeds send it as `authorization: Bearer`, and
 * every spec's browser signs in with it first (POST /api/session), unless the spec is about
 * signing in.
 */
export const TOKEN = process.env["LABBOOK_E2E_TOKEN"] ?? "";
export const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), "screenshots");

/** `describe` when a UI is there to test, `describe.skip` otherwise. */
export const describeUi = BASE_URL ? describe : describe.skip;

let browser: Browser | null = null;

export function useBrowser(): void {
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
  });
  afterAll(async () => {
    await browser?.close();
    browser = null;
  });
}

function fileName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 80);
}

/**
 * A spec with its own page (1280x900, light scheme), signed in with TOKEN when there is one and
 * `signedIn` is not false; a failure saves a screenshot first.
 */
export function uiTest(name: string, fn: (page: Page) => Promise<void>, timeoutMs?: number, options: { signedIn?: boolean } = {}): void {
  it(name, { timeout: timeoutMs ?? 90_000 }, async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
    if (TOKEN && options.signedIn !== false) {
      // The browser context's request API shares its cookies: the server's Set-Cookie lands there.
      const res = await context.request.post(`${BASE_URL}/api/session`, { data: { token: TOKEN } });
      if (!res.ok()) throw new Error(`signing in with LABBOOK_E2E_TOKEN failed: ${res.status()} ${await res.text()}`);
    }
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    try {
      await fn(page);
      if (errors.length) throw new Error(`uncaught errors in the page: ${errors.join("; ")}`);
    } catch (e) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const file = join(SCREENSHOTS, `FAILED-${fileName(name)}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n(screenshot: ${file})`, { cause: e });
    } finally {
      await context.close();
    }
  });
}

/** Saves a screenshot on purpose (e.g. for the docs). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${fileName(name)}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Pixels of a canvas drawn in a colour near `rgb` (the series colour): a chart whose line was
 * drawn has many, one with only axes and grid has none.
 */
export async function inkPixels(page: Page, canvasSelector: string, rgb: [number, number, number]): Promise<number> {
  return page.$eval(
    canvasSelector,
    (canvas, colour) => {
      const c = canvas as HTMLCanvasElement;
      const ctx = c.getContext("2d");
      if (!ctx) return 0;
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 100 && Math.abs(data[i]! - colour[0]) < 40 && Math.abs(data[i + 1]! - colour[1]) < 40 && Math.abs(data[i + 2]! - colour[2]) < 40) n++;
      }
      return n;
    },
    rgb,
  );
}

/** Polls `fn` until it returns true or `timeoutMs` passes. */
export async function eventually(what: string, fn: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await fn().catch(() => false)) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
