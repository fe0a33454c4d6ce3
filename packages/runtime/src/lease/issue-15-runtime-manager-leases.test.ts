import { checkTurnLog, settle } from "@openaxon/broker/test-support";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RuntimeStateError } from "../errors.js";
import type { RuntimeManager } from "../runtime-manager.js";
import { NEVER_IDLE, type RuntimeFixture, runtimeFixture } from "../test-support/runtime-fixture.js";
import type { LeaseRecord, LeaseStore } from "./lease-store.js";

// Two RuntimeManagers ("nodes") on one shared record store and one lease store, on a manual
// clock: the runtime moves when its node stops reaching the lease store, and a node that does not
// host a runtime still answers for it but refuses to drive it.

const TTL = 2000;

class SharedLeases {
  readonly leases = new Map<string, LeaseRecord>();
  private revision = 0;
  /** One node's view; while `cut`, its calls never answer (a partition, or a node frozen mid-kill). */
  view(): LeaseStore & { cut: boolean } {
    const never = new Promise<never>(() => {});
    const view = {
      cut: false,
      list: async () => {
        if (view.cut) await never;
        return new Map(this.leases);
      },
      write: async (id: string, holder: string, expectRevision: number) => {
        if (view.cut) await never;
        if ((this.leases.get(id)?.revision ?? 0) !== expectRevision) return undefined;
        this.leases.set(id, { holder, revision: ++this.revision });
        return this.revision;
      },
      release: async (id: string, revision: number) => {
        if (view.cut) await never;
        if (this.leases.get(id)?.revision === revision) this.leases.delete(id);
      },
    };
    return view;
  }
}

let f: RuntimeFixture;
afterEach(() => f?.cleanup());

async function passTime(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    f.clock.advance(100);
    await settle();
  }
}

describe("RuntimeManager with runtime leases (issue 15)", () => {
  it("moves a runtime to the other node when its node loses the lease store; the session resumes, no turn twice", async () => {
    const shared = new SharedLeases();
    const viewA = shared.view();
    f = await runtimeFixture(undefined, { leases: { store: viewA, ttlMs: TTL } });
    const a: RuntimeManager = f.manager;
    const rt = await f.create({ lifecycle: NEVER_IDLE });
    expect(shared.leases.get(rt.id)).toBeDefined();
    const first = await f.say("on a");
    await f.turnEnd(`turn_${first}`);

    const b = await f.restart({ close: false, extra: { leases: { store: shared.view(), ttlMs: TTL } } });
    await passTime(TTL / 2);
    // b answers for the runtime, but it runs on a.
    expect(b.getRuntime(rt.id).status).toBe("running");
    expect(b.listRuntimes().map((r) => r.id)).toEqual([rt.id]);
    await expect(b.suspendRuntime(rt.id)).rejects.toThrow(RuntimeStateError);
    await expect(b.suspendRuntime(rt.id)).rejects.toThrow(/runs on another axond node/);

    const startsBefore = f.agent.starts.length;
    viewA.cut = true;
    await passTime(2 * TTL);
    await vi.waitFor(() => expect(f.agent.starts.length).toBe(startsBefore + 1), { timeout: 5000 });
    // a gave the runtime up (its agent stopped, its commands refused); b hosts it now.
    await expect(a.suspendRuntime(rt.id)).rejects.toThrow(/runs on another axond node/);
    await vi.waitFor(() => expect(b.getRuntime(rt.id).status).toBe("running"), { timeout: 5000 });
    expect(f.agent.starts.at(-1)!.resumeSessionId).toBe("sess_1");

    const second = await f.say("on b");
    await f.turnEnd(`turn_${second}`);
    expect(f.agent.prompts.map((p) => p.content)).toEqual(["on a", "on b"]);
    const log = (await f.transcript()).map((e) => ({
      type: e.type,
      payload: e.payload as Record<string, unknown>,
    }));
    checkTurnLog(log, [first, second]);
    expect((await f.runtimeEvents()).map(([t, r]) => `${t}:${r ?? ""}`)).toEqual([
      "runtime.running:",
      "runtime.running:taken over from another node",
    ]);
  });

  it("a node that closes hands its leases back once its runtimes stopped; the other takes them on its next pass", async () => {
    const shared = new SharedLeases();
    f = await runtimeFixture(undefined, { leases: { store: shared.view(), ttlMs: TTL } });
    const a = f.manager;
    const rt = await f.create({ lifecycle: NEVER_IDLE });
    const b = await f.restart({ close: false, extra: { leases: { store: shared.view(), ttlMs: TTL } } });
    await a.close();
    expect(shared.leases.has(rt.id)).toBe(false);
    await passTime(TTL / 4);
    await vi.waitFor(() => expect(shared.leases.get(rt.id)).toBeDefined(), { timeout: 5000 });
    await vi.waitFor(() => expect(b.getRuntime(rt.id).status).toBe("running"), { timeout: 5000 });
    await b.suspendRuntime(rt.id);
    expect(b.getRuntime(rt.id).status).toBe("suspended");
    await b.shutdownRuntime(rt.id);
    await passTime(TTL / 4);
    await vi.waitFor(() => expect(shared.leases.has(rt.id)).toBe(false), { timeout: 5000 });

    // A shut-down runtime runs nowhere; a node that never hosted it answers as its host would.
    const c = await f.restart({ close: false, extra: { leases: { store: shared.view(), ttlMs: TTL } } });
    expect(c.getRuntime(rt.id).status).toBe("shutdown");
    expect((await c.shutdownRuntime(rt.id)).status).toBe("shutdown");
    await expect(c.resumeRuntime(rt.id)).rejects.toThrow(/is shut down and cannot be resumed/);
  });
});
