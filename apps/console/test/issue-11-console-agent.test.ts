import { fileURLToPath } from "node:url";
import { EventType } from "@openaxon/protocol/vocabulary";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleHarness, startConsoleHarness } from "./console-harness.js";

/** A jsonl agent that asks permission before writing and holds a turn on "wait" (see the file). */
const AGENT = fileURLToPath(new URL("./fixtures/scripted-agent.mjs", import.meta.url));

describe("console: a real agent's permission requests, running and queued turns (issue 11, real Chromium)", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness({ runtimes: true, gateway: true });
  });
  afterAll(async () => h?.close());

  /** A runtime whose mount asks the axon for every permission: the console answers. */
  async function agentOn(name: string) {
    const axon = await h.client.axons.create({ name });
    await h.client.runtimes.create({
      mounts: [
        {
          axonId: axon.id,
          protocol: "stdio",
          agentBinary: process.execPath,
          launchArgs: ["--jsonl", AGENT],
          permissionPolicy: "ask",
        },
      ],
    });
    return axon;
  }

  async function openLive(page: Page, axonId: string) {
    await page.goto(`${h.url}/axons/${axonId}`);
    await page.getByText("● live").waitFor();
  }

  async function chat(page: Page, text: string) {
    await page.getByLabel("Message").fill(text);
    await page.getByRole("button", { name: "Send" }).click();
  }

  it("a permission request allowed from the UI reaches the agent, and the turn completes", async () => {
    const axon = await h.client.axons.create({ name: "permission-allow" });
    const page = await h.newPage();
    // The runtime is created in the UI, with the "ask" permission policy.
    await page.goto(`${h.url}/runtimes`);
    await page.getByLabel("Axon id").fill(axon.id);
    await page.getByLabel("Agent").fill(process.execPath);
    await page.getByLabel("Args").fill(`--jsonl ${AGENT}`);
    await page.getByLabel("Permission policy").selectOption("ask");
    await page.getByRole("button", { name: "Create runtime" }).click();
    await page.locator("tr", { hasText: axon.id }).getByText("running").waitFor();
    const [runtime] = (await h.client.runtimes.list()).filter((r) => r.mounts[0]?.axonId === axon.id);
    expect(runtime?.mounts[0]?.permissionPolicy).toBe("ask");

    await openLive(page, axon.id);
    await chat(page, "write notes.md");
    const request = page.locator('[data-kind="permission"]', { hasText: "Write notes.md" });
    await request.getByRole("button", { name: "Allow" }).waitFor({ timeout: 10_000 });
    // The agent waits: its tool call is pending and the turn has not ended.
    expect(await page.locator('[data-kind="tool"] .status').textContent()).toBe("pending");
    expect(await page.locator('[data-kind="turn-end"]').count()).toBe(0);
    await h.screenshot(page, "permission-pending", { docs: "permission" });

    await request.getByRole("button", { name: "Allow" }).click();
    await request.getByText("Allowed (Allow once)").waitFor();
    await page.locator('[data-kind="tool"] .status', { hasText: "completed" }).waitFor({ timeout: 10_000 });
    await page.locator('[data-kind="text"]', { hasText: "Written." }).waitFor();
    await page.locator('[data-kind="turn-end"]', { hasText: "end_turn" }).waitFor();
    // The tool row shows its kind and how long it ran.
    expect(await page.locator('[data-kind="tool"]').textContent()).toMatch(
      /edit\s*Write notes\.md\s*completed\s*\d/,
    );

    const events = (await h.client.axon(axon.id).events({ limit: 100 })).events;
    const answer = events.find((e) => e.eventType === EventType.PermissionResponse);
    expect(answer?.origin).toBe("user");
    expect(answer?.data()).toMatchObject({ option_id: "allow" });
    expect(events.at(-1)?.eventType).toBe(EventType.TurnCompleted);
    await h.screenshot(page, "permission-allowed", { docs: "timeline" });
    expect(page.problems).toEqual([]);
  });

  it("a permission request denied from the UI: the agent is told, its tool fails, the turn still completes", async () => {
    const axon = await agentOn("permission-deny");
    const page = await h.newPage();
    await openLive(page, axon.id);
    await chat(page, "write secrets.txt");
    const request = page.locator('[data-kind="permission"]', { hasText: "Write secrets.txt" });
    await request.getByRole("button", { name: "Deny" }).click({ timeout: 10_000 });
    await request.getByText("Denied (Reject)").waitFor();
    await page.locator('[data-kind="tool"] .status', { hasText: "failed" }).waitFor({ timeout: 10_000 });
    await page.locator('[data-kind="text"]', { hasText: "Not written: permission denied." }).waitFor();
    await page.locator('[data-kind="turn-end"]', { hasText: "end_turn" }).waitFor();
    const answer = (await h.client.axon(axon.id).events({ limit: 100 })).events.find(
      (e) => e.eventType === EventType.PermissionResponse,
    );
    expect(answer?.data()).toMatchObject({ option_id: "reject" });
    expect(page.problems).toEqual([]);
  });

  it("a turn the agent fails, and one it crashes in, are shown as failed with their reasons; the next turn runs", async () => {
    const axon = await agentOn("failing");
    const page = await h.newPage();
    await openLive(page, axon.id);

    // The agent reports the failure itself and stays up.
    await chat(page, "fail");
    const reported = page.locator('[data-kind="turn-end"]', { hasText: "model quota exhausted (scripted)" });
    await reported.waitFor({ timeout: 10_000 });
    expect(await reported.locator(".turn-failed").textContent()).toMatch(/^turn_\d+ failed: /);
    await page.locator('[data-kind="text"]', { hasText: "trying…" }).waitFor();

    // The agent dies mid-turn: the turn fails with its exit status, and the broker restarts the
    // agent for the next turn. (Its stderr arrives as agent.log events, and its tail in the error.)
    await chat(page, "crash");
    const crashed = page.locator('[data-kind="turn-end"]', { hasText: "exited with code 3" });
    await crashed.waitFor({ timeout: 10_000 });
    // Its stderr is inline, just above the failed turn.
    await page.getByText("scripted crash: segfault in the tokenizer").waitFor();
    expect(await crashed.locator(".turn-failed").textContent()).toMatch(/^turn_\d+ failed: /);
    await h.screenshot(page, "turn-failed");
    await chat(page, "after");
    await page.locator('[data-kind="text"]', { hasText: "you said: after" }).waitFor({ timeout: 15_000 });

    const ends = (await h.client.axon(axon.id).events({ limit: 100 })).events.filter(
      (e) => e.eventType === EventType.TurnFailed || e.eventType === EventType.TurnCompleted,
    );
    expect(ends.map((e) => e.eventType)).toEqual([
      EventType.TurnFailed,
      EventType.TurnFailed,
      EventType.TurnCompleted,
    ]);
    // Each failed row shows the error the broker recorded, word for word.
    expect(await reported.textContent()).toContain((ends[0]!.data() as { error: string }).error);
    expect(await crashed.textContent()).toContain((ends[1]!.data() as { error: string }).error);
    expect(page.problems).toEqual([]);
  });

  it("chat shows the running turn and the queued ones, and cancels each", async () => {
    const axon = await agentOn("queue");
    const page = await h.newPage();
    await openLive(page, axon.id);
    await chat(page, "wait");
    await page.locator('[data-kind="text"]', { hasText: "working on it" }).waitFor({ timeout: 10_000 });
    const running = (await h.client.axon(axon.id).events()).events.find(
      (e) => e.eventType === EventType.TurnStarted,
    );
    const runningTurn = String((running?.data() as { turn_id?: string } | undefined)?.turn_id);
    await page.getByText(`running: ${runningTurn}`).waitFor();

    await chat(page, "second");
    await chat(page, "third");
    const queued = page.getByRole("list", { name: "Queued turns" });
    await queued.locator("li", { hasText: "third" }).waitFor();
    const ids = await queued.locator("li[data-turn]").evaluateAll((lis) => lis.map((li) => li.dataset.turn));
    expect(ids).toHaveLength(2);
    await h.screenshot(page, "chat-queued");

    // Cancel the queued "second": it ends as cancelled without ever starting.
    await queued.getByRole("button", { name: `Cancel ${ids[0]}` }).click();
    await queued.locator("li", { hasText: "second" }).waitFor({ state: "detached" });
    // Cancel the running turn: the agent stops it, and "third" runs next.
    await page.getByRole("button", { name: "Cancel turn", exact: true }).click();
    await page.locator('[data-kind="text"]', { hasText: "you said: third" }).waitFor({ timeout: 10_000 });
    await queued.waitFor({ state: "detached" });

    const ends = (await h.client.axon(axon.id).events({ limit: 100 })).events
      .filter((e) => e.eventType === EventType.TurnCompleted)
      .map((e) => e.data() as { turn_id: string; stop_reason: string });
    expect(ends).toEqual([
      { turn_id: ids[0], stop_reason: "cancelled" },
      { turn_id: runningTurn, stop_reason: "cancelled" },
      { turn_id: ids[1], stop_reason: "end_turn" },
    ]);
    expect(page.problems).toEqual([]);
  });
});
