// The shell: a header with the main places and the session, and the page of the current URL (or
// the sign-in view when the server wants a token).
import { useEffect } from "preact/hooks";
import { api } from "../api/client";
import { discover, sessionGeneration } from "../api/session";
import { experimentsRoute } from "../lib/url";
import { Empty } from "./common";
import { ComparePage } from "./pages/ComparePage";
import { ExperimentsPage } from "./pages/ExperimentsPage";
import { RunPage } from "./pages/RunPage";
import { RunsPage } from "./pages/RunsPage";
import { Link, useRoute } from "./router";
import { SessionBadge, SignIn, useSession } from "./session";

/**
 * `?embed=1` on the first URL (a notebook's iframe, e.g. RunDetails) hides the header for the
 * whole visit; links inside keep working.
 */
const EMBED = new URLSearchParams(window.location.search).get("embed") === "1";

export function App() {
  const route = useRoute();
  const session = useSession();
  useEffect(() => {
    // Whether to ask for a token, and who is signed in; the pages load meanwhile (a call they
    // make that is refused also brings up the sign-in view).
    void discover({
      authEnabled: api().server.getServerInfo({}).then((r) => r.serverInfo?.authEnabled ?? false),
      caller: api().access.getCaller({}).then((r) => r.caller),
    });
  }, []);
  useEffect(() => {
    // `/` focuses the page's search or filter box, as in most tools.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
      const box = document.querySelector<HTMLInputElement>("[data-search-box]");
      if (box) {
        e.preventDefault();
        box.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return (
    <div class={EMBED ? "app embed" : "app"}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top" hidden={EMBED}>
        <Link to={experimentsRoute()} class="brand">
          Labbook
        </Link>
        <nav aria-label="Main">
          <Link to={experimentsRoute()} class={route.page === "experiments" ? "active" : ""}>
            Experiments
          </Link>
          <Link to="/runs" class={route.page === "runs" && !route.experimentId ? "active" : ""}>
            Search runs
          </Link>
        </nav>
        <SessionBadge />
      </header>
      {session.state === "signed-out" ? (
        <main id="main" class="main">
          <SignIn session={session} />
        </main>
      ) : (
        // A new key after each sign-in: the pages start anew and fetch as the new caller.
        <main id="main" class="main" key={sessionGeneration()}>
          {route.page === "experiments" && <ExperimentsPage route={route} />}
          {route.page === "runs" && <RunsPage key={route.experimentId} route={route} />}
          {route.page === "run" && <RunPage key={route.runId} route={route} />}
          {route.page === "compare" && <ComparePage key={route.runIds.join(",")} route={route} />}
          {route.page === "notfound" && (
            <Empty title="There is no page at this address.">
              <Link to={experimentsRoute()}>Go to the experiments</Link>
            </Empty>
          )}
        </main>
      )}
    </div>
  );
}
