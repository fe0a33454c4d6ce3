import { afterEach, expect, test } from "vitest";
import { follow } from "./support/follow.js";
import { type Harness, startHarness } from "./support/harness.js";

// Issue 8 (leftover): each Subscribe stream listens to the server's shutdown signal, so closing a
// server with more than 10 open streams printed a MaxListenersExceededWarning (a false leak alarm).

let h: Harness | undefined;
const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
afterEach(async () => {
  process.off("warning", onWarning);
  await h?.close();
  h = undefined;
});

test("closing with 40 open Subscribe streams ends them all with no MaxListenersExceededWarning", async () => {
  process.on("warning", onWarning);
  h = await startHarness();
  const axonId = (await h.client.createAxon({})).axon!.id;
  const followers = Array.from({ length: 40 }, () => follow(h!.client, { axonId }));
  await Promise.all(
    followers.map((f) => f.waitFor((x) => x.frames.some((fr) => fr.kind.case === "caughtUp"))),
  );
  await h.server.close();
  await Promise.all(followers.map((f) => f.done));
  expect(followers.every((f) => f.ended)).toBe(true);
  // Warnings are emitted on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
});
