import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SIGNATURE_WINDOW_SECONDS } from "./signature-window.js";
import { changeByteAt, changeCharAt, slackSignature } from "./signing.test-support.js";
import { verifySlackSignature } from "./verify-slack-signature.js";

const secret = fc.string({ minLength: 1, maxLength: 64 });
const body = fc.uint8Array({ minLength: 1, maxLength: 512 });
const seconds = fc.integer({ min: 1_000_000_000, max: 4_000_000_000 });

describe("verifySlackSignature", () => {
  test("Slack's documented example verifies at its time", () => {
    // api.slack.com "Verifying requests from Slack".
    const secret = "8f742231b10e8888abcd99yyyzzz85a5";
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const headers = {
      timestamp: "1531420618",
      signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    };
    expect(verifySlackSignature(secret, Buffer.from(body), headers, 1531420618_000)).toBe("valid");
    expect(verifySlackSignature(secret, Buffer.from(body), headers, 1531420618_000 + 301_000)).toBe(
      "stale-timestamp",
    );
  });

  test("valid within ±5 minutes; any single-byte change to body, signature or timestamp fails", () => {
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
          const signature = slackSignature(secret, timestamp, body);
          const now = ts * 1000 + skewMs;
          expect(verifySlackSignature(secret, body, { signature, timestamp }, now)).toBe("valid");
          const changedBody = changeByteAt(body, index, delta);
          expect(verifySlackSignature(secret, changedBody, { signature, timestamp }, now)).toBe(
            "bad-signature",
          );
          const badSig = `v0=${changeCharAt(signature.slice(3), index, "0123456789abcdef", delta)}`;
          expect(verifySlackSignature(secret, body, { signature: badSig, timestamp }, now)).toBe(
            "bad-signature",
          );
          const badTs = changeCharAt(timestamp, index, "0123456789", delta);
          expect(verifySlackSignature(secret, body, { signature, timestamp: badTs }, now)).toBe(
            "bad-signature",
          );
        },
      ),
    );
  });

  test("a correctly signed timestamp outside the window is stale, on either side", () => {
    fc.assert(
      fc.property(
        secret,
        body,
        seconds,
        fc.integer({ min: 1, max: 10 ** 7 }),
        fc.boolean(),
        (s, b, ts, over, late) => {
          const timestamp = String(ts);
          const signature = slackSignature(s, timestamp, b);
          const offsetMs = (SIGNATURE_WINDOW_SECONDS * 1000 + over) * (late ? 1 : -1);
          expect(verifySlackSignature(s, b, { signature, timestamp }, ts * 1000 + offsetMs)).toBe(
            "stale-timestamp",
          );
        },
      ),
    );
  });

  test("missing headers, other versions and non-numeric timestamps fail", () => {
    const body = Buffer.from("{}");
    const signature = slackSignature("s", "1700000000", body);
    const now = 1700000000_000;
    expect(verifySlackSignature("s", body, { signature: undefined, timestamp: "1700000000" }, now)).toBe(
      "bad-signature",
    );
    expect(verifySlackSignature("s", body, { signature, timestamp: undefined }, now)).toBe("bad-signature");
    expect(
      verifySlackSignature(
        "s",
        body,
        { signature: signature.replace("v0=", "v1="), timestamp: "1700000000" },
        now,
      ),
    ).toBe("bad-signature");
    for (const timestamp of ["+1700000000", "1700000000.0", "1.7e9", ""]) {
      const signed = slackSignature("s", timestamp, body);
      expect(verifySlackSignature("s", body, { signature: signed, timestamp }, now)).toBe("stale-timestamp");
    }
  });
});
