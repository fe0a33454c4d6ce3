import { Broker } from "@openaxon/broker";
import { axonFixture } from "@openaxon/broker/test-support";
import { describe, expect, it } from "vitest";
import { encodeScript } from "./agent-script.js";
import { settle } from "./settle.js";
import { AgentHost, type AgentWatcher } from "./sim-agent.js";

function recordingWatcher() {
  const events: string[] = [];
  const watcher: AgentWatcher = {
    onStart: (_m, resume) => events.push(`start ${resume ?? "fresh"}`),
    onPrompt: (_m, turnId, active) => events.push(`prompt ${turnId} (active ${active})`),
    onDecision: (_m, turnId, d) =>
      events.push(`decision ${turnId} ${d.outcome === "selected" ? d.optionId : "rejected"}`),
    trace: () => {},
  };
  return { events, watcher };
}

async function stepAll(host: AgentHost) {
  for (let next = host.actions()[0]; next; next = host.actions()[0]) {
    next.run();
    await settle();
  }
}

describe("SimAgent under the production Broker", () => {
  it("takes each scripted step only when the scheduler runs it, then completes with the script's stop reason", async () => {
    const fx = await axonFixture();
    const { events, watcher } = recordingWatcher();
    const host = new AgentHost("a1", { startDelayMs: 0, restoreBy: "resume" }, watcher);
    const broker = new Broker({
      axonId: fx.axonId,
      link: fx.link,
      adapter: host.adapter(fx.clock, { binary: "sh", args: [], model: null }),
      clock: fx.clock,
      agent: { cwd: "/", env: {} },
    });
    await broker.start();
    const trigger = await fx.publish("user.message", {
      content: encodeScript("p1", { steps: ["chunk", "tool"], stopReason: "max_tokens" }),
    });
    await settle();
    expect(host.actions().map((a) => a.label)).toEqual([`agent a1 turn_${trigger} chunk`]);
    expect((await fx.transcript()).map((e) => e.type)).toEqual([
      "session.started",
      "user.message",
      "turn.started",
    ]);
    await stepAll(host);
    expect((await fx.transcript()).map((e) => e.type).slice(3)).toEqual([
      "turn.message_chunk",
      "turn.tool_call",
      "turn.tool_call_update",
      "turn.completed",
    ]);
    expect((await fx.transcript()).at(-1)?.payload).toMatchObject({ stop_reason: "max_tokens" });
    expect(events).toEqual(["start fresh", `prompt turn_${trigger} (active 0)`]);
    await broker.stop();
  });

  it("a crash mid-turn fails the turn; the next start resumes the same session", async () => {
    const fx = await axonFixture();
    const { events, watcher } = recordingWatcher();
    const host = new AgentHost("a1", { startDelayMs: 0, restoreBy: "load" }, watcher);
    const broker = new Broker({
      axonId: fx.axonId,
      link: fx.link,
      adapter: host.adapter(fx.clock, { binary: "sh", args: [], model: null }),
      clock: fx.clock,
      agent: { cwd: "/", env: {} },
    });
    await broker.start();
    await fx.publish("user.message", {
      content: encodeScript("p1", { steps: ["chunk", "chunk"], stopReason: "end_turn" }),
    });
    await settle();
    host.actions()[0]!.run();
    await settle();
    expect(host.crashAgent()).toBe("running");
    await settle();
    await fx.publish("user.message", { content: encodeScript("p2", { steps: [], stopReason: "end_turn" }) });
    await settle();
    await stepAll(host);
    const types = (await fx.transcript()).map((e) => [
      e.type,
      e.payload.error ?? e.payload.restored_by ?? "",
    ]);
    expect(types).toContainEqual([
      "turn.failed",
      "agent process exited during the turn (it was killed by SIGKILL)",
    ]);
    expect(types.filter(([t]) => t === "session.started")).toEqual([
      ["session.started", "new"],
      ["session.started", "load"],
    ]);
    expect(events.filter((e) => e.startsWith("start"))).toEqual(["start fresh", "start sess_a1_1"]);
    await broker.stop();
  });
});
