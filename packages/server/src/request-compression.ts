import { Code, ConnectError } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { overReadLimitMessage } from "./read-limits.js";

/** The request encodings the server accepts: connect-node's own defaults, named so both sides agree. */
export const ACCEPTED_COMPRESSIONS: readonly Compression[] = [compressionGzip, compressionBrotli];

/**
 * The compression a request's encoding header names: null for none ("identity" or absent),
 * undefined for one the server does not accept (connect answers UNIMPLEMENTED for it).
 */
export function requestCompression(name: string | null): Compression | null | undefined {
  if (name === null || name === "" || name.toLowerCase() === "identity") return null;
  return ACCEPTED_COMPRESSIONS.find((c) => c.name === name);
}

/**
 * `bytes` decompressed, at most `readMaxBytes` long, or why they cannot be: RESOURCE_EXHAUSTED
 * naming the limit when they decompress to more, INVALID_ARGUMENT when they are not valid data in
 * that encoding (connect calls a truncated stream INTERNAL, but it is the client's mistake).
 */
export async function decompressRequest(
  compression: Compression,
  bytes: Uint8Array,
  readMaxBytes: number,
): Promise<Uint8Array | ConnectError> {
  try {
    return await compression.decompress(bytes, readMaxBytes);
  } catch (error) {
    if (ConnectError.from(error).code === Code.ResourceExhausted) {
      return new ConnectError(
        overReadLimitMessage(readMaxBytes, ` once decompressed (${compression.name})`),
        Code.ResourceExhausted,
      );
    }
    const cause = ConnectError.from(error).cause;
    const reason = cause instanceof Error ? cause.message : String(cause ?? error);
    return new ConnectError(
      `the request body is not valid ${compression.name} data (${reason}); was it compressed as its encoding header says?`,
      Code.InvalidArgument,
    );
  }
}
