import { describe, expect, it } from "vitest";
import { InvalidRuntimeError, RuntimeStateError } from "./errors.js";
import type { MountSpec, RuntimeRecord } from "./runtime-record.js";
import { planRuntimeUpdate } from "./runtime-update.js";

const mount = (overrides: Partial<MountSpec> = {}): MountSpec => ({
  axonId: "ax_a",
  protocol: "acp",
  agentBinary: "claude-code-acp",
  launchArgs: [],
  env: { TOKEN: "secret-1" },
  permissionPolicy: "auto_allow",
  ...overrides,
});

const record = (overrides: Partial<RuntimeRecord> = {}): RuntimeRecord => ({
  id: "rt_1",
  name: "r",
  status: "running",
  statusReason: "",
  mounts: [mount()],
  lifecycle: { idleTimeSeconds: 0, onIdle: "suspend", resumeOnAxonEvent: true },
  env: { API_KEY: "secret-2" },
  workingDirectory: "/tmp/w",
  createdAtMs: 1,
  updatedAtMs: 1,
  ...overrides,
});

const PROTOCOLS = ["acp", "claude-code", "stdio"] as const;

describe("planRuntimeUpdate", () => {
  it("a new binary and protocol: another agent, so the session is not resumed", () => {
    const plan = planRuntimeUpdate(
      record(),
      { mount: { protocol: "stdio", agentBinary: "/usr/bin/agent" } },
      PROTOCOLS,
      5,
    );
    expect(plan.record.mounts[0]).toMatchObject({ protocol: "stdio", agentBinary: "/usr/bin/agent" });
    expect(plan.record.updatedAtMs).toBe(5);
    expect(plan.announcements).toEqual([
      {
        runtime_id: "rt_1",
        axon_id: "ax_a",
        changes: [
          { field: "mount.protocol", old: "acp", new: "stdio" },
          { field: "mount.agent_binary", old: "claude-code-acp", new: "/usr/bin/agent" },
        ],
        resume_session: false,
      },
    ]);
    expect(plan.restart).toEqual(["ax_a"]);
  });

  it("a model change keeps the agent and its session; clearing it goes back to the default", () => {
    const set = planRuntimeUpdate(record(), { mount: { model: "m2" } }, PROTOCOLS, 5);
    expect(set.announcements[0]).toMatchObject({
      changes: [{ field: "mount.model", old: null, new: "m2" }],
      resume_session: true,
    });
    const cleared = planRuntimeUpdate(set.record, { mount: { model: undefined } }, PROTOCOLS, 6);
    expect(cleared.record.mounts[0]).not.toHaveProperty("model");
    expect(cleared.announcements[0]!.changes).toEqual([{ field: "mount.model", old: "m2", new: null }]);
  });

  it("never puts an env value in the event, only names (and which values changed)", () => {
    const plan = planRuntimeUpdate(
      record(),
      { env: { API_KEY: "secret-3", MORE: "x" }, mount: { env: {} } },
      PROTOCOLS,
      5,
    );
    const text = JSON.stringify(plan.announcements);
    expect(text).not.toMatch(/secret-/);
    expect(plan.announcements[0]!.changes).toEqual([
      { field: "env", old: ["API_KEY"], new: ["API_KEY (value changed)", "MORE"], values_hidden: true },
      { field: "mount.env", old: ["TOKEN"], new: [], values_hidden: true },
    ]);
  });

  it("a lifecycle change is announced in every axon but replaces no agent", () => {
    const two = record({ mounts: [mount(), mount({ axonId: "ax_b" })] });
    const plan = planRuntimeUpdate(
      two,
      { lifecycle: { idleTimeSeconds: 60, onIdle: "suspend", resumeOnAxonEvent: true } },
      PROTOCOLS,
      5,
    );
    expect(plan.announcements.map((a) => a.axon_id)).toEqual(["ax_a", "ax_b"]);
    expect(plan.restart).toEqual([]);
    expect(plan.lifecycleChanged).toBe(true);
  });

  it("the same values again change nothing", () => {
    const plan = planRuntimeUpdate(record(), { mount: { agentBinary: "claude-code-acp" } }, PROTOCOLS, 5);
    expect(plan.announcements).toEqual([]);
    expect(plan.restart).toEqual([]);
  });

  it("refuses bad input naming the field, and a shut-down runtime", () => {
    const refuse = (update: Parameters<typeof planRuntimeUpdate>[1], message: RegExp, base = record()) => {
      let error: unknown;
      try {
        planRuntimeUpdate(base, update, PROTOCOLS, 5);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidRuntimeError);
      expect((error as Error).message).toMatch(message);
    };
    refuse({ mount: { agentBinary: " " } }, /^mount\.agent_binary is required/);
    refuse({ mount: { protocol: "codex" } }, /^mount\.protocol codex is not available/);
    refuse({ mount: { env: { "A=B": "x" } } }, /^mount\.env: /);
    refuse(
      { axonId: "ax_zzz", mount: { model: "m" } },
      /mount\.axon_id ax_zzz is not mounted by runtime rt_1/,
    );
    refuse(
      { mount: { model: "m" } },
      /mount\.axon_id is required: runtime rt_1 has 2 mounts/,
      record({ mounts: [mount(), mount({ axonId: "ax_b" })] }),
    );
    refuse(
      { lifecycle: { idleTimeSeconds: -1, onIdle: "suspend", resumeOnAxonEvent: true } },
      /lifecycle\.after_idle\.idle_time_seconds/,
    );
    expect(() => planRuntimeUpdate(record({ status: "shutdown" }), { env: {} }, PROTOCOLS, 5)).toThrow(
      RuntimeStateError,
    );
  });
});
