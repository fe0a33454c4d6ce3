import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAxonServer } from "@openaxon/server";
import { openClassicLevelLogStore } from "@openaxon/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_CSP, type ConsoleBundle, createConsoleSite, routeConsole } from "../src/index.js";
import { type ConsoleHarness, startConsoleHarness } from "./console-harness.js";

// Serving only: these never launch the browser.
describe("axond serves the console at / (issue 11)", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness();
  });
  afterAll(async () => h?.close());

  it("serves the page, its script and its stylesheet with their content types and a strict CSP", async () => {
    for (const path of [
      "/",
      "/axons",
      "/axons/axn_abc123",
      "/axons/axn_abc123/sql",
      "/runtimes",
      "/gateway",
    ]) {
      const response = await fetch(`${h.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await response.text()).toContain('<script type="module" src="/assets/console.js">');
    }
    const script = await fetch(`${h.url}/assets/console.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await script.text()).length).toBeGreaterThan(10_000);
    const style = await fetch(`${h.url}/assets/console.css`);
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await fetch(`${h.url}/assets/nope.js`)).status).toBe(404);
    const head = await fetch(`${h.url}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("the CSP allows no inline script, no eval and no other origin", () => {
    expect(CONSOLE_CSP).toContain("default-src 'none'");
    expect(CONSOLE_CSP).toContain("script-src 'self';");
    expect(CONSOLE_CSP).not.toContain("unsafe");
    expect(CONSOLE_CSP).toContain("connect-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
  });

  it("leaves the RPC paths and /healthz alone, and same-origin API calls from the console pass admission", async () => {
    const created = await fetch(`${h.url}/openaxon.v1.AxonService/CreateAxon`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: h.url },
      body: JSON.stringify({ name: "same-origin" }),
    });
    expect(created.status).toBe(200);
    expect(((await created.json()) as { axon: { name: string } }).axon.name).toBe("same-origin");
    // Another site's page is still refused, console or not.
    const foreign = await fetch(`${h.url}/openaxon.v1.AxonService/CreateAxon`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://evil.example" },
      body: "{}",
    });
    expect(foreign.status).toBe(403);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    // A GET on an RPC path is Connect's to answer, not the console's page.
    const get = await fetch(`${h.url}/openaxon.v1.AxonService/ListAxons`);
    expect(get.headers.get("content-type") ?? "").not.toContain("text/html");
  });

  it("a rebinding Host is refused before the console answers", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.url}/`, { headers: { host: "attacker.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(421);
  });
});

describe("routeConsole", () => {
  it("claims only GET/HEAD of its own paths", () => {
    expect(routeConsole("GET", "/")).toEqual({ kind: "page" });
    expect(routeConsole("GET", "/axons/axn_1?x=1")).toEqual({ kind: "page" });
    expect(routeConsole("HEAD", "/assets/console.js")).toEqual({ kind: "asset", path: "/assets/console.js" });
    expect(routeConsole("POST", "/")).toEqual({ kind: "none" });
    expect(routeConsole("GET", "/openaxon.v1.AxonService/ListAxons")).toEqual({ kind: "none" });
    expect(routeConsole("GET", "/healthz")).toEqual({ kind: "none" });
    expect(routeConsole("GET", "/axons/axn_1/audit")).toEqual({ kind: "page" });
    expect(routeConsole("GET", "/axons/axn_1/sql/")).toEqual({ kind: "page" });
    expect(routeConsole("GET", "/axons/a/b")).toEqual({ kind: "none" });
  });
});

describe("createConsoleSite", () => {
  it("bundles on the first asset request, not at start; a failed bundle is a 500 and the next request retries", async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const bundle = async (): Promise<ConsoleBundle> => {
      calls += 1;
      if (calls === 1) throw new Error("esbuild: syntax error");
      return new Map([
        ["/assets/console.js", { body: Buffer.from("export {}"), contentType: "text/javascript" }],
      ]);
    };
    const dir = await mkdtemp(join(tmpdir(), "openaxon-console-site-"));
    const store = await openClassicLevelLogStore({ path: join(dir, "data") });
    const server = await startAxonServer({
      store,
      host: "127.0.0.1",
      port: 0,
      site: createConsoleSite({ bundle, onBundleError: (e) => errors.push(e) }),
    });
    try {
      expect((await fetch(`${server.url}/`)).status).toBe(200);
      expect(calls).toBe(0);
      const failed = await fetch(`${server.url}/assets/console.js`);
      expect(failed.status).toBe(500);
      expect(String(errors[0])).toContain("syntax error");
      const served = await fetch(`${server.url}/assets/console.js`);
      expect(served.status).toBe(200);
      expect(await served.text()).toBe("export {}");
      await fetch(`${server.url}/assets/console.js`);
      expect(calls).toBe(2);
    } finally {
      await server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
