import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { sessionInterceptor } from "../src/api/client";
import { denial, describeError } from "../src/api/errors";
import {
  type CallerInfo,
  callerInfo,
  cancelSignIn,
  discover,
  homeProject,
  noteCallError,
  requestSignIn,
  resetSession,
  roleIn,
  session,
  sessionGeneration,
  signIn,
  signOut,
  subscribe,
} from "../src/api/session";
import { CallerSchema, Role } from "../src/gen/labbook/v1/access_pb";

const BOB: CallerInfo = { principal: "token:bob", roles: [{ project: "b", role: "viewer" }], expireTimeMs: 0 };

function response(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

beforeEach(() => resetSession());

describe("caller", () => {
  it("reads GetCaller's protobuf and the sign-in's JSON alike", () => {
    const proto = create(CallerSchema, {
      principal: "token:ci",
      roles: [
        { project: "a", role: Role.EDITOR },
        { project: "*", role: Role.VIEWER },
        { project: "x", role: Role.UNSPECIFIED },
      ],
      expireTimeMs: 1700000000000n,
      authEnabled: true,
    });
    const json = { principal: "token:ci", method: "token", roles: [{ project: "a", role: "ROLE_EDITOR" }, { project: "*", role: "ROLE_VIEWER" }], expireTimeMs: "1700000000000" };
    const expected = { principal: "token:ci", roles: [{ project: "a", role: "editor" }, { project: "*", role: "viewer" }], expireTimeMs: 1700000000000 };
    expect(callerInfo(proto)).toEqual(expected);
    expect(callerInfo(json)).toEqual(expected);
    expect(callerInfo({})).toEqual({ principal: "", roles: [], expireTimeMs: 0 });
  });

  it("has the higher of its project's and every project's role", () => {
    const c: CallerInfo = { principal: "p", roles: [{ project: "a", role: "viewer" }, { project: "*", role: "editor" }], expireTimeMs: 0 };
    expect(roleIn(c, "a")).toBe("editor");
    expect(roleIn(c, "zzz")).toBe("editor");
    expect(roleIn(BOB, "b")).toBe("viewer");
    expect(roleIn(BOB, "a")).toBeUndefined();
    expect(roleIn({ ...BOB, roles: [{ project: "default", role: "admin" }] }, "")).toBe("admin");
  });

  it("opens the caller's own project when it has no role in default", () => {
    expect(homeProject(undefined)).toBe("");
    expect(homeProject(BOB)).toBe("b");
    expect(homeProject({ ...BOB, roles: [{ project: "zeta", role: "viewer" }, { project: "alpha", role: "admin" }] })).toBe("alpha");
    expect(homeProject({ ...BOB, roles: [{ project: "*", role: "viewer" }] })).toBe("");
    expect(homeProject({ ...BOB, roles: [{ project: "default", role: "viewer" }, { project: "b", role: "admin" }] })).toBe("");
  });
});

describe("session state", () => {
  it("asks for a token when a call is refused as unauthenticated, and only then", () => {
    const seen: string[] = [];
    subscribe(() => seen.push(session().state));
    noteCallError(new ConnectError("no", Code.PermissionDenied));
    noteCallError(new ConnectError("down", Code.Unavailable));
    expect(session().state).toBe("open");
    noteCallError(new ConnectError("credentials missing", Code.Unauthenticated));
    // A first visit: no "your session ended".
    expect(session()).toEqual({ state: "signed-out", reason: "" });
    noteCallError(new ConnectError("again", Code.Unauthenticated));
    expect(seen).toEqual(["signed-out"]);
  });

  it("says why a session ended", async () => {
    await signIn("lbk_x", async () => response(200, { principal: "token:bob", roles: [] }));
    noteCallError(new ConnectError("the API token lbk_abcd... was revoked", Code.Unauthenticated));
    expect(session()).toEqual({ state: "signed-out", reason: "the API token lbk_abcd... was revoked" });
  });

  it("discovers a signed-in caller, a missing session, and a server without access control", async () => {
    const caller = create(CallerSchema, { principal: "token:bob", roles: [{ project: "b", role: Role.VIEWER }], authEnabled: true });
    await discover({ authEnabled: Promise.resolve(true), caller: Promise.resolve(caller) });
    expect(session()).toEqual({ state: "signed-in", caller: { principal: "token:bob", roles: [{ project: "b", role: "viewer" }], expireTimeMs: 0 } });

    resetSession();
    const anonymous = create(CallerSchema, { principal: "anonymous", roles: [{ project: "*", role: Role.ADMIN }], authEnabled: false });
    await discover({ authEnabled: Promise.resolve(false), caller: Promise.resolve(anonymous) });
    expect(session()).toEqual({ state: "open", authEnabled: false });

    resetSession();
    const refused = new ConnectError("credentials missing", Code.Unauthenticated);
    await discover({ authEnabled: Promise.resolve(true), caller: Promise.reject(refused) });
    expect(session()).toEqual({ state: "signed-out", reason: "" });

    // A server without AccessService: only GetServerInfo tells.
    resetSession();
    await discover({ authEnabled: Promise.resolve(true), caller: Promise.reject(new ConnectError("", Code.Unimplemented)) });
    expect(session()).toEqual({ state: "open", authEnabled: true });
    resetSession();
    await discover({ authEnabled: Promise.reject(new Error("offline")), caller: Promise.reject(new ConnectError("", Code.Unavailable)) });
    expect(session()).toEqual({ state: "open", authEnabled: false });
  });

  it("lets a sign-in that came first win over a late discovery", async () => {
    let answer: (c: undefined) => void = () => undefined;
    const late = discover({ authEnabled: Promise.resolve(true), caller: new Promise((r) => (answer = r)) });
    await signIn("lbk_x", async () => response(200, { principal: "token:bob", roles: [] }));
    answer(undefined);
    await late;
    expect(session().state).toBe("signed-in");
  });
});

describe("signing in and out", () => {
  it("posts the token once, same origin, and keeps nothing but the caller", async () => {
    const fetch = vi.fn(async () => response(200, { principal: "token:bob", method: "token", roles: [{ project: "b", role: "ROLE_VIEWER" }], expireTimeMs: "0" }));
    const before = sessionGeneration();
    const result = await signIn("  lbk_secret \n", fetch);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith("/api/session", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: "lbk_secret" }),
    });
    expect(result).toEqual({ ok: true, caller: BOB });
    expect(session()).toEqual({ state: "signed-in", caller: BOB });
    expect(JSON.stringify(session())).not.toContain("lbk_secret");
    // The pages are rendered anew for the new caller.
    expect(sessionGeneration()).toBe(before + 1);
  });

  it("shows the server's reason when the token is refused", async () => {
    noteCallError(new ConnectError("", Code.Unauthenticated));
    const refused = await signIn("lbk_wrong", async () =>
      response(401, { code: "UNAUTHENTICATED", reason: "CREDENTIALS_INVALID", message: "the API token lbk_wron... is not known to this server" }),
    );
    expect(refused).toEqual({ ok: false, message: "the API token lbk_wron... is not known to this server" });
    expect(session().state).toBe("signed-out");
    expect(await signIn("x", async () => new Response("<html>", { status: 502 }))).toEqual({ ok: false, message: "the server answered 502" });
    expect(await signIn("x", async () => Promise.reject(new TypeError("Failed to fetch")))).toMatchObject({ ok: false, message: expect.stringContaining("cannot be reached") });
  });

  it("signs out with a DELETE and shows the sign-in view, even when the server is gone", async () => {
    await signIn("lbk_x", async () => response(200, { principal: "token:bob", roles: [] }));
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    await signOut(fetch);
    expect(fetch).toHaveBeenCalledWith("/api/session", { method: "DELETE", credentials: "same-origin" });
    expect(session()).toEqual({ state: "signed-out", reason: "" });
    await signOut(async () => Promise.reject(new TypeError("Failed to fetch")));
    expect(session().state).toBe("signed-out");
  });

  it("can switch to another token and come back", async () => {
    await signIn("lbk_x", async () => response(200, { principal: "token:bob", roles: [{ project: "b", role: "ROLE_VIEWER" }] }));
    requestSignIn();
    expect(session()).toEqual({ state: "signed-out", reason: "", previous: BOB });
    cancelSignIn();
    expect(session()).toEqual({ state: "signed-in", caller: BOB });
  });
});

