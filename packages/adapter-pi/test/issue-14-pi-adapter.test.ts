import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PermissionDecision } from "@openaxon/broker";
import {
  AdapterDriver,
  type Decide,
  describeAdapterContract,
  refuseToAsk,
  textOf,
} from "@openaxon/broker/test-support";
import { textReply, toolUseReply, transcript } from "@openaxon/fake-anthropic";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PiAdapter } from "../src/index.js";
import { newPiAdapter, PI_TEST_MODEL, type PiSubject, type PiWorld, piCli, piSubject } from "./pi-world.js";

// The real Pi coding agent (@mariozechner/pi-coding-agent 0.73.1, from the npm registry) in RPC
// mode, its Anthropic provider pointed at a fake Messages API on 127.0.0.1.
const AGENT_TIMEOUT = 90_000;

describeAdapterContract("PiAdapter with Pi", () => piSubject(), {
  resumedAs: "cli-resume",
  apiError: /turn failed: .*max_tokens: bogus value/,
  timeoutMs: AGENT_TIMEOUT,
});

describe("PiAdapter with Pi: RPC-mode specifics", () => {
  let subject: PiSubject;
  let world: PiWorld;
  let driver: AdapterDriver;

  beforeEach(async () => {
    subject = await piSubject();
    world = subject.world;
    driver = new AdapterDriver(subject.adapter, world.launch);
  });

  afterEach(() => subject.close());

  it(
    "denied, the tool does not run and the model is told why within the same turn",
    async () => {
      await driver.start();
      world.fake.enqueue(
        toolUseReply("bash", { command: "echo hi > hi.txt" }),
        textReply("Understood, I will not write it."),
      );
      const deny: Decide = async () => ({ outcome: "rejected" });

      const outputs = await driver.runTurn("Write hi to hi.txt", deny);

      expect(existsSync(join(world.cwd, "hi.txt"))).toBe(false);
      expect(outputs).toContainEqual(expect.objectContaining({ type: "tool_call_update", status: "failed" }));
      expect(textOf(outputs)).toBe("Understood, I will not write it.");
      expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "end_turn" });
      expect(transcript(world.fake.mainRequests().at(-1)!)).toMatch(/tool_result error: .*denied permission/);
    },
    AGENT_TIMEOUT,
  );

  it(
    "read-only tools (read, grep, find, ls) run without asking; their output reaches the model",
    async () => {
      await writeFile(join(world.cwd, "note.txt"), "the note\n");
      await driver.start();
      world.fake.enqueue(toolUseReply("read", { path: "note.txt" }), textReply("It says: the note."));

      const outputs = await driver.runTurn("What does note.txt say?", refuseToAsk);

      expect(outputs).toContainEqual(
        expect.objectContaining({ type: "tool_call", kind: "read", title: "read: note.txt" }),
      );
      expect(outputs).toContainEqual(
        expect.objectContaining({ type: "tool_call_update", status: "completed", output: "the note\n" }),
      );
      expect(world.model.seen()).toContain("tool_result ok: the note");
    },
    AGENT_TIMEOUT,
  );

  it(
    "cancelling while a permission request is pending ends the turn as cancelled without running the tool",
    async () => {
      await driver.start();
      world.fake.enqueue(toolUseReply("bash", { command: "echo hi > hi.txt" }));
      const neverDecided: Decide = () => {
        void subject.adapter.cancel();
        return new Promise<PermissionDecision>(() => undefined);
      };

      const outputs = await driver.runTurn("Write hi to hi.txt", neverDecided);

      expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "cancelled" });
      expect(existsSync(join(world.cwd, "hi.txt"))).toBe(false);
      world.fake.enqueue(textReply("Ready."));
      expect(textOf(await driver.runTurn("Next?"))).toBe("Ready.");
      expect(world.fake.mainRequests()).toHaveLength(2);
    },
    AGENT_TIMEOUT,
  );

  it(
    "streams thinking as thought chunks; the mount's model is the one the API is asked for",
    async () => {
      await driver.start();
      world.fake.enqueue({ type: "text", chunks: ["Hello."], thinking: "Greet them." });

      const outputs = await driver.runTurn("Say hello");

      expect(outputs[0]).toEqual({ type: "thought_chunk", text: "Greet them." });
      expect(textOf(outputs)).toBe("Hello.");
      expect(world.fake.mainRequests()[0]?.body?.model).toBe("claude-sonnet-4-5");
    },
    AGENT_TIMEOUT,
  );

  it(
    "starts a new session with a note when Pi has no such session to reopen",
    async () => {
      const session = await driver.start("019a0000-0000-7000-8000-000000000000");

      expect(session.restoredBy).toBe("new");
      expect(session.sessionId).not.toBe("019a0000-0000-7000-8000-000000000000");
      expect(session.note).toMatch(/No session found matching/);
      expect(driver.exits).toEqual([]);
      world.fake.enqueue(textReply("Fresh start."));
      expect(textOf(await driver.runTurn("Hello?"))).toBe("Fresh start.");
    },
    AGENT_TIMEOUT,
  );

  it(
    "never hands Pi a session id it would take for a file path",
    async () => {
      const session = await driver.start("../../etc/passwd");

      expect(session.restoredBy).toBe("new");
      expect(session.note).toMatch(/is not a Pi session id/);
    },
    AGENT_TIMEOUT,
  );
});

