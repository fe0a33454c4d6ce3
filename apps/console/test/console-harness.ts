import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stdioAdapterFactory } from "@openaxon/adapter-stdio";
import { type AxonClient, createAxonClient } from "@openaxon/client";
import { systemClock, systemRng } from "@openaxon/core";
import {
  GatewayRegistry,
  loadOrCreateKey,
  recordsFromStore,
  SecretBox,
  startCredentialGateway,
  startEgressProxy,
} from "@openaxon/gateway";
import { RuntimeManager, RuntimeNetwork, runtimeReferencesIn } from "@openaxon/runtime";
import { type ApiKeyConfig, type RunningAxonServer, startAxonServer } from "@openaxon/server";
import { SqlDatabases } from "@openaxon/sql";
import { type KvLogStore, openClassicLevelLogStore } from "@openaxon/store";
import { type Browser, chromium, type Page } from "playwright-core";
import { createConsoleSite } from "../src/index.js";

/** Debian's Chromium (installed by .ci/run); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.OPENAXON_CHROMIUM ?? "/usr/bin/chromium";

/** Where tests leave screenshots (gitignored). */
export const RESULTS_DIR = new URL("../test-results/", import.meta.url).pathname;

/**
 * The README's screenshots. Written only when OPENAXON_CONSOLE_DOCS=1 (`npm run screenshots -w
 * @openaxon/console`): an ordinary test run must not rewrite committed files with new ids and times.
 */
export const DOCS_DIR = new URL("../../../docs/console/", import.meta.url).pathname;
const WRITE_DOCS = process.env.OPENAXON_CONSOLE_DOCS === "1";

/** A real axond core (classic-level on disk, HTTP on 127.0.0.1:0) serving the console, and headless Chromium. */
export interface ConsoleHarness {
  readonly url: string;
  readonly store: KvLogStore;
  readonly server: RunningAxonServer;
  readonly client: AxonClient;
  /** Headless Chromium, launched on first use. */
  browser(): Promise<Browser>;
  /** A fresh page that fails the test on any console error or CSP violation it logs. */
  newPage(): Promise<Page & { problems: string[] }>;
  /** Saves a screenshot to test-results/<name>.png, and to docs/console/<docs>.png when writing the docs. */
  screenshot(page: Page, name: string, options?: { docs?: string }): Promise<void>;
  close(): Promise<void>;
}

export interface ConsoleHarnessOptions {
  /** Host runtimes with the stdio adapter (agents such as `rev`), as axond does. */
  readonly runtimes?: boolean;
  /** Serve the Secret, NetworkPolicy and GatewayConfig services. */
  readonly gateway?: boolean;
  /** Serve SqlService: one SQLite database per axon, in one host process. */
  readonly sql?: boolean;
  /** Require these API keys (the harness's own client then uses the first). */
  readonly apiKeys?: readonly ApiKeyConfig[];
}

export async function startConsoleHarness(options: ConsoleHarnessOptions = {}): Promise<ConsoleHarness> {
  const dir = await mkdtemp(join(tmpdir(), "openaxon-console-"));
  const store = await openClassicLevelLogStore({ path: join(dir, "data") });
  const gatewayRegistry = options.gateway
    ? await GatewayRegistry.open({
        records: recordsFromStore(store),
        box: new SecretBox(await loadOrCreateKey({ dataDir: dir, env: {}, rng: systemRng }), systemRng),
        clock: systemClock,
        rng: systemRng,
        // As axond wires it: a secret, policy or config a live runtime uses cannot be deleted.
        referencedBy: runtimeReferencesIn(store),
      })
    : undefined;
  const closers: (() => Promise<void> | void)[] = [];
  // With both, runtimes get a network as axond wires it (egress proxy, credential gateway), minus
  // the sandbox, so network policies and gateway bindings can be set from the console.
  let network: RuntimeNetwork | undefined;
  if (options.runtimes && gatewayRegistry) {
    const proxy = await startEgressProxy({ clock: systemClock, rng: systemRng });
    const gateway = await startCredentialGateway({ clock: systemClock, rng: systemRng });
    network = new RuntimeNetwork({
      registry: gatewayRegistry,
      proxy,
      gateway,
      sandbox: { kind: "none", reason: "the console tests run agents unsandboxed" },
      hiddenPaths: [dir],
    });
    closers.push(() => network?.close(), proxy.close, gateway.close);
  }
  const runtimes = options.runtimes
    ? new RuntimeManager({
        store,
        clock: systemClock,
        rng: systemRng,
        adapters: { stdio: stdioAdapterFactory },
        workdirRoot: join(dir, "runtimes"),
        hostEnv: { PATH: process.env.PATH },
        ...(network && { network }),
      })
    : undefined;
  await runtimes?.start();
  const sql = options.sql ? await SqlDatabases.open({ dir: join(dir, "sql"), store, hosts: 1 }) : undefined;
  const server = await startAxonServer({
    store,
    host: "127.0.0.1",
    port: 0,
    shutdownTimeoutMs: 1_000,
    site: createConsoleSite(),
    ...(runtimes && { runtimes }),
    ...(gatewayRegistry && { gatewayRegistry }),
    ...(sql && { sql }),
    ...(options.apiKeys && { apiKeys: options.apiKeys }),
  });
  let browser: Promise<Browser> | undefined;
  const launch = () =>
    (browser ??= chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    }));
  const first = options.apiKeys?.[0];
  const apiKey = typeof first === "string" ? first : first?.key;
  const client = createAxonClient({ baseUrl: server.url, source: "test", apiKey });
  await mkdir(RESULTS_DIR, { recursive: true });
  return {
    url: server.url,
    store,
    server,
    client,
    browser: launch,
    async newPage() {
      const context = await (await launch()).newContext({ viewport: { width: 1280, height: 800 } });
      const page = Object.assign(await context.newPage(), { problems: [] as string[] });
      page.on("console", (message) => {
        if (message.type() === "error") page.problems.push(message.text());
      });
      page.on("pageerror", (error) => page.problems.push(String(error)));
      return page;
    },
    async screenshot(page, name, options) {
      await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`) });
      if (WRITE_DOCS && options?.docs) {
        await mkdir(DOCS_DIR, { recursive: true });
        await page.screenshot({ path: join(DOCS_DIR, `${options.docs}.png`) });
      }
    },
    async close() {
      await (await browser)?.close();
      await server.close();
      await runtimes?.close();
      for (const close of closers) await close();
      await sql?.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
