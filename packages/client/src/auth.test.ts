import { describe, expect, it } from "vitest";
import { createAxonClient } from "./axon-client.js";
import { FakeAxonService } from "./test-support/fake-axon-service.js";

describe("API key", () => {
  it("is sent as a bearer token on a caller-provided transport", async () => {
    const fake = new FakeAxonService();
    fake.append(1);
    const client = createAxonClient({ transport: fake.transport(), apiKey: "k_secret" });
    for await (const _event of client.axon(fake.axonId).subscribe()) break;
    expect(fake.subscribeCalls[0]?.authorization).toBe("Bearer k_secret");
  });

  it("is absent when none is configured", async () => {
    const fake = new FakeAxonService();
    fake.append(1);
    const client = createAxonClient({ transport: fake.transport() });
    for await (const _event of client.axon(fake.axonId).subscribe()) break;
    expect(fake.subscribeCalls[0]?.authorization).toBeNull();
  });
});