describe("PiAdapter with Pi: other extensions and other directories", () => {
  it(
    "dismisses a dialog of the user's own extension (nobody to show it to) and says so in the log",
    async () => {
      const fixture = fileURLToPath(new URL("./fixtures/confirm-extension.ts", import.meta.url));
      const adapter = new PiAdapter({
        agentBinary: process.execPath,
        launchArgs: [piCli(), "--extension", fixture],
        model: PI_TEST_MODEL,
      });
      const subject = await piSubject(adapter);
      try {
        const driver = new AdapterDriver(adapter, subject.launch);
        await driver.start();
        subject.world.fake.enqueue(
          toolUseReply("bash", { command: "echo hi > hi.txt" }),
          textReply("Blocked."),
        );
        const allow: Decide = async () => ({ outcome: "selected", optionId: "allow" });

        const outputs = await driver.runTurn("Write hi", allow);

        expect(outputs).toContainEqual(
          expect.objectContaining({ type: "tool_call_update", status: "failed" }),
        );
        expect(existsSync(join(subject.world.cwd, "hi.txt"))).toBe(false);
        expect(driver.logs).toContain("pi dismissed an extension dialog: Really run bash?");
        expect(subject.model.seen()).toContain("Not confirmed");
      } finally {
        await subject.close();
      }
    },
    AGENT_TIMEOUT,
  );

  it(
    "a session saved under another working directory is not forked into this one: new session, with a note",
    async () => {
      const subject = await piSubject();
      const elsewhere = await mkdtemp(join(tmpdir(), "openaxon-pi-elsewhere-"));
      try {
        const driver = new AdapterDriver(subject.adapter, subject.launch);
        const first = await driver.start();
        subject.world.fake.enqueue(textReply("Saved."));
        await driver.runTurn("Remember this");
        await subject.adapter.stop();

        const moved = new AdapterDriver(subject.adapter, { ...subject.launch, cwd: elsewhere });
        const session = await moved.start(first.sessionId);

        expect(session.restoredBy).toBe("new");
        expect(session.sessionId).not.toBe(first.sessionId);
        // Pi asks on stdin whether to fork it here; the adapter's first command reads as "no".
        expect(session.note).toMatch(
          /^Session could not be restored: Pi exited .*Session found in different project/,
        );
        subject.world.fake.enqueue(textReply("Fresh."));
        expect(textOf(await moved.runTurn("Hello?"))).toBe("Fresh.");
      } finally {
        await subject.close();
        await rm(elsewhere, { recursive: true, force: true });
      }
    },
    AGENT_TIMEOUT,
  );
});

describe("PiAdapter with Pi: endpoint and key from the mount's env", () => {
  it(
    "ANTHROPIC_BASE_URL in the env points Pi at the endpoint (no models.json), as a gateway binding does",
    async () => {
      const subject = await piSubject(newPiAdapter(), { endpoint: "env" });
      try {
        const driver = new AdapterDriver(subject.adapter, subject.launch);
        await driver.start();
        subject.world.fake.enqueue(textReply("Through the env."));

        expect(textOf(await driver.runTurn("Hello"))).toBe("Through the env.");
        expect(subject.model.credentialSeen()).toBe(subject.model.expectedCredential);
      } finally {
        await subject.close();
      }
    },
    AGENT_TIMEOUT,
  );

  it(
    "a prompt Pi refuses (no API key for the model) fails the turn with Pi's reason",
    async () => {
      const subject = await piSubject();
      try {
        const { ANTHROPIC_API_KEY: _key, ...env } = subject.launch.env;
        const driver = new AdapterDriver(subject.adapter, { cwd: subject.launch.cwd, env });
        await driver.start();

        await expect(driver.runTurn("Hello")).rejects.toThrow(/Pi refused prompt: No API key found/);
        expect(subject.world.fake.requests).toEqual([]);
      } finally {
        await subject.close();
      }
    },
    AGENT_TIMEOUT,
  );
});

describe("PiAdapter: what Pi cannot do", () => {
  it("refuses MCP servers (Pi has no MCP client) instead of dropping them", async () => {
    const adapter = new PiAdapter({
      agentBinary: "pi",
      launchArgs: [],
      mcpServers: [{ type: "http", name: "docs", url: "http://127.0.0.1:1/mcp", headers: {} }],
    });

    await expect(adapter.start({ cwd: "/", env: {}, onLog: () => undefined })).rejects.toThrow(
      /Pi has no MCP support/,
    );
    expect(adapter.agentPid).toBeUndefined();
  });
});
