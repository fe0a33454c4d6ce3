/** Randomness, injected so the simulation can make every run reproducible from a seed. */
export interface Rng {
  /** Fills and returns `length` random bytes. */
  bytes(length: number): Uint8Array;
}

/**
 * A small, fast deterministic generator (xorshift128+ variant on 32-bit lanes) for simulations and
 * tests. Not cryptographic.
 */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0 || 0x9e3779b9;
  let b = (seed * 0x85ebca6b) >>> 0 || 0x6a09e667;
  const next = (): number => {
    let t = a;
    const s = b;
    a = s;
    t ^= t << 11;
    t ^= t >>> 8;
    b = (t ^ s ^ (s >>> 19)) >>> 0;
    return b;
  };
  return {
    bytes(length) {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = next() & 0xff;
      return out;
    },
  };
}
