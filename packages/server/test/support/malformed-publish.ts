import { create, toBinary } from "@bufbuild/protobuf";
import { PublishRequestSchema } from "@openaxon/protocol";
import { type Harness, userEvent } from "./harness.js";

export const concat = (...parts: ArrayLike<number>[]) =>
  Buffer.concat(parts.map((p) => Buffer.from(p as Uint8Array)));

/** Each case appends a bad field to an otherwise valid PublishRequest (a later field wins in protobuf). */
export const BAD = [
  {
    name: "a truncated varint",
    suffix: [0x38, 0xff],
    message: /PublishRequest.*malformed protobuf.*premature EOF/,
  },
  {
    // protobuf-es alone would read this varint 0 as an empty string and accept the request.
    name: "a string field sent with the varint wire type",
    suffix: [0x18, 0x00],
    message: /PublishRequest\.source: wrong wire type Varint .*LengthDelimited/,
  },
  {
    name: "invalid UTF-8 in a string field",
    suffix: [0x1a, 0x02, 0xff, 0xfe],
    message: /PublishRequest\.source: string is not valid UTF-8/,
  },
] as const;

/** An axon holding one event, and a valid binary PublishRequest for it. */
export async function publishedAxon(harness: Harness) {
  const axonId = (await harness.client.createAxon({})).axon!.id;
  await harness.client.publish({ axonId, ...userEvent("first") });
  const valid = toBinary(PublishRequestSchema, create(PublishRequestSchema, { axonId, ...userEvent("x") }));
  return { axonId, valid };
}
