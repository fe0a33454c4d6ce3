import { randomFillSync } from "node:crypto";
import type { Rng } from "./rng.js";

/** Cryptographically strong randomness for production ids and tokens. */
export const systemRng: Rng = {
  bytes(length) {
    return randomFillSync(new Uint8Array(length));
  },
};
