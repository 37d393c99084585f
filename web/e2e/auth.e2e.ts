// Signing in to a server with access control on (bin/test-web starts it with `--auth on
// --bootstrap-token`, given to the specs as LABBOOK_E2E_TOKEN): the sign-in view, a wrong token,
// the session cookie (HttpOnly: no script reads the token), signing out, and a viewer token of
// another project that sees nothing of project A. Without a token every spec is skipped.
import type { Page } from "playwright-core";
import { describe, expect } from "vitest";
import { Role } from "../src/gen/labbook/v1/access_pb";
import type { Run } from "../src/gen/labbook/v1/run_pb";
import { BASE_URL, screenshot, TOKEN, uiTest, useBrowser } from "./harness";
import { finish, logLines, openRun, seedApi, uniqueName } from "./seed";

const describeAuth = BASE_URL && TOKEN ? describe : describe.skip;

async function signIn(page: Page, token: string): Promise<void> {
  await page.getByRole("heading", { name: "Sign in to Labbook" }).waitFor();
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

async function sessionCookie(page: Page) {
  return (await page.context().cookies(BASE_URL)).find((c) => c.name === "labbook_session");
}

describeAuth("signing in", () => {
  useBrowser();
  const admin = seedApi(BASE_URL);
  const projectA = uniqueName("e2e-a");
  const projectB = uniqueName("e2e-b");
  let runA: Run | undefined;
  let viewerOfB = "";

  uiTest("seeds a run in project A, one in project B and a viewer token of B", async () => {
    runA = await openRun(admin, "exp-in-a", "run-in-a", { lr: 0.1 }, projectA);
    await logLines(admin, runA.id, ["a secret of project A"]);
    await finish(admin, runA.id);
    await finish(admin, (await openRun(admin, "exp-in-b", "run-in-b", { lr: 0.2 }, projectB)).id);
    const created = await admin.access.createToken({ name: "e2e-viewer-of-b", project: projectB, role: Role.VIEWER });
    viewerOfB = created.secret;
    expect(viewerOfB).toMatch(/^lbk_/);
  });

  uiTest(
    "opening the UI shows the sign-in view",
    async (page) => {
      await page.goto(`${BASE_URL}/experiments`);
      await page.getByRole("heading", { name: "Sign in to Labbook" }).waitFor();
      const field = page.getByLabel("API token");
      expect(await field.getAttribute("type")).toBe("password");
      expect(await field.getAttribute("autocomplete")).toBe("off");
      await page.getByText("labbook tokens create --name NAME --project PROJECT --role viewer").waitFor();
      // No page of data behind it.
      expect(await page.getByRole("heading", { name: "Experiments" }).count()).toBe(0);
    },
    undefined,
    { signedIn: false },
  );

  uiTest(
    "a wrong token shows the server's error and sets no cookie",
    async (page) => {
      await page.goto(`${BASE_URL}/experiments`);
      await signIn(page, "lbk_ThisTokenIsNotKnownToTheServer000000000");
      const alert = page.locator("#signin-error");
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/token|credentials/i);
      expect(await page.getByLabel("API token").getAttribute("aria-invalid")).toBe("true");
      expect(await sessionCookie(page)).toBeUndefined();
      await screenshot(page, "sign-in-refused");
      await page.getByRole("heading", { name: "Sign in to Labbook" }).waitFor();
    },
    undefined,
    { signedIn: false },
  );

  uiTest(
    "the right token shows the runs in an HttpOnly cookie, and signing out asks again",
    async (page) => {
      // The route asked for is the route shown after signing in.
      await page.goto(`${BASE_URL}/experiments?project=${projectA}`);
      await signIn(page, TOKEN);
      await page.getByRole("link", { name: "exp-in-a" }).click();
      await page.getByRole("link", { name: "run-in-a", exact: true }).waitFor();
      expect(await page.locator("[data-principal]").textContent()).toBe("token:bootstrap");

      // The token is in the cookie, which the page's scripts cannot read, and nowhere else.
      const cookie = await sessionCookie(page);
      expect(cookie?.value).toBe(TOKEN);
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.sameSite).toBe("Strict");
      const visible = await page.evaluate(() => [document.cookie, JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage })].join(" "));
      expect(visible).not.toContain("labbook_session");
      expect(visible).not.toContain("lbk_");
      expect(await page.content()).not.toContain(TOKEN);

      // A fresh load of the page is still signed in.
      await page.reload();
      await page.getByRole("link", { name: "run-in-a", exact: true }).waitFor();

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in to Labbook" }).waitFor();
      expect(await sessionCookie(page)).toBeUndefined();
      await page.reload();
      await page.getByRole("heading", { name: "Sign in to Labbook" }).waitFor();
    },
    undefined,
    { signedIn: false },
  );

  uiTest(
    "a viewer token of another project sees no runs of project A",
    async (page) => {
      await page.goto(`${BASE_URL}/experiments`);
      await signIn(page, viewerOfB);
      // No role in `default`: the UI opens the token's own project.
      await page.getByRole("link", { name: "exp-in-b" }).waitFor();
      expect(page.url()).toContain(`project=${projectB}`);
      expect(await page.locator("[data-principal]").textContent()).toBe("token:e2e-viewer-of-b");
      const projects = await page.getByLabel("Project").locator("option").allTextContents();
      expect(projects).toContain(projectB);
      expect(projects).not.toContain(projectA);

      await page.goto(`${BASE_URL}/experiments?project=${projectA}`);
      await page.getByText(`No access to project “${projectA}”.`).waitFor();
      await page.getByText("has no role in").first().waitFor();
      await screenshot(page, "no-access");
      expect(await page.getByText("exp-in-a").count()).toBe(0);

      await page.goto(`${BASE_URL}/runs?project=${projectA}`);
      await page.getByText(`No access to project “${projectA}”.`).waitFor();
      expect(await page.getByText("run-in-a").count()).toBe(0);

      await page.goto(`${BASE_URL}/runs/${runA!.id}?tab=logs`);
      await page.locator(".denied").first().waitFor();
      expect(await page.getByText("run-in-a").count()).toBe(0);
      expect(await page.getByText("a secret of project A").count()).toBe(0);
    },
    undefined,
    { signedIn: false },
  );
});
