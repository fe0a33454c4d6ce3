import { EventType, Origin, turnIdFor } from "@openaxon/protocol/vocabulary";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleHarness, startConsoleHarness } from "./console-harness.js";

describe("console: live timeline of an axon (issue 11, real Chromium)", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness();
  });
  afterAll(async () => h?.close());

  /** What a broker, runtime or gateway writes: SYSTEM origin, which clients may not publish. */
  const system = (axonId: string, eventType: string, payload: object) =>
    h.store.append(axonId, [
      { origin: Origin.System, source: "broker", eventType, payload: JSON.stringify(payload) },
    ]);
  const agent = (axonId: string, eventType: string, payload: object) =>
    h.client.axon(axonId).publish({ eventType, payload, origin: "agent", source: "agent" });

  it("draws a turn live — prompt, coalesced Markdown, tool call, permission answered in place, stop reason", async () => {
    const axon = await h.client.axons.create({ name: "timeline" });
    const page = await h.newPage();
    await page.goto(`${h.url}/axons/${axon.id}`);
    await page.getByText("● live").waitFor();

    const { sequence: prompt } = await h.client
      .axon(axon.id)
      .publish({ eventType: EventType.UserMessage, payload: { content: "Fix the build" } });
    const turn_id = turnIdFor(prompt);
    await system(axon.id, EventType.TurnStarted, { turn_id, trigger_sequence: prompt });
    await agent(axon.id, EventType.TurnMessageChunk, { turn_id, text: "I'll **fix** it" });
    await agent(axon.id, EventType.TurnMessageChunk, { turn_id, text: ":\n\n- step one\n- step two" });
    // Live: the coalesced, rendered text shows within a second of the publish.
    await page.locator('[data-kind="text"] li', { hasText: "step two" }).waitFor({ timeout: 1_000 });
    expect(await page.locator('[data-kind="text"]').count()).toBe(1);
    expect(await page.locator('[data-kind="text"] strong').textContent()).toBe("fix");

    const call = { turn_id, tool_call_id: "t1", title: "Run npm test", kind: "execute", status: "pending" };
    await agent(axon.id, EventType.TurnToolCall, call);
    await agent(axon.id, EventType.TurnToolCallUpdate, { turn_id, tool_call_id: "t1", status: "completed" });
    await system(axon.id, EventType.TurnPermissionRequest, {
      turn_id,
      request_id: "perm_1",
      tool_call: { tool_call_id: "t2", title: "Write src/index.ts", kind: "edit", status: "pending" },
      options: [
        { option_id: "allow", name: "Allow once", kind: "allow_once" },
        { option_id: "reject", name: "Reject", kind: "reject_once" },
      ],
    });
    await system(axon.id, EventType.RuntimeSuspended, { runtime_id: "rt_1", reason: "idle for 60s" });
    await system(axon.id, EventType.GatewayDenied, {
      runtime_id: "rt_1",
      host: "evil.example",
      port: 443,
      reason: "not in policy",
    });
    const tool = page.locator('[data-kind="tool"]');
    await tool.getByText("completed").waitFor();
    expect(await tool.textContent()).toContain("Run npm test");
    expect(await tool.textContent()).toContain("execute");
    await page.getByText("evil.example:443").waitFor();
    await page.getByText("idle for 60s").waitFor();

    await page.locator('[data-kind="permission"]').getByRole("button", { name: "Allow" }).click();
    await page.getByText("Allowed (Allow once)").waitFor();
    const log = (await h.client.axon(axon.id).events({ limit: 100 })).events;
    const answer = log.find((e) => e.eventType === EventType.PermissionResponse);
    expect(answer?.origin).toBe("user");
    expect(answer?.data()).toEqual({ request_id: "perm_1", option_id: "allow" });

    await system(axon.id, EventType.TurnCompleted, { turn_id, stop_reason: "end_turn" });
    await page.locator('[data-kind="turn-end"]', { hasText: "end_turn" }).waitFor();

    // Any row opens its raw events: sequence, time, origin, source, type and the payload.
    await tool.click();
    const raw = page.getByLabel("Raw events");
    await raw.getByText('"tool_call_id": "t1"').first().waitFor();
    const rawText = (await raw.textContent()) ?? "";
    expect(rawText).toContain("turn.tool_call_update");
    expect(rawText).toContain("agent");
    await h.screenshot(page, "timeline-turn");
    expect(page.problems).toEqual([]);
  });

  it("renders agent Markdown sanitised: an <img onerror>, a <script> and a javascript: link never run", async () => {
    const axon = await h.client.axons.create({ name: "xss" });
    const turn_id = "turn_1";
    await agent(axon.id, EventType.TurnMessageChunk, {
      turn_id,
      text:
        'Look: <img src="x" onerror="window.__xss = 1"> <script>window.__xss = 2</script>\n\n' +
        '[click me](javascript:window.__xss=3) <a href="javascript:window.__xss=4">me too</a> ' +
        '<iframe src="javascript:window.parent.__xss=5"></iframe> **still bold**',
    });
    const page = await h.newPage();
    await page.goto(`${h.url}/axons/${axon.id}`);
    const text = page.locator('[data-kind="text"]');
    await text.locator("strong", { hasText: "still bold" }).waitFor();
    await text.getByText("click me").click();
    await text.getByText("me too").click();
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    // The DOM itself is clean, not merely blocked by the CSP.
    expect(await text.locator("script, iframe, [onerror]").count()).toBe(0);
    for (const href of await text.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))) {
      expect(href ?? "").not.toMatch(/^javascript:/i);
    }
    await h.screenshot(page, "timeline-xss");
  });

  it("chat: sends a user.message and cancels the running turn", async () => {
    const axon = await h.client.axons.create({ name: "chat" });
    const page = await h.newPage();
    await page.goto(`${h.url}/axons/${axon.id}`);
    await page.getByText("● live").waitFor();
    await page.getByLabel("Message").fill("Say hi");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator('[data-kind="prompt"]', { hasText: "Say hi" }).waitFor();
    const [message] = (await h.client.axon(axon.id).events()).events;
    expect(message?.eventType).toBe(EventType.UserMessage);
    expect(message?.origin).toBe("user");
    expect(message?.data()).toEqual({ content: "Say hi" });

    const cancel = page.getByRole("button", { name: "Cancel turn", exact: true });
    expect(await cancel.isDisabled()).toBe(true);
    await system(axon.id, EventType.TurnStarted, { turn_id: turnIdFor(1), trigger_sequence: 1 });
    await page.getByText(`running: ${turnIdFor(1)}`).waitFor();
    await cancel.click();
    await page.locator('[data-kind="event"]', { hasText: `cancel ${turnIdFor(1)}` }).waitFor();
    const events = (await h.client.axon(axon.id).events()).events;
    expect(events.at(-1)?.eventType).toBe(EventType.TurnCancel);
    expect(events.at(-1)?.data()).toEqual({ turn_id: turnIdFor(1) });
    expect(page.problems).toEqual([]);
  });

  /** `total` events straight into the store; every 100th a gateway audit event, the rest `build.step`. */
  async function fill(axonId: string, total: number) {
    for (let first = 0; first < total; first += 1_000) {
      await h.store.append(
        axonId,
        Array.from({ length: 1_000 }, (_, i) => ({
          origin: Origin.External,
          source: "load",
          // Every 100th is a gateway audit event, for the filter below.
          ...((first + i + 1) % 100 === 0
            ? {
                eventType: EventType.GatewayAllowed,
                payload: JSON.stringify({
                  runtime_id: "rt_1",
                  host: "registry.npmjs.org",
                  port: 443,
                  reason: "policy",
                }),
              }
            : { eventType: "build.step", payload: JSON.stringify({ n: first + i + 1 }) }),
        })),
      );
    }
  }

  it("opens a 100k-event axon virtualised at its tail; scroll to the top and back, jump, filter, 'N new events'", async () => {
    const axon = await h.client.axons.create({ name: "big" });
    const total = 100_000;
    await fill(axon.id, total);
    const page = await h.newPage();
    await page.goto(`${h.url}/axons/${axon.id}`);
    await page.getByText("● live").waitFor({ timeout: 90_000 });
    await page.locator(`[data-seq="${total}"]`).waitFor();
    // Only the rows on screen (plus overscan) are in the DOM.
    expect(await page.locator(".item").count()).toBeLessThan(100);
    await h.screenshot(page, "timeline-big-tail");

    // The keyboard scrolls the whole log: Home to the first event, End back to the tail.
    await page.locator(`[data-seq="${total}"]`).focus();
    await page.keyboard.press("Home");
    await page.locator('[data-seq="1"]').waitFor();
    await page.keyboard.press("End");
    await page.locator(`[data-seq="${total}"]`).waitFor();

    // The reader scrolling up (not the timeline's own scrolls) stops the follow.
    await page.getByTestId("timeline").hover();
    await page.mouse.wheel(0, -3_000);
    await page.locator(`[data-seq="${total}"]`).waitFor({ state: "detached" });
    await h.client
      .axon(axon.id)
      .publish({ eventType: "build.step", payload: { n: "while reading" }, origin: "external" });
    await page.getByRole("button", { name: "1 new event ↓" }).click();
    await page.locator(`[data-seq="${total + 1}"]`).waitFor();

    await page.getByLabel("Jump to sequence").fill("1234");
    await page.getByRole("button", { name: "Go" }).click();
    await page.locator('[data-seq="1234"]').waitFor();
    expect(page.url()).toMatch(/#1234$/);

    // Scrolled away from the tail: new events are counted, not scrolled to.
    await h.client
      .axon(axon.id)
      .publish({ eventType: "build.step", payload: { n: "late" }, origin: "external" });
    await h.client
      .axon(axon.id)
      .publish({ eventType: "build.step", payload: { n: "later" }, origin: "external" });
    await page.getByRole("button", { name: "2 new events ↓" }).click();
    await page.locator(`[data-seq="${total + 3}"]`).waitFor();

    await page.getByLabel("Filter by event type").fill("gateway.");
    await page.locator(`[data-seq="${total - 100}"]`).waitFor();
    const types = await page.locator(".item .type").allTextContents();
    expect(new Set(types)).toEqual(new Set(["gateway.allowed"]));
    await h.screenshot(page, "timeline-big-filtered");
    expect(page.problems).toEqual([]);
  }, 150_000); // loading 100k events through a shared 2-core runner; not a speed assertion

  it("a deep link to an event opens the axon scrolled to it", async () => {
    const axon = await h.client.axons.create({ name: "linked" });
    await fill(axon.id, 5_000);
    const page = await h.newPage();
    await page.goto(`${h.url}/axons/${axon.id}#4321`);
    await page.locator('[data-seq="4321"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-seq="5000"]').count()).toBe(0);
    expect(page.problems).toEqual([]);
  });

  it("keyboard: ↓/↑ move between events, Enter opens one, Escape closes it, / filters; origin filter; dark theme", async () => {
    const axon = await h.client.axons.create({ name: "keys" });
    for (const n of [1, 2, 3]) {
      await h.client.axon(axon.id).publish({ eventType: "build.step", payload: { n }, origin: "external" });
    }
    await h.client.axon(axon.id).publish({ eventType: EventType.UserMessage, payload: { content: "hi" } });
    const page = await h.newPage();
    await page.goto(`${h.url}/axons/${axon.id}`);
    await page.locator('[data-seq="4"]').waitFor();

    await page.getByTestId("timeline").focus();
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-seq"))).toBe("1");
    await page.keyboard.press("j");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("k");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-seq"))).toBe("2");
    await page.keyboard.press("Enter");
    const raw = page.getByLabel("Raw events");
    await raw.getByText('"n": 2').waitFor();
    await page.keyboard.press("Escape");
    await raw.waitFor({ state: "detached" });

    await page.keyboard.press("/");
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label")))
      .toBe("Filter by event type");
    await page.getByLabel("Filter by origin").selectOption("user");
    await page.locator('[data-seq="1"]').waitFor({ state: "detached" });
    expect(await page.locator(".item .origin").allTextContents()).toEqual(["user"]);
    await page.getByLabel("Filter by origin").selectOption("");

    // The theme button pins dark (kept for the next visit), then light, then back to the system's.
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await page.getByRole("button", { name: /^Theme: auto/ }).click();
    await expect.poll(background).toBe("rgb(20, 22, 26)");
    await page.locator('[data-seq="2"]').click();
    await h.screenshot(page, "timeline-dark", { docs: "timeline-dark" });
    await page.reload();
    await page.locator('[data-seq="4"]').waitFor();
    expect(await background()).toBe("rgb(20, 22, 26)");
    await page.getByRole("button", { name: /^Theme: dark/ }).click();
    await expect.poll(background).toBe(light);
    await page.getByRole("button", { name: /^Theme: light/ }).click();
    expect(page.problems).toEqual([]);
  });
});
