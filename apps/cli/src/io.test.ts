import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { LineWriter } from "./io.js";

function recordingStream() {
  const writes: string[] = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString());
      // Finish later so the writer has to wait for "drain" on large chunks.
      setImmediate(done);
    },
  });
  return { stream, writes };
}

describe("LineWriter", () => {
  it("coalesces lines written in one turn into a single write", async () => {
    const { stream, writes } = recordingStream();
    const out = new LineWriter(stream);
    await out.line("a");
    await out.line("b");
    await out.end();
    expect(writes.filter((w) => w !== "")).toEqual(["a\nb\n"]);
  });

  it("keeps every line, in order, across many flushes", async () => {
    const { stream, writes } = recordingStream();
    const out = new LineWriter(stream);
    const expected: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const line = `line ${i} ${"x".repeat(i % 50)}`;
      expected.push(line);
      await out.line(line);
    }
    await out.end();
    expect(writes.join("")).toBe(`${expected.join("\n")}\n`);
    expect(writes.length).toBeGreaterThan(1);
  });
});
