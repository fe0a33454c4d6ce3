import { describe, expect, it } from "vitest";
import { buildSandboxCommand } from "./sandbox-command.js";

describe("buildSandboxCommand", () => {
  it("unshares everything, drops capabilities and mounts the root read-only", () => {
    const { file, args } = buildSandboxCommand({ command: ["agent", "--flag"], workdir: "/work/rt_1" });
    expect(file).toBe("bwrap");
    expect(args.slice(0, 6)).toEqual([
      "--unshare-all",
      "--unshare-net",
      "--die-with-parent",
      "--new-session",
      "--cap-drop",
      "ALL",
    ]);
    expect(args.join(" ")).toContain("--ro-bind / / --dev /dev --proc /proc --tmpfs /tmp");
    expect(args.join(" ")).toContain("--bind /work/rt_1 /work/rt_1");
    expect(args.slice(-4)).toEqual(["/work/rt_1", "--", "agent", "--flag"]);
    expect(args).not.toContain("--share-net");
  });

  it("hides paths, then re-binds the workdir and sockets on top", () => {
    const { args } = buildSandboxCommand({
      command: ["agent"],
      workdir: "/tmp",
      hiddenPaths: ["/tmp", "/nonexistent-openaxon-path"],
      bridges: [{ port: 3128, socketPath: "/tmp/proxy.sock" }],
    });
    const line = args.join(" ");
    expect(line.indexOf("--tmpfs /tmp --tmpfs /tmp")).toBeGreaterThan(0);
    expect(line).not.toContain("/nonexistent-openaxon-path");
    expect(line.indexOf("--bind /tmp /tmp")).toBeGreaterThan(line.indexOf("--tmpfs /tmp --tmpfs /tmp"));
    expect(line).toContain("--ro-bind /tmp/proxy.sock /tmp/proxy.sock");
  });

  it("mounts parents before children, so a writable parent cannot uncover a hidden path", () => {
    const { args } = buildSandboxCommand({
      command: ["agent"],
      workdir: "/",
      hiddenPaths: ["/"],
      writablePaths: ["/dev"],
    });
    const line = args.join(" ");
    // Depth 0 (the hide, then the workdir re-bound on top), then depth 1.
    expect(line).toContain("--tmpfs / --bind / / --bind /dev /dev --chdir /");
  });

  it("starts one socat bridge per port, waits for it, then execs the agent with its argv intact", () => {
    const { args } = buildSandboxCommand({
      command: ["agent", "it's", "$HOME"],
      workdir: "/w",
      bridges: [
        { port: 3128, socketPath: "/run/p.sock" },
        { port: 3129, socketPath: "/run/g.sock" },
      ],
    });
    const dashDash = args.indexOf("--");
    const [shell, flag, script, name, ...argv] = args.slice(dashDash + 1);
    expect([shell, flag, name]).toEqual(["/bin/sh", "-c", "openaxon-sandbox"]);
    expect(argv).toEqual(["agent", "it's", "$HOME"]);
    if (!script) throw new Error("no script");
    expect(script).toContain("TCP-LISTEN:3128,bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:/run/p.sock");
    expect(script).toContain("TCP-LISTEN:3129,bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:/run/g.sock");
    expect(script).toContain("0100007F:0C38 0100007F:0C39");
    expect(script.trim().endsWith('exec "$@"')).toBe(true);
  });

  it("rejects paths that would break out of socat or bwrap syntax", () => {
    for (const socketPath of ["relative.sock", "/a,fork.sock", "/a:b.sock", "/a b.sock", "/a/../b.sock"]) {
      expect(
        () => buildSandboxCommand({ command: ["a"], workdir: "/w", bridges: [{ port: 1, socketPath }] }),
        socketPath,
      ).toThrow();
    }
    expect(() => buildSandboxCommand({ command: [], workdir: "/w" })).toThrow();
    expect(() =>
      buildSandboxCommand({
        command: ["a"],
        workdir: "/w",
        bridges: [
          { port: 1, socketPath: "/a" },
          { port: 1, socketPath: "/b" },
        ],
      }),
    ).toThrow();
  });
});

describe("buildSandboxCommand read-only paths", () => {
  it("re-binds software under /tmp read-only over the private /tmp, keeping hidden paths inside it hidden", () => {
    const { args } = buildSandboxCommand({
      command: ["/tmp/checkout/node_modules/.bin/agent"],
      workdir: "/work/rt",
      readOnlyPaths: ["/tmp/checkout"],
      hiddenPaths: [process.cwd()],
    });
    const tmpfs = args.indexOf("/tmp");
    const roBind = args.findIndex((a, i) => a === "--ro-bind" && args[i + 1] === "/tmp/checkout");
    expect(tmpfs).toBeGreaterThan(0);
    expect(roBind).toBeGreaterThan(tmpfs);
  });
});
