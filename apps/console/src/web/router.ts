import { useEffect, useState } from "preact/hooks";

/** The tabs of an axon's page: /axons/<id>, /axons/<id>/audit, /axons/<id>/sql. */
export type AxonTab = "timeline" | "audit" | "sql";

/** The console's routes, from the URL path (deep links: /axons/<id>, /axons/<id>#<seq>). */
export type Route =
  | { readonly page: "axons" }
  | { readonly page: "axon"; readonly id: string; readonly tab: AxonTab }
  | { readonly page: "runtimes" }
  | { readonly page: "gateway" };

export function parseRoute(pathname: string): Route {
  const axon = /^\/axons\/([A-Za-z0-9_-]+)(?:\/(audit|sql))?\/?$/.exec(pathname);
  if (axon) return { page: "axon", id: axon[1]!, tab: (axon[2] as AxonTab | undefined) ?? "timeline" };
  if (/^\/runtimes\/?$/.test(pathname)) return { page: "runtimes" };
  if (/^\/gateway\/?$/.test(pathname)) return { page: "gateway" };
  return { page: "axons" };
}

export function navigate(path: string): void {
  history.pushState(null, "", path);
  dispatchEvent(new PopStateEvent("popstate"));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    addEventListener("popstate", update);
    return () => removeEventListener("popstate", update);
  }, []);
  return route;
}

/** Click handler for in-app links: plain clicks navigate without reloading. */
export function linkTo(path: string) {
  return (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(path);
  };
}
