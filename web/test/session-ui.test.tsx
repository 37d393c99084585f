// @vitest-environment happy-dom
import { Code, ConnectError } from "@connectrpc/connect";
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noteCallError, resetSession, session, signIn } from "../src/api/session";
import { ErrorBox } from "../src/ui/common";
import { SessionBadge, SignIn, useSession } from "../src/ui/session";

let root: HTMLElement;

/** The sign-in view while signed out, else a marker: what App does, without the pages. */
function Shell() {
  const s = useSession();
  return (
    <div>
      <header>
        <SessionBadge />
      </header>
      {s.state === "signed-out" ? <SignIn session={s} /> : <p id="pages">pages</p>}
    </div>
  );
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await act(async () => new Promise((r) => setTimeout(r, 0)));
}

function field(): HTMLInputElement {
  return root.querySelector<HTMLInputElement>("#signin-token")!;
}

async function submit(token: string): Promise<void> {
  field().value = token;
  await act(async () => {
    root.querySelector("form")!.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
  });
  await settle();
}

beforeEach(() => {
  resetSession();
  root = document.createElement("div");
  document.body.appendChild(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
  vi.unstubAllGlobals();
  localStorage.clear();
  sessionStorage.clear();
});

describe("the sign-in view", () => {
  it("comes up when a call is refused, with a password field that is not remembered", async () => {
    await act(async () => render(<Shell />, root));
    expect(root.querySelector("#pages")).not.toBeNull();
    await act(async () => noteCallError(new ConnectError("credentials missing", Code.Unauthenticated)));
    expect(root.querySelector("#pages")).toBeNull();
    const input = field();
    expect(input.type).toBe("password");
    expect(input.getAttribute("autocomplete")).toBe("off");
    expect(input.name).toBe("token");
    expect(document.activeElement).toBe(input);
    expect(root.textContent).toContain("labbook tokens create --name NAME --project PROJECT --role viewer");
    expect(root.textContent).toContain("Ask an admin");
    // A first visit is no ended session.
    expect(root.textContent).not.toContain("Your session ended");
  });

  it("shows the server's message for a wrong token, and the pages for the right one", async () => {
    const fetch = vi.fn(async (_url: string, init: RequestInit) => {
      const { token } = JSON.parse(String(init.body)) as { token: string };
      return token === "lbk_right"
        ? json(200, { principal: "token:alice", method: "token", roles: [{ project: "a", role: "ROLE_EDITOR" }], expireTimeMs: "0" })
        : json(401, { code: "UNAUTHENTICATED", reason: "CREDENTIALS_INVALID", message: "the API token lbk_wron... is not known to this server" });
    });
    vi.stubGlobal("fetch", fetch);
    noteCallError(new ConnectError("", Code.Unauthenticated));
    await act(async () => render(<Shell />, root));

    await submit("");
    expect(root.querySelector('[role="alert"]')?.textContent).toBe("Enter an API token.");
    expect(fetch).not.toHaveBeenCalled();

    await submit("lbk_wrong");
    expect(root.querySelector('[role="alert"]')?.textContent).toBe("the API token lbk_wron... is not known to this server");
    expect(field().getAttribute("aria-invalid")).toBe("true");
    // The token is not left in the page.
    expect(field().value).toBe("");

    await submit("lbk_right");
    expect(root.querySelector("#pages")).not.toBeNull();
    expect(root.querySelector("[data-principal]")?.textContent).toBe("token:alice");
    expect(root.querySelector("[data-principal]")?.getAttribute("title")).toBe("Roles: editor in a");
    expect(localStorage.length + sessionStorage.length).toBe(0);
    expect(root.innerHTML).not.toContain("lbk_right");
  });

  it("says why a session ended", async () => {
    vi.stubGlobal("fetch", async () => json(200, { principal: "token:alice", roles: [] }));
    await signIn("lbk_x");
    await act(async () => render(<Shell />, root));
    await act(async () => noteCallError(new ConnectError("the API token lbk_abcd... expired at 2030-01-01T00:00:00Z", Code.Unauthenticated)));
    expect(root.textContent).toContain("Your session ended: the API token lbk_abcd... expired at 2030-01-01T00:00:00Z");
  });
});

describe("the header", () => {
  it("shows the caller and signs out", async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    vi.stubGlobal("fetch", async () => json(200, { principal: "token:alice", roles: [{ project: "*", role: "ROLE_ADMIN" }] }));
    await signIn("lbk_x");
    vi.stubGlobal("fetch", fetch);
    await act(async () => render(<Shell />, root));
    expect(root.querySelector("[data-principal]")?.getAttribute("title")).toBe("Roles: admin in every project");
    const out = [...root.querySelectorAll("button")].find((b) => b.textContent === "Sign out")!;
    await act(async () => out.click());
    await settle();
    expect(fetch).toHaveBeenCalledWith("/api/session", { method: "DELETE", credentials: "same-origin" });
    expect(session().state).toBe("signed-out");
    expect(field()).not.toBeNull();
    expect(root.querySelector("[data-principal]")).toBeNull();
  });

  it("shows nothing when the server has no access control", async () => {
    await act(async () => render(<SessionBadge />, root));
    expect(root.innerHTML).toBe("");
  });
});

describe("a denied call", () => {
  it("names the project the token has no role in and offers another token", async () => {
    vi.stubGlobal("fetch", async () => json(200, { principal: "token:bob", roles: [{ project: "b", role: "ROLE_VIEWER" }] }));
    await signIn("lbk_x");
    const error = new ConnectError("token:bob has no role in project a", Code.PermissionDenied);
    await act(async () =>
      render(
        <>
          <ErrorBox error={error} what="the experiments" project="a" />
          <Shell />
        </>,
        root,
      ),
    );
    const box = root.querySelector(".denied")!;
    expect(box.querySelector("strong")?.textContent).toBe("No access to project “a”.");
    expect(box.textContent).toContain("Your token (token:bob) has no role in project “a”. It has: viewer in b.");
    expect(box.textContent).toContain("PermissionDenied: token:bob has no role in project a");
    const other = [...box.querySelectorAll("button")].find((b) => b.textContent === "Sign in with another token")!;
    await act(async () => other.click());
    expect(session()).toMatchObject({ state: "signed-out", previous: { principal: "token:bob" } });
    const cancel = [...root.querySelectorAll("button")].find((b) => b.textContent === "Cancel")!;
    await act(async () => cancel.click());
    expect(session().state).toBe("signed-in");
  });
});
