import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { changeByteAt, changeCharAt, githubSignature } from "./signing.test-support.js";
import { verifyGithubSignature } from "./verify-github-signature.js";

const secret = fc.string({ minLength: 1, maxLength: 64 });
const body = fc.uint8Array({ minLength: 1, maxLength: 512 });

describe("verifyGithubSignature", () => {
  test("GitHub's documented example verifies", () => {
    // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody".
    const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(verifyGithubSignature("It's a Secret to Everybody", Buffer.from("Hello, World!"), signature)).toBe(
      true,
    );
  });

  test("a valid signature verifies; any single-byte change to the body or the signature fails", () => {
    fc.assert(
      fc.property(secret, body, fc.nat(), fc.nat(), (secret, body, index, delta) => {
        const signature = githubSignature(secret, body);
        expect(verifyGithubSignature(secret, body, signature)).toBe(true);
        expect(verifyGithubSignature(secret, changeByteAt(body, index, delta), signature)).toBe(false);
        const hexStart = "sha256=".length;
        const hex = signature.slice(hexStart);
        const badHex = changeCharAt(hex, index, "0123456789abcdef", delta);
        expect(verifyGithubSignature(secret, body, `sha256=${badHex}`)).toBe(false);
        expect(verifyGithubSignature(`${secret}x`, body, signature)).toBe(false);
      }),
    );
  });

  test("missing, other schemes and malformed hex fail", () => {
    const body = Buffer.from("{}");
    const good = githubSignature("s", body);
    expect(verifyGithubSignature("s", body, undefined)).toBe(false);
    expect(verifyGithubSignature("s", body, good.replace("sha256=", "sha1="))).toBe(false);
    expect(verifyGithubSignature("s", body, good.slice(0, -2))).toBe(false);
    expect(verifyGithubSignature("s", body, `${good}00`)).toBe(false);
    expect(verifyGithubSignature("s", body, `${good.slice(0, -1)}g`)).toBe(false);
    expect(verifyGithubSignature("s", body, good.toUpperCase().replace("SHA256=", "sha256="))).toBe(true);
  });
});
