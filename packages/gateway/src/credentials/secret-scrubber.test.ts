import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSecretScrubber, REDACTED, scrubText, secretForms } from "./secret-scrubber.js";

const SECRET = "sk-live-0123456789abcdef";

async function scrubChunks(
  chunks: string[],
  needles: string[],
): Promise<{ output: string; emitted: string[] }> {
  const scrubber = createSecretScrubber(needles);
  const emitted: string[] = [];
  scrubber.on("data", (c: Buffer) => emitted.push(c.toString()));
  const done = new Promise<void>((resolve) => scrubber.on("end", () => resolve()));
  for (const chunk of chunks) scrubber.write(Buffer.from(chunk));
  scrubber.end();
  await done;
  return { output: emitted.join(""), emitted };
}

describe("secret scrubbing", () => {
  it("covers the raw, JSON, URL, base64 and Basic forms of a secret", () => {
    const forms = secretForms('a"b/c d+e=', "user");
    expect(forms).toContain('a"b/c d+e=');
    expect(forms).toContain('a\\"b/c d+e=');
    expect(forms).toContain("a%22b%2Fc%20d%2Be%3D");
    expect(forms).toContain(Buffer.from('user:a"b/c d+e=').toString("base64").replace(/=+$/, ""));
  });

  it("replaces a secret split across chunks", async () => {
    const { output } = await scrubChunks(["echo: sk-live-0123", "456789abc", "def and more"], [SECRET]);
    expect(output).toBe(`echo: ${REDACTED} and more`);
  });

  it("holds back nothing that cannot start a secret, so SSE events flow at once", async () => {
    const scrubber = createSecretScrubber([SECRET]);
    const first = new Promise<string>((resolve) =>
      scrubber.once("data", (c: Buffer) => resolve(c.toString())),
    );
    scrubber.write(Buffer.from('data: {"token":"Hel"}\n\n'));
    expect(await first).toBe('data: {"token":"Hel"}\n\n');
    scrubber.end();
  });

  it("streaming gives the same result as scrubbing the whole text, for any chunking", async () => {
    const alphabet = fc.constantFrom(
      "s",
      "k",
      "-",
      "l",
      "i",
      "v",
      "e",
      "0",
      "x",
      "\n",
      SECRET,
      "sk-live-01",
      "ab",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(alphabet, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (parts, cuts) => {
          const whole = parts.join("");
          const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let last = 0;
          for (const p of points) {
            chunks.push(whole.slice(last, p));
            last = p;
          }
          chunks.push(whole.slice(last));
          const { output } = await scrubChunks(chunks, secretForms(SECRET));
          expect(output).toBe(scrubText(whole, secretForms(SECRET)));
          expect(output).not.toContain(SECRET);
        },
      ),
    );
  });

  it("passes bodies without secrets through unchanged", async () => {
    const body = "x".repeat(100_000);
    expect(await text(Readable.from([Buffer.from(body)]).pipe(createSecretScrubber([SECRET])))).toBe(body);
  });
});
