import { Code, ConnectError } from "@connectrpc/connect";
import { Origin } from "@openaxon/protocol";
import { afterEach, expect, test } from "vitest";
import { type Harness, startHarness } from "./support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "ok",
    (error) => ConnectError.from(error),
  );

test("issue 8: a publish key publishes USER events but not AGENT ones, and cannot delete; a read key only reads", async () => {
  h = await startHarness({
    apiKeys: [
      { key: "publisher", scopes: ["read", "publish"] },
      { key: "reader", scopes: ["read"] },
    ],
  });
  for (const kind of ["grpc-h2", "connect-h1"] as const) {
    const publisher = h.clientFor(kind, "publisher");
    const reader = h.clientFor(kind, "reader");
    const axonId = (await publisher.createAxon({})).axon!.id;
    const user = { axonId, origin: Origin.USER_EVENT, source: "t", eventType: "user.message", payload: "{}" };
    expect(await codeOf(publisher.publish(user))).toBe("ok");
    const forged = await codeOf(
      publisher.publish({ ...user, origin: Origin.AGENT_EVENT, eventType: "turn.completed" }),
    );
    expect(forged).toMatchObject({ code: Code.PermissionDenied });
    expect((forged as ConnectError).rawMessage).toContain('"agent" scope');
    expect(await codeOf(publisher.deleteAxon({ id: axonId }))).toMatchObject({ code: Code.PermissionDenied });
    expect(await codeOf(reader.publish(user))).toMatchObject({ code: Code.PermissionDenied });
    expect(await codeOf(reader.createAxon({}))).toMatchObject({ code: Code.PermissionDenied });
    const { events } = await reader.listEvents({ axonId });
    expect(events.map((e) => e.eventType)).toEqual(["user.message"]);
  }
});
