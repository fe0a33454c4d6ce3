// Module resolve hook: resolve workspace packages (@openaxon/*) through their "source" export
// condition, i.e. to src/*.ts, so they need no build; so too their own "#…" package imports (e.g.
// the client's #default-transport), which are resolved from within their src/. Other packages
// resolve as usual.
const WORKSPACE_SOURCE = /\/(packages|apps)\/[^/]+\/src\//;

export async function resolve(specifier, context, nextResolve) {
  const workspace =
    specifier.startsWith("@openaxon/") ||
    (specifier.startsWith("#") && WORKSPACE_SOURCE.test(context.parentURL ?? ""));
  if (workspace && !context.conditions.includes("source")) {
    return nextResolve(specifier, { ...context, conditions: ["source", ...context.conditions] });
  }
  return nextResolve(specifier, context);
}
