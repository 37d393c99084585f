// History API routing: the URL is the state. Pages read the current route and change it with
// navigate(); small changes (typing in a box, toggling a column) replace the history entry,
// moves to another view push one.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { parseRoute, type Route, routeUrl } from "../lib/url";

type Listener = () => void;
const listeners = new Set<Listener>();

function notify(): void {
  for (const l of listeners) l();
}

window.addEventListener("popstate", notify);

export function currentRoute(): Route {
  return parseRoute(window.location.pathname, window.location.search);
}

export function navigate(to: Route | string, options: { replace?: boolean } = {}): void {
  const url = typeof to === "string" ? to : routeUrl(to);
  if (url === window.location.pathname + window.location.search) return;
  if (options.replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  notify();
}

/** The current route; re-renders the caller when it changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const l = () => setRoute(currentRoute());
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return route;
}

type LinkProps = {
  to: Route | string;
  class?: string;
  title?: string;
  "aria-current"?: "page" | undefined;
  replace?: boolean;
  children?: ComponentChildren;
};

/** An ordinary link (open in a new tab works) that navigates in place on a plain click. */
export function Link({ to, replace, children, ...rest }: LinkProps) {
  const href = typeof to === "string" ? to : routeUrl(to);
  return (
    <a
      {...rest}
      href={href}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href, { replace: replace ?? false });
      }}
    >
      {children}
    </a>
  );
}
