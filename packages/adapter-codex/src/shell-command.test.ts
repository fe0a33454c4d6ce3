import { describe, expect, it } from "vitest";
import { unwrapShellCommand } from "./shell-command.js";

describe("unwrapShellCommand", () => {
  it("takes the script out of Codex's login-shell wrapper, undoing POSIX single-quote escapes", () => {
    expect(unwrapShellCommand("/bin/bash -lc 'echo hi > hi.txt'")).toBe("echo hi > hi.txt");
    expect(unwrapShellCommand("bash -c 'echo '\\''quoted'\\'''")).toBe("echo 'quoted'");
    expect(unwrapShellCommand("/usr/bin/zsh -lc 'ls'")).toBe("ls");
  });

  it("leaves anything else alone, including a wrapper whose quoting does not close cleanly", () => {
    expect(unwrapShellCommand("ls -la")).toBe("ls -la");
    expect(unwrapShellCommand("/bin/bash -lc 'a' 'b'")).toBe("/bin/bash -lc 'a' 'b'");
    expect(unwrapShellCommand("python -c 'print(1)'")).toBe("python -c 'print(1)'");
  });
});
