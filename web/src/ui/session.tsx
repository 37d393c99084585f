// The sign-in view and the header's "who am I / Sign out", over the session store
// (api/session.ts).
import { useEffect, useRef, useState } from "preact/hooks";
import { cancelSignIn, homeProject, requestSignIn, type Session, session, signIn, signOut, subscribe } from "../api/session";

/** The current session; re-renders the caller when it changes. */
export function useSession(): Session {
  const [s, setS] = useState(session);
  useEffect(() => {
    setS(session());
    return subscribe(() => setS(session()));
  }, []);
  return s;
}

/**
 * The project a page shows when its URL names none: `default`, or for a caller without a role
 * there the first project it has one in (empty: `default`). Once known, `go` puts it in the URL.
 */
export function useProject(routeProject: string, go: (project: string) => void): string {
  const s = useSession();
  const home = !routeProject && s.state === "signed-in" ? homeProject(s.caller) : "";
  useEffect(() => {
    if (home) go(home);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [home]);
  return routeProject || home;
}

type SignedOut = Extract<Session, { state: "signed-out" }>;

/**
 * A form for an API token. The field is a password field without autocomplete, read once on
 * submit and then emptied: the token stays in no state of the page, only in the HttpOnly cookie
 * the server sets.
 */
export function SignIn({ session: s }: { session: SignedOut }) {
  const field = useRef<HTMLInputElement>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => field.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const input = field.current;
    if (!input || busy) return;
    const token = input.value.trim();
    if (!token) {
      setError("Enter an API token.");
      return;
    }
    setBusy(true);
    setError("");
    const result = await signIn(token);
    input.value = "";
    // On success the app shows the pages again and this view goes away.
    if (!result.ok) {
      setBusy(false);
      setError(result.message);
      input.focus();
    }
  };

  return (
    <div class="page signin">
      <form class="signin-form" method="post" action="/api/session" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Labbook</h1>
        {s.reason && (
          <p class="state error" role="status">
            Your session ended: {s.reason}
          </p>
        )}
        <label for="signin-token">API token</label>
        <div class="signin-row">
          <input
            ref={field}
            id="signin-token"
            name="token"
            type="password"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            placeholder="lbk_…"
            aria-invalid={error ? "true" : undefined}
            aria-describedby={error ? "signin-error signin-hint" : "signin-hint"}
          />
          <button type="submit" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
          {s.previous && (
            <button type="button" onClick={cancelSignIn}>
              Cancel
            </button>
          )}
        </div>
        {error && (
          <p id="signin-error" class="signin-error" role="alert">
            {error}
          </p>
        )}
        <div id="signin-hint" class="muted small">
          <p>
            Ask an admin of your project for an API token, or, as an admin, create one:{" "}
            <code>labbook tokens create --name NAME --project PROJECT --role viewer</code> (<code>editor</code> also logs runs,{" "}
            <code>admin</code> also manages tokens). A token starts with <code>lbk_</code> and is shown only once.
          </p>
          <p>The browser keeps it in a cookie that scripts on the page cannot read, until it expires or you sign out.</p>
        </div>
      </form>
    </div>
  );
}

/** The header's part: who is signed in, and "Sign out" (or "Sign in" when the server wants one). */
export function SessionBadge() {
  const s = useSession();
  if (s.state === "signed-in") {
    const roles = s.caller.roles.map((r) => `${r.role} in ${r.project === "*" ? "every project" : r.project}`).join(", ");
    return (
      <div class="session">
        <span class="principal" title={roles ? `Roles: ${roles}` : undefined} data-principal>
          {s.caller.principal}
        </span>
        <button type="button" class="link" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    );
  }
  if (s.state === "open" && s.authEnabled) {
    return (
      <div class="session">
        <button type="button" class="link" onClick={requestSignIn}>
          Sign in
        </button>
      </div>
    );
  }
  return null;
}
