import { describe, expect, it } from "vitest";
import { resolveConfig } from "./config.js";
import { StartupError } from "./startup-error.js";

const run = (argv: string[], env: Record<string, string> = {}) => {
  const result = resolveConfig({ argv, env, cwd: "/srv" });
  if (result.kind !== "run") throw new Error("expected a run config");
  return result.config;
};
const failure = (argv: string[], env: Record<string, string> = {}) => {
  try {
    run(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(StartupError);
    return (error as Error).message;
  }
  throw new Error("expected a startup error");
};

describe("--store (issue 15)", () => {
  it("defaults to the embedded store and takes jetstream from flags over the environment", () => {
    expect(run([]).store).toBeUndefined();
    expect(run(["--store", "jetstream", "--nats", "nats://h1:4222, nats://h2:4222"]).store).toEqual({
      kind: "jetstream",
      servers: ["nats://h1:4222", "nats://h2:4222"],
      replicas: 3,
      runtimeLeaseTtlMs: 10_000,
    });
    expect(
      run([], { OPENAXON_STORE: "jetstream", OPENAXON_NATS: "tls://n:4222", OPENAXON_NATS_REPLICAS: "1" })
        .store,
    ).toEqual({ kind: "jetstream", servers: ["tls://n:4222"], replicas: 1, runtimeLeaseTtlMs: 10_000 });
    expect(run(["--store", "classic-level"], { OPENAXON_STORE: "jetstream" }).store).toBeUndefined();
  });

  it("takes --runtime-lease-ttl (or OPENAXON_RUNTIME_LEASE_TTL) with --store jetstream only, at least 1s", () => {
    const jetstream = ["--store", "jetstream", "--nats", "nats://h1:4222"];
    expect(run([...jetstream, "--runtime-lease-ttl", "2s"]).store?.runtimeLeaseTtlMs).toBe(2000);
    expect(run(jetstream, { OPENAXON_RUNTIME_LEASE_TTL: "1m" }).store?.runtimeLeaseTtlMs).toBe(60_000);
    expect(failure([...jetstream, "--runtime-lease-ttl", "500ms"])).toMatch(
      /--runtime-lease-ttl must be a duration of at least 1s such as 10s, got "500ms"/,
    );
    expect(failure([...jetstream, "--runtime-lease-ttl", "soon"])).toMatch(/--runtime-lease-ttl must be/);
    expect(failure(["--runtime-lease-ttl", "10s"])).toMatch(/--runtime-lease-ttl needs --store jetstream/);
  });

  it("refuses what cannot work, saying what to pass", () => {
    expect(failure(["--store", "jetstream"])).toMatch(
      /needs the cluster's addresses: --nats nats:\/\/h1:4222/,
    );
    expect(failure(["--store", "postgres"])).toMatch(
      /invalid store "postgres" \(expected one of classic-level, jetstream\)/,
    );
    expect(failure(["--nats", "nats://h:4222"])).toMatch(/--nats and --nats-replicas need --store jetstream/);
    expect(failure(["--store", "jetstream", "--nats", "h1:4222"])).toMatch(
      /must look like nats:\/\/host:port/,
    );
    expect(failure(["--store", "jetstream", "--nats", "nats://h:4222", "--nats-replicas", "2"])).toMatch(
      /--nats-replicas must be 1, 3 or 5/,
    );
  });
});
