import type { EventInput } from "../log-store.js";

/** A user message event with `payload` as its JSON payload. */
export const userEvent = (payload: unknown = {}, eventType = "user.message"): EventInput => ({
  origin: 3 as const,
  source: "test",
  eventType,
  payload: JSON.stringify(payload),
});