describe("the API's interceptor", () => {
  it("brings up the sign-in view on a refused unary call and passes the error on", async () => {
    const refused = new ConnectError("credentials missing", Code.Unauthenticated);
    const call = sessionInterceptor(async () => Promise.reject(refused));
    await expect(call({} as never)).rejects.toBe(refused);
    expect(session().state).toBe("signed-out");
  });

  it("also when a stream fails after it started", async () => {
    const refused = new ConnectError("the API token lbk_abcd... was revoked", Code.Unauthenticated);
    const call = sessionInterceptor(async () => ({
      stream: true,
      message: (async function* () {
        yield 1;
        throw refused;
      })(),
    }) as never);
    const res = (await call({} as never)) as unknown as { message: AsyncIterable<number> };
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const m of res.message) got.push(m);
      })(),
    ).rejects.toBe(refused);
    expect(got).toEqual([1]);
    expect(session().state).toBe("signed-out");
  });
});

describe("permission denied", () => {
  const denied = (metadata: Record<string, string> = {}) => ({
    ...describeError(new ConnectError("token:bob has no role in project a", Code.PermissionDenied)),
    metadata,
  });

  it("names the project the token has no role in, and the roles it has", () => {
    const d = denial(denied({ project: "a" }), BOB);
    expect(d.title).toBe("No access to project “a”.");
    expect(d.text).toContain("Your token (token:bob) has no role in project “a”.");
    expect(d.text).toContain("It has: viewer in b.");
    expect(d.text).toContain("sign in with another token");
    // The page's project when the error names none; the error's first.
    expect(denial(denied(), BOB, "default").title).toBe("No access to project “default”.");
    expect(denial(denied({ project: "a" }), BOB, "default").title).toBe("No access to project “a”.");
    expect(denial(denied(), undefined).text).toMatch(/^Your token has no role in this project\./);
  });

  it("says when the role is there but too low", () => {
    const d = denial(denied({ project: "b" }), BOB);
    expect(d.title).toBe("Your role in project “b” does not allow this.");
    expect(d.text).toContain("is viewer in project “b”");
  });
});
