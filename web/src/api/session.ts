// Who is signed in, and signing in and out. With access control on (`--auth on`) the server wants
// credentials on every call; the UI sends them as the HttpOnly session cookie that
// POST /api/session sets from the API token the user enters. The token itself is never kept by
// the page: not in localStorage or sessionStorage, not in a variable after the sign-in call,
// and script cannot read the cookie back.
//
// The state is a small store (no DOM), so that components and tests read it alike.
import { Code, ConnectError } from "@connectrpc/connect";
import { type Caller, Role as RoleEnum } from "../gen/labbook/v1/access_pb";

export type Role = "viewer" | "editor" | "admin";

export interface CallerInfo {
  /** `token:<name>`, a ServiceAccount or an OIDC email; `anonymous` with access control off. */
  principal: string;
  /** Role per project; `*` is every project. */
  roles: { project: string; role: Role }[];
  /** 0: the credentials do not expire. */
  expireTimeMs: number;
}

export type Session =
  /** Nothing asks for a sign-in: access control is off, or not yet known to want one. */
  | { state: "open"; authEnabled: boolean }
  | { state: "signed-in"; caller: CallerInfo }
  /**
   * The sign-in view: the server refused the call's credentials (`reason` says why; empty on a
   * first visit or after signing out), or the user asked to use another token (`previous` is the
   * caller to go back to).
   */
  | { state: "signed-out"; reason: string; previous?: CallerInfo };

type Listener = () => void;

let current: Session = { state: "open", authEnabled: false };
/** Grows with every sign-in: the pages are rendered anew, so they fetch again as the new caller. */
let generation = 0;
const listeners = new Set<Listener>();

export function session(): Session {
  return current;
}

export function sessionGeneration(): number {
  return generation;
}

export function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}

function set(next: Session, newGeneration = false): void {
  current = next;
  if (newGeneration) generation++;
  for (const l of [...listeners]) l();
}

/** The signed-in caller, if known. */
export function caller(): CallerInfo | undefined {
  return current.state === "signed-in" ? current.caller : undefined;
}

/** Test hook: back to the first visit's state. */
export function resetSession(): void {
  current = { state: "open", authEnabled: false };
  generation = 0;
  listeners.clear();
}

const ROLE_NAMES: Record<string, Role> = {
  ROLE_VIEWER: "viewer",
  ROLE_EDITOR: "editor",
  ROLE_ADMIN: "admin",
  [RoleEnum.VIEWER]: "viewer",
  [RoleEnum.EDITOR]: "editor",
  [RoleEnum.ADMIN]: "admin",
};

function roleOf(r: unknown): Role | undefined {
  return ROLE_NAMES[String(r)];
}

/** The caller of GetCaller (protobuf) or of POST /api/session (JSON). */
export function callerInfo(c: Caller | { principal?: unknown; roles?: unknown; expireTimeMs?: unknown }): CallerInfo {
  const roles = Array.isArray(c.roles) ? (c.roles as { project?: unknown; role?: unknown }[]) : [];
  return {
    principal: String(c.principal ?? ""),
    roles: roles.flatMap((r) => {
      const role = roleOf(r.role);
      return role ? [{ project: String(r.project ?? ""), role }] : [];
    }),
    expireTimeMs: Number(c.expireTimeMs ?? 0) || 0,
  };
}

/** The caller's role in a project: its role there or in every project (`*`), the higher one. */
export function roleIn(c: CallerInfo, project: string): Role | undefined {
  const order: Role[] = ["viewer", "editor", "admin"];
  const name = project || "default";
  let best: Role | undefined;
  for (const r of c.roles) {
    if ((r.project === name || r.project === "*") && (!best || order.indexOf(r.role) > order.indexOf(best))) best = r.role;
  }
  return best;
}

/**
 * The project to open when the URL names none: `default` (empty) when the caller may read it,
 * else the first project the caller has a role in, so that a token of project B lands in B and
 * not on a "no access to default" page.
 */
export function homeProject(c: CallerInfo | undefined): string {
  if (!c || roleIn(c, "default")) return "";
  const named = c.roles.map((r) => r.project).filter((p) => p !== "*");
  return named.sort()[0] ?? "";
}

/** A call failed: UNAUTHENTICATED means the session is over (or never was), so ask for a token. */
export function noteCallError(e: unknown): void {
  const err = ConnectError.from(e);
  if (err.code !== Code.Unauthenticated) return;
  if (current.state === "signed-out") return;
  set({ state: "signed-out", reason: current.state === "signed-in" ? err.rawMessage : "" });
}

/** What the server said when the UI asked who it is (GetServerInfo and GetCaller, asked together). */
export interface Discovery {
  authEnabled: Promise<boolean>;
  caller: Promise<Caller | undefined>;
}

/**
 * Finds out at start whether a sign-in is needed: GetCaller names the session's caller (or
 * fails UNAUTHENTICATED: no or a stale session), GetServerInfo says whether the server checks
 * credentials at all (servers without AccessService say so only there).
 */
export async function discover(d: Discovery): Promise<void> {
  const [authEnabled, who] = await Promise.allSettled([d.authEnabled, d.caller]);
  const enabled = authEnabled.status === "fulfilled" && authEnabled.value;
  if (current.state !== "open") return; // a sign-in or a refused call came first
  if (who.status === "fulfilled" && who.value) {
    const c = who.value;
    if (c.authEnabled || enabled) set({ state: "signed-in", caller: callerInfo(c) });
    else set({ state: "open", authEnabled: false });
    return;
  }
  if (who.status === "rejected" && ConnectError.from(who.reason).code === Code.Unauthenticated) {
    set({ state: "signed-out", reason: "" });
    return;
  }
  set({ state: "open", authEnabled: enabled });
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export type SignInResult = { ok: true; caller: CallerInfo } | { ok: false; message: string };

/**
 * Signs in with an API token: the server checks it and answers with the session cookie; the
 * token is not kept here. On success the pages are rendered anew.
 */
export async function signIn(token: string, doFetch: Fetch = (u, i) => fetch(u, i)): Promise<SignInResult> {
  let res: Response;
  try {
    res = await doFetch("/api/session", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: token.trim() }),
    });
  } catch {
    return { ok: false, message: "The Labbook server cannot be reached: check that it is running, then try again." };
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const message = typeof body["message"] === "string" && body["message"] ? body["message"] : `the server answered ${res.status}`;
    return { ok: false, message };
  }
  const c = callerInfo(body);
  set({ state: "signed-in", caller: c }, true);
  return { ok: true, caller: c };
}

/** Signs out: the server clears the cookie; the sign-in view follows. */
export async function signOut(doFetch: Fetch = (u, i) => fetch(u, i)): Promise<void> {
  await doFetch("/api/session", { method: "DELETE", credentials: "same-origin" }).catch(() => undefined);
  set({ state: "signed-out", reason: "" }, true);
}

/** Shows the sign-in view to use another token; `cancelSignIn` goes back. */
export function requestSignIn(): void {
  if (current.state === "signed-out") return;
  set({ state: "signed-out", reason: "", ...(current.state === "signed-in" ? { previous: current.caller } : {}) });
}

export function cancelSignIn(): void {
  if (current.state === "signed-out" && current.previous) set({ state: "signed-in", caller: current.previous });
}
