import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The acceptance test of issue 13's "packages you can install": `npm run pack`, then a user's empty
// directory, `npm install` of the tarballs (third-party dependencies from the registry or, offline, the
// npm cache), and axond, the axon CLI and the SDK run from there on plain Node. One install, one
// server, every check against it: this test takes minutes (it builds everything).

const root = fileURLToPath(new URL("../..", import.meta.url));
const MINUTES = 60_000;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment a user's shell would give: nothing of vitest's or the repository's loaders. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _options, OPENAXON_URL: _url, OPENAXON_API_KEY: _key, ...rest } = process.env;
  return { ...rest, NO_COLOR: "1", ...extra };
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env = userEnv(),
  timeout = 2 * MINUTES,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function succeeded(result: Run): string {
  if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

/** The README's "Use it from code" example, verbatim. */
function readmeSnippet(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Use it from code"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (match?.[1] === undefined) throw new Error("README has no ts block under 'Use it from code'");
  return match[1];
}

describe("the packed tarballs, installed in an empty directory", () => {
  let dir: string;
  let axond: ChildProcess | undefined;
  let url: string;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    let started = performance.now();
    succeeded(await run("npm", ["run", "pack"], root, process.env, 15 * MINUTES));
    timings.pack = performance.now() - started;

    dir = mkdtempSync(join(tmpdir(), "openaxon-install-"));
    writeFileSync(
      join(dir, "package.json"),
      `${JSON.stringify({ name: "user-app", private: true, type: "module" })}\n`,
    );
    const tarballs = readdirSync(join(root, ".pack"))
      .filter((name) => name.endsWith(".tgz"))
      .map((name) => join(root, ".pack", name));
    started = performance.now();
    succeeded(
      await run(
        "npm",
        ["install", ...tarballs, "--no-audit", "--no-fund", "--prefer-offline"],
        dir,
        userEnv(),
        10 * MINUTES,
      ),
    );
    timings.install = performance.now() - started;

    // `npx axond` as a user would run it; its own process group, so the whole tree stops at the end.
    const child = spawn(
      "npx",
      ["axond", "--listen", "127.0.0.1:0", "--data-dir", join(dir, "data"), "--sandbox", "off"],
      {
        cwd: dir,
        env: userEnv({ OPENAXON_LOG_LEVEL: "warn" }),
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    axond = child;
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    url = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        const found = /axond listening on (\S+)/.exec(stdout);
        if (found?.[1]) resolve(found[1]);
      });
      child.on("exit", (code) => reject(new Error(`axond exited ${code} before serving:\n${stderr}`)));
    });
  }, 30 * MINUTES);

  afterAll(async () => {
    if (axond?.pid !== undefined && axond.exitCode === null) {
      const exited = new Promise((resolve) => axond?.once("exit", resolve));
      process.kill(-axond.pid, "SIGTERM");
      await exited;
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    const rounded = Object.fromEntries(Object.entries(timings).map(([step, ms]) => [step, Math.round(ms)]));
    console.log(`packed-install timings (ms): ${JSON.stringify(rounded)}`);
  }, 2 * MINUTES);

  const axon = (...args: string[]) => run("npx", ["axon", "--url", url, ...args], dir);

  it(
    "installs no TypeScript tooling and no sources",
    () => {
      expect(existsSync(join(dir, "node_modules/tsx"))).toBe(false);
      expect(existsSync(join(dir, "node_modules/typescript"))).toBe(false);
      expect(existsSync(join(dir, "node_modules/@openaxon/client/src"))).toBe(false);
      expect(existsSync(join(dir, "node_modules/@openaxon/client/dist/index.js"))).toBe(true);
    },
    2 * MINUTES,
  );

  it(
    "runs axond as Node itself, with the V8 flags its bin gives (no shell left behind)",
    () => {
      const commands = processGroupCommands(axond!.pid!).filter((argv) =>
        argv.some((arg) => /\/axond(\.js)?$/.test(arg)),
      );
      // One process runs axond: the bin's `exec` replaced its shell, so nothing is left to outlive it.
      expect(commands).toHaveLength(1);
      expect(commands[0]![0]).toMatch(/(^|\/)node$/);
      expect(commands[0]).toContain("--max-semi-space-size=8");
    },
    2 * MINUTES,
  );

  it(
    "serves axond's health check and the prebuilt console",
    async () => {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const script = await fetch(`${url}/assets/console.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
      expect((await script.text()).length).toBeGreaterThan(10_000);
    },
    2 * MINUTES,
  );

  it(
    "creates, publishes to and lists axons with `npx axon`",
    async () => {
      const id = succeeded(await axon("create", "--name", "packed")).trim();
      expect(id).toMatch(/^axn_/);
      expect(
        succeeded(await axon("publish", id, "--type", "user.note", '{"text":"from the tarball"}')),
      ).toContain("#1");
      const listed = succeeded(await axon("list", "--json"))
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { id: string; name: string; headSequence: string | number });
      expect(listed).toContainEqual(expect.objectContaining({ id, name: "packed" }));
      const events = succeeded(await axon("events", id, "--json"));
      expect(events).toContain("from the tarball");
    },
    2 * MINUTES,
  );

  it(
    "runs a plain-Node ESM script that imports @openaxon/client, publishes and reads back",
    async () => {
      writeFileSync(
        join(dir, "sdk.mjs"),
        [
          'import { createAxonClient } from "@openaxon/client";',
          "const client = createAxonClient({ baseUrl: process.env.OPENAXON_URL });",
          'const { id } = await client.axons.create({ name: "sdk" });',
          'const { sequence } = await client.axon(id).publish({ eventType: "ci.started", payload: { commit: "abc123" } });',
          "const { events } = await client.axon(id).events({ afterSequence: 0 });",
          "console.log(JSON.stringify({ sequence, read: events.map((e) => [e.sequence, e.eventType, e.data()]) }));",
        ].join("\n"),
      );
      const out = succeeded(await run("node", ["sdk.mjs"], dir, userEnv({ OPENAXON_URL: url })));
      expect(JSON.parse(out)).toEqual({ sequence: 1, read: [[1, "ci.started", { commit: "abc123" }]] });
    },
    2 * MINUTES,
  );

  it(
    "runs the README's 'Use it from code' example exactly as written",
    async () => {
      writeFileSync(join(dir, "readme.mjs"), readmeSnippet());
      const out = succeeded(await run("node", ["readme.mjs"], dir, userEnv({ OPENAXON_URL: url })));
      expect(out).toContain("ci.started");
      // The example's agent is `rev`: the prompt comes back reversed.
      expect(out).toContain("tset gniliaf eht xif");
    },
    2 * MINUTES,
  );

  it(
    "bundles @openaxon/client for browsers with stock esbuild (no source condition)",
    async () => {
      const result = await build({
        stdin: {
          contents:
            'import { createAxonClient } from "@openaxon/client";\nexport const client = createAxonClient({ baseUrl: "/" });\n',
          resolveDir: dir,
          loader: "js",
        },
        bundle: true,
        platform: "browser",
        format: "esm",
        write: false,
        metafile: true,
        logLevel: "silent",
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.some((input) => input.includes("@connectrpc/connect-web/"))).toBe(true);
      expect(inputs.some((input) => input.includes("@connectrpc/connect-node/"))).toBe(false);
      expect(inputs.every((input) => !input.endsWith(".ts"))).toBe(true);
    },
    2 * MINUTES,
  );
});

/** The argv of every live process in process group `pgid` (Linux /proc). */
function processGroupCommands(pgid: number): string[][] {
  const commands: string[][] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The group is field 5 of /proc/PID/stat, counted after the parenthesised command name.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8")
        .split("\0")
        .filter((a) => a !== "");
      commands.push(argv);
    } catch {
      // The process ended while we looked.
    }
  }
  return commands;
}
