/**
 * Who wrote an event. The numbers are `openaxon.v1.Origin`'s (origin.test.ts checks them against the
 * generated enum), so the store, the broker and clients can use this without loading protobuf code.
 */
export const Origin = {
  Unspecified: 0,
  External: 1,
  Agent: 2,
  User: 3,
  System: 4,
} as const;
export type Origin = (typeof Origin)[keyof typeof Origin];

/** The origins a publisher may name (UNSPECIFIED is never stored). */
export const PUBLISHABLE_ORIGINS: readonly Origin[] = [
  Origin.External,
  Origin.Agent,
  Origin.User,
  Origin.System,
];

const NAMES: Readonly<Record<Origin, string>> = {
  [Origin.Unspecified]: "ORIGIN_UNSPECIFIED",
  [Origin.External]: "ORIGIN_EXTERNAL_EVENT",
  [Origin.Agent]: "ORIGIN_AGENT_EVENT",
  [Origin.User]: "ORIGIN_USER_EVENT",
  [Origin.System]: "ORIGIN_SYSTEM_EVENT",
};

/** The proto enum name, e.g. `ORIGIN_USER_EVENT`; unknown numbers come back as `ORIGIN_<n>`. */
export function originName(origin: number): string {
  return NAMES[origin as Origin] ?? `ORIGIN_${origin}`;
}

/** Only USER and EXTERNAL events may start or steer a turn: nothing an agent or the system writes makes a broker act. */
export function isInputOrigin(origin: number): boolean {
  return origin === Origin.User || origin === Origin.External;
}
