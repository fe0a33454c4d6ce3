import { Code, ConnectError } from "@connectrpc/connect";
import { extraInputError } from "./errors.js";

/**
 * The message of a request body that must be exactly one uncompressed envelope (a unary or
 * server-streaming call on the raw HTTP/2 paths), or the error the Connect path gives the same body.
 */
export function singleEnvelopeMessage(body: Buffer): Uint8Array {
  const end = body.length < 5 ? Number.POSITIVE_INFINITY : 5 + body.readUInt32BE(1);
  if (body.length < end) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
  if (body.length > end) throw extraInputError(body.length - end);
  if ((body[0]! & 0x01) === 0x01) {
    throw new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal);
  }
  return body.subarray(5);
}
