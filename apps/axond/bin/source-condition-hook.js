// Module resolve hook: adds the "source" export condition, the in-process equivalent of
// `node --conditions=source`.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes("source")
    ? context.conditions
    : [...context.conditions, "source"];
  return nextResolve(specifier, { ...context, conditions });
}
