import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness, userEvent } from "./support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "ok",
    (error) => ConnectError.from(error).code,
  );

describe("axons", () => {
  test("create, get and delete", async () => {
    const { axon } = await h.client.createAxon({ name: "demo", labels: { team: "infra" } });
    expect(axon).toMatchObject({ name: "demo", labels: { team: "infra" }, headSequence: 0n });
    expect(axon!.id).toMatch(/^axn_[0-9a-z]{26}$/);
    await h.client.publish({ axonId: axon!.id, ...userEvent(1) });
    expect((await h.client.getAxon({ id: axon!.id })).axon).toMatchObject({ id: axon!.id, headSequence: 1n });
    await h.client.deleteAxon({ id: axon!.id });
    expect(await codeOf(h.client.getAxon({ id: axon!.id }))).toBe(Code.NotFound);
  });

  test("a name is optional; bad labels and malformed ids are INVALID_ARGUMENT", async () => {
    expect((await h.client.createAxon({})).axon?.name).toBe("");
    expect(await codeOf(h.client.createAxon({ name: "n".repeat(257) }))).toBe(Code.InvalidArgument);
    expect(await codeOf(h.client.createAxon({ labels: { "bad key": "v" } }))).toBe(Code.InvalidArgument);
    expect(await codeOf(h.client.getAxon({ id: "" }))).toBe(Code.InvalidArgument);
    expect(await codeOf(h.client.getAxon({ id: "axn_0000000000zzzzzzzzzzzzzzzz" }))).toBe(Code.NotFound);
  });

  test("list pages through every axon exactly once, filtered by name prefix", async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await h.client.createAxon({ name: `page-${i}` })).axon!.id);
    await h.client.createAxon({ name: "other" });
    await h.client.deleteAxon({ id: created[3]! });
    const seen: string[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page = await h.client.listAxons({ namePrefix: "page-", pageSize: 2, pageToken });
      expect(page.axons.length).toBeLessThanOrEqual(2);
      seen.push(...page.axons.map((a) => a.id));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== "");
    expect(seen).toEqual(created.filter((_, i) => i !== 3));
    expect(pages).toBe(3);
  });

  test("page_size 0 means 100 and values above 1000 are clamped; bad tokens are INVALID_ARGUMENT", async () => {
    const page = await h.client.listAxons({ pageSize: 1_000_000 });
    expect(page.axons.length).toBeGreaterThan(0);
    expect(await codeOf(h.client.listAxons({ pageToken: "not-a-token" }))).toBe(Code.InvalidArgument);
  });
});

describe("ListEvents", () => {
  test("pages forward and backward with has_more and the head", async () => {
    const { axon } = await h.client.createAxon({});
    const axonId = axon!.id;
    await h.client.publishBatch({ axonId, events: Array.from({ length: 5 }, (_, i) => userEvent(i + 1)) });
    const first = await h.client.listEvents({ axonId, limit: 2 });
    expect(first.events.map((e) => e.sequence)).toEqual([1n, 2n]);
    expect(first).toMatchObject({ hasMore: true, headSequence: 5n });
    const rest = await h.client.listEvents({ axonId, afterSequence: 2n });
    expect(rest.events.map((e) => e.sequence)).toEqual([3n, 4n, 5n]);
    expect(rest.hasMore).toBe(false);
    const newest = await h.client.listEvents({ axonId, descending: true, limit: 2 });
    expect(newest.events.map((e) => e.sequence)).toEqual([5n, 4n]);
    expect(newest.hasMore).toBe(true);
    const older = await h.client.listEvents({ axonId, descending: true, afterSequence: 4n });
    expect(older.events.map((e) => e.sequence)).toEqual([3n, 2n, 1n]);
    expect(older.hasMore).toBe(false);
    const beyond = await h.client.listEvents({ axonId, afterSequence: 99n });
    expect(beyond).toMatchObject({ events: [], hasMore: false, headSequence: 5n });
  });

  test("limit above 1000 is clamped to 1000", async () => {
    const { axon } = await h.client.createAxon({});
    const axonId = axon!.id;
    for (let i = 0; i < 2; i++) {
      await h.client.publishBatch({ axonId, events: Array.from({ length: 600 }, () => userEvent(i)) });
    }
    const page = await h.client.listEvents({ axonId, limit: 5000 });
    expect(page.events).toHaveLength(1000);
    expect(page.hasMore).toBe(true);
  });
});
