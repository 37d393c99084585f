// Building blocks every page uses: error and empty states that say what to do, the status
// badge, tabs.
import { Code } from "@connectrpc/connect";
import type { ComponentChildren } from "preact";
import { denial, describeError, hint } from "../api/errors";
import { caller, requestSignIn } from "../api/session";
import { RunStatus } from "../gen/labbook/v1/run_pb";
import type { Route } from "../lib/url";
import { Link } from "./router";

/**
 * A failed load, with what to do about it. PERMISSION_DENIED says which project the token lacks
 * a role in (`project`: the page's, when the error names none) and offers another token.
 */
export function ErrorBox({ error, what, onRetry, project }: { error: unknown; what: string; onRetry?: () => void; project?: string }) {
  const e = describeError(error);
  if (e.code === Code.PermissionDenied) {
    const d = denial(e, caller(), project);
    return (
      <div class="state error denied" role="alert">
        <strong>{d.title}</strong>
        <p>{d.text}</p>
        <p class="muted small">
          {e.codeName}
          {e.reason ? ` · ${e.reason}` : ""}: {e.message}
        </p>
        <button type="button" onClick={requestSignIn}>
          Sign in with another token
        </button>
      </div>
    );
  }
  return (
    <div class="state error" role="alert">
      <strong>Could not load {what}.</strong>
      <p>{hint(e)}</p>
      <p class="muted small">
        {e.codeName}
        {e.reason ? ` · ${e.reason}` : ""}: {e.message}
      </p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state empty">
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <div class="state loading" aria-busy="true">
      Loading {what}…
    </div>
  );
}

const STATUS_NAMES: Record<number, string> = {
  [RunStatus.RUNNING]: "running",
  [RunStatus.COMPLETED]: "completed",
  [RunStatus.FAILED]: "failed",
  [RunStatus.CANCELED]: "canceled",
  [RunStatus.QUEUED]: "queued",
  // RUNNING, but its heartbeat stopped (the server's lease expired): not finished, may come back
  [RunStatus.CRASHED]: "crashed",
};

export function statusName(s: RunStatus): string {
  return STATUS_NAMES[s] ?? "unknown";
}

export function StatusBadge({ status }: { status: RunStatus }) {
  const name = statusName(status);
  return <span class={`badge status-${name}`}>{name}</span>;
}

export interface TabSpec {
  id: string;
  label: string;
  to: Route;
}

/** Tabs are links (each tab has its URL), so they work with the keyboard and in new tabs. */
export function Tabs({ tabs, current }: { tabs: TabSpec[]; current: string }) {
  return (
    <nav class="tabs" aria-label="Sections">
      {tabs.map((t) => (
        <Link key={t.id} to={t.to} replace={true} class={t.id === current ? "tab active" : "tab"} aria-current={t.id === current ? "page" : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

export function Tags({ tags }: { tags: Readonly<Record<string, string>> }) {
  const entries = Object.entries(tags);
  if (!entries.length) return null;
  return (
    <span class="tags">
      {entries.map(([k, v]) => (
        <span class="tag" key={k} title={`${k}=${v}`}>
          {v ? `${k}: ${v}` : k}
        </span>
      ))}
    </span>
  );
}
