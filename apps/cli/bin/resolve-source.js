// Module resolve hook: resolve workspace packages (@openaxon/*) through their "source" export
// condition, i.e. to src/*.ts, so they need no build. Other packages resolve as usual.
export async function resolve(specifier, context, nextResolve) {
  if (specifier.startsWith("@openaxon/") && !context.conditions.includes("source")) {
    return nextResolve(specifier, { ...context, conditions: ["source", ...context.conditions] });
  }
  return nextResolve(specifier, context);
}
