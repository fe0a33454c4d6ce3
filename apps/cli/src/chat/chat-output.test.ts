import { PassThrough } from "node:stream";
import picocolors from "picocolors";
import { describe, expect, it } from "vitest";
import { ChatOutput } from "./chat-output.js";

function setup(tty: boolean) {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  const output = new ChatOutput(
    { stdout, stderr, stdin: new PassThrough(), env: {} },
    picocolors.createColors(false),
  );
  const read = (stream: PassThrough) => String(stream.read() ?? "");
  return { output, out: () => read(stdout), err: () => read(stderr) };
}

describe("ChatOutput", () => {
  it("keeps a piped reply exactly as the agent wrote it, plus a final newline", () => {
    const { output, out, err } = setup(false);
    output.reply("Hello, ");
    output.line("⚙ read file");
    output.reply("world");
    output.end();
    expect(out()).toBe("Hello, world\n");
    expect(err()).toBe("⚙ read file\n");
  });

  it("on a terminal, starts side lines on a fresh line", () => {
    const { output, out, err } = setup(true);
    output.reply("Hello");
    output.line("⚙ tool");
    output.aside("thinking");
    output.reply("done\n");
    output.end();
    expect(out()).toBe("Hello\ndone\n");
    expect(err()).toBe("⚙ tool\nthinking\n");
  });
});
