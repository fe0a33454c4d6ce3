import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SIGNATURE_WINDOW_SECONDS } from "./signature-window.js";
import { changeByteAt, changeCharAt, genericSignature } from "./signing.test-support.js";
import { verifyHmacSignature } from "./verify-hmac-signature.js";

const secret = fc.string({ minLength: 1, maxLength: 64 });
const body = fc.uint8Array({ minLength: 1, maxLength: 512 });
const seconds = fc.integer({ min: 1_000_000_000, max: 4_000_000_000 });

describe("verifyHmacSignature", () => {
  test("body only: valid verifies at any time; any single-byte change to body or signature fails", () => {
    fc.assert(
      fc.property(secret, body, fc.nat(), fc.nat(), fc.nat(), (secret, body, now, index, delta) => {
        const signature = genericSignature(secret, body);
        const timestamp = undefined;
        expect(verifyHmacSignature(secret, body, { signature, timestamp }, now)).toBe("valid");
        expect(
          verifyHmacSignature(secret, changeByteAt(body, index, delta), { signature, timestamp }, now),
        ).toBe("bad-signature");
        const badSig = `sha256=${changeCharAt(signature.slice(7), index, "0123456789abcdef", delta)}`;
        expect(verifyHmacSignature(secret, body, { signature: badSig, timestamp }, now)).toBe(
          "bad-signature",
        );
      }),
    );
  });

  test("with a timestamp: signed with it, fresh within ±5 minutes; changing it or dropping it fails", () => {
    fc.assert(
      fc.property(
        secret,
        body,
        seconds,
        fc.integer({ min: -SIGNATURE_WINDOW_SECONDS * 1000, max: SIGNATURE_WINDOW_SECONDS * 1000 }),
        fc.nat(),
        fc.nat(),
        (secret, body, ts, skewMs, index, delta) => {
          const timestamp = String(ts);
          const signature = genericSignature(secret, body, timestamp);
          const now = ts * 1000 + skewMs;
          expect(verifyHmacSignature(secret, body, { signature, timestamp }, now)).toBe("valid");
          const badTs = changeCharAt(timestamp, index, "0123456789", delta);
          expect(verifyHmacSignature(secret, body, { signature, timestamp: badTs }, now)).toBe(
            "bad-signature",
          );
          expect(verifyHmacSignature(secret, body, { signature, timestamp: undefined }, now)).toBe(
            "bad-signature",
          );
          expect(
            verifyHmacSignature(secret, changeByteAt(body, index, delta), { signature, timestamp }, now),
          ).toBe("bad-signature");
          const late = ts * 1000 + SIGNATURE_WINDOW_SECONDS * 1000 + 1 + index;
          expect(verifyHmacSignature(secret, body, { signature, timestamp }, late)).toBe("stale-timestamp");
        },
      ),
    );
  });

  test("missing or differently prefixed signatures fail", () => {
    const body = Buffer.from("{}");
    expect(verifyHmacSignature("s", body, { signature: undefined, timestamp: undefined }, 0)).toBe(
      "bad-signature",
    );
    const hex = genericSignature("s", body).slice(7);
    expect(verifyHmacSignature("s", body, { signature: hex, timestamp: undefined }, 0)).toBe("bad-signature");
    expect(verifyHmacSignature("s", body, { signature: `sha256=${hex}`, timestamp: undefined }, 0)).toBe(
      "valid",
    );
  });
});
