import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AxonClient, Code, ConnectError, createAxonClient } from "../src/index.js";
import { type RealServer, startRealServer } from "../src/test-support/index.js";

let real: RealServer;
let client: AxonClient;

beforeAll(async () => {
  real = await startRealServer({ runtimes: true });
  client = createAxonClient({ baseUrl: real.url });
});

afterAll(async () => {
  await real.close();
});

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
    return { code: "ok", message: "" };
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    return { code: Code[error.code], message: error.rawMessage };
  }
}

describe("client.runtimes", () => {
  it("creates a runtime and drives its lifecycle, reporting plain objects with status names", async () => {
    const { id: axonId } = await client.axons.create();
    const created = await client.runtimes.create({
      name: "echo",
      mounts: [
        {
          axonId,
          protocol: "stdio",
          agentBinary: "cat",
          env: { MODE: "test" },
          permissionPolicy: "ask",
        },
      ],
      lifecycle: { idleSuspendSeconds: 60, resumeOnEvent: false },
      env: { LANG: "C" },
    });
    expect(created).toMatchObject({
      name: "echo",
      status: "running",
      statusReason: "",
      mounts: [
        {
          axonId,
          protocol: "stdio",
          agentBinary: "cat",
          launchArgs: [],
          workingDirectory: "",
          env: { MODE: "test" },
          permissionPolicy: "ask",
        },
      ],
      lifecycle: { idleTimeSeconds: 60, onIdle: "suspend", resumeOnEvent: false },
      env: { LANG: "C" },
      networkPolicyId: "",
      gateways: {},
      sandboxPolicy: "auto",
    });
    expect(created.id).toMatch(/^rt_/);
    expect(created.workingDirectory.startsWith(real.dir)).toBe(true);
    expect(typeof created.createdAtMs).toBe("number");
    // Plain data: serialises as is.
    expect(JSON.parse(JSON.stringify(created))).toEqual(created);

    expect(await client.runtimes.get(created.id)).toEqual(created);
    expect((await client.runtimes.list()).map((runtime) => runtime.id)).toContain(created.id);

    const suspended = await client.runtimes.suspend(created.id);
    expect(suspended).toMatchObject({ status: "suspended", statusReason: "suspended by request" });
    expect((await client.runtimes.resume(created.id)).status).toBe("running");
    const shutdown = await client.runtimes.shutdown(created.id);
    expect(shutdown).toMatchObject({ status: "shutdown", statusReason: "shut down by request" });
  });

  it("updates a runtime in place: the new agent's first prompt carries the earlier turns", async () => {
    const { id: axonId } = await client.axons.create();
    const runtime = await client.runtimes.create({
      mounts: [
        { axonId, protocol: "stdio", agentBinary: "sh", launchArgs: ["-c", "cat >/dev/null; printf blue"] },
      ],
    });
    const session = client.agentSession(axonId);
    const answer = async (content: string) => (await session.prompt(content)).text();
    expect(await answer("favourite colour?")).toBe("blue");
    const updated = await client.runtimes.update(runtime.id, { agentBinary: "cat", launchArgs: [] });
    expect(updated.mounts[0]).toMatchObject({ agentBinary: "cat", launchArgs: [] });
    const seen = await answer("what did I ask?");
    expect(seen).toContain("User: favourite colour?");
    expect(seen).toContain("Agent: blue");
    expect(await failure(client.runtimes.update(runtime.id, { protocol: "acp" }))).toMatchObject({
      code: "InvalidArgument",
      message: expect.stringMatching(/^mount\.protocol acp is not available/),
    });
    await client.runtimes.shutdown(runtime.id);
  });

  it("takes the lifecycle as idle-shutdown seconds", async () => {
    const { id: axonId } = await client.axons.create();
    const runtime = await client.runtimes.create({
      mounts: [{ axonId, protocol: "stdio", agentBinary: "cat" }],
      lifecycle: { idleShutdownSeconds: 3600 },
    });
    expect(runtime.lifecycle).toEqual({ idleTimeSeconds: 3600, onIdle: "shutdown", resumeOnEvent: true });
    await client.runtimes.shutdown(runtime.id);
  });

  it("passes the server's codes and messages through", async () => {
    const { id: axonId } = await client.axons.create();
    expect(
      await failure(
        client.runtimes.create({ mounts: [{ axonId, protocol: "stdio", agentBinary: "no-such-agent-x" }] }),
      ),
    ).toMatchObject({
      code: "InvalidArgument",
      message: expect.stringContaining("no-such-agent-x not found"),
    });
    expect(await failure(client.runtimes.get("rt_00000000000000000000000000"))).toMatchObject({
      code: "NotFound",
    });
    const runtime = await client.runtimes.create({
      mounts: [{ axonId, protocol: "stdio", agentBinary: "cat" }],
    });
    await client.runtimes.shutdown(runtime.id);
    expect(await failure(client.runtimes.suspend(runtime.id))).toMatchObject({ code: "FailedPrecondition" });
  });

  it("refuses inputs it cannot put on the wire before calling the server", async () => {
    const { id: axonId } = await client.axons.create();
    await expect(
      client.runtimes.create({
        mounts: [{ axonId, protocol: "bash" as "stdio", agentBinary: "cat" }],
      }),
    ).rejects.toThrow(/mounts\[0\]\.protocol must be one of acp, claude-code, stdio, codex, pi, got "bash"/);
    await expect(
      client.runtimes.create({
        mounts: [{ axonId, protocol: "stdio", agentBinary: "cat" }],
        lifecycle: { idleSuspendSeconds: 5, idleShutdownSeconds: 10 },
      }),
    ).rejects.toThrow(/lifecycle takes one of/);
    expect(await client.runtimes.list()).not.toContainEqual(
      expect.objectContaining({ mounts: [expect.objectContaining({ axonId })] }),
    );
  });
});
