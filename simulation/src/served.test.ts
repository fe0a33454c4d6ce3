import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { EventsTrimmedSchema } from "@openaxon/protocol";
import { expect, it } from "vitest";
import { servedBy, trimmedAnswerProblem, trimmedBy } from "./served.js";

it("reads what a Subscribe frame, a ListEvents page and a GetAxon answer serve", () => {
  const event = (sequence: number) => ({ axonId: "axn_1", sequence: BigInt(sequence) });
  expect(servedBy({ kind: { case: "events", value: { events: [event(3), event(4)] } } }).events).toEqual([
    { axonId: "axn_1", sequence: 3 },
    { axonId: "axn_1", sequence: 4 },
  ]);
  expect(servedBy({ events: [event(7)], hasMore: false }).events).toEqual([{ axonId: "axn_1", sequence: 7 }]);
  expect(servedBy({ axon: { id: "axn_1", firstSequence: 5n, headSequence: 9n } })).toEqual({
    events: [],
    axon: { id: "axn_1", firstSequence: 5, headSequence: 9 },
  });
  expect(servedBy({ kind: { case: "caughtUp", value: { headSequence: 9n } } })).toEqual({ events: [] });
});

it("finds the EventsTrimmed detail of an OUT_OF_RANGE, and nothing in other errors", () => {
  const detail = create(EventsTrimmedSchema, { axonId: "axn_1", firstSequence: 5n, requestedSequence: 2n });
  const error = new ConnectError("trimmed", Code.OutOfRange, undefined, [
    { desc: EventsTrimmedSchema, value: detail },
  ]);
  expect(trimmedBy(error)).toEqual({ firstSequence: 5, requestedSequence: 2 });
  expect(trimmedBy(new ConnectError("trimmed", Code.OutOfRange))).toBeUndefined();
  expect(trimmedBy(new ConnectError("down", Code.Unavailable))).toBeUndefined();
});

it("accepts a trimmed answer only between the line when asked and the durable line on arrival", () => {
  const lines = { atSend: 3, atArrival: 5 };
  expect(trimmedAnswerProblem({ firstSequence: 4, requestedSequence: 2 }, lines)).toBeUndefined();
  expect(trimmedAnswerProblem({ firstSequence: 5, requestedSequence: 4 }, lines)).toBeUndefined();
  expect(trimmedAnswerProblem({ firstSequence: 4, requestedSequence: 4 }, lines)).toMatch(
    /names 4 as trimmed/,
  );
  expect(trimmedAnswerProblem({ firstSequence: 6, requestedSequence: 2 }, lines)).toMatch(
    /durable trim line is 5/,
  );
  expect(trimmedAnswerProblem({ firstSequence: 2, requestedSequence: 1 }, lines)).toMatch(
    /below the trim line 3/,
  );
});
