import { EventType } from "@openaxon/protocol/vocabulary";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleHarness, startConsoleHarness } from "./console-harness.js";

// Found by CI under load: a message typed while the previous send was still in flight was wiped when
// that send finished, so the second Send sent nothing. Holding the first Publish makes it certain.
describe("console chat: a message typed during a send survives it (issue 11, real Chromium)", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness();
  });
  afterAll(async () => h?.close());

  it("keeps the draft typed while the previous message was being published, and sends it", async () => {
    const axon = await h.client.axons.create({ name: "chat-draft" });
    const page = await h.newPage();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let publishes = 0;
    await page.route("**/openaxon.v1.AxonService/Publish", async (route) => {
      publishes += 1;
      if (publishes === 1) await held;
      await route.continue();
    });
    await page.goto(`${h.url}/axons/${axon.id}`);
    await page.getByText("● live").waitFor();

    const box = page.getByLabel("Message");
    await box.fill("first");
    await page.getByRole("button", { name: "Send" }).click();
    await box.fill("second");
    release();
    // Send is busy until the first publish has answered and the box has been dealt with.
    await page.locator('button[type="submit"][aria-busy="false"]').waitFor();
    expect(await box.inputValue()).toBe("second");

    await page.getByRole("button", { name: "Send" }).click();
    // The box clears once the publish has answered: a round trip, which a loaded CI can stretch past
    // expect.poll's default 1 s.
    await expect.poll(() => box.inputValue(), { timeout: 15_000 }).toBe("");
    const messages = (await h.client.axon(axon.id).events()).events
      .filter((e) => e.eventType === EventType.UserMessage)
      .map((e) => (e.data() as { content: string }).content);
    expect(messages).toEqual(["first", "second"]);
    expect(page.problems).toEqual([]);
  });
});
