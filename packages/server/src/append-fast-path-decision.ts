import type { IncomingHttpHeaders } from "node:http2";
import { plainBinaryProtocol, type StreamProtocol } from "./plain-binary-protocol.js";

export const APPEND_PATH = "/openaxon.v1.AxonService/Append";

/**
 * The protocol of an Append call the raw path takes — POST, plain binary gRPC or Connect (no
 * deadline, no compression), no Origin (browsers have no bidi streams; their requests need CORS
 * answers), no `Expect` — or undefined to leave it to Connect, which answers everything else.
 */
export function decideAppendFastPath(headers: IncomingHttpHeaders): StreamProtocol | undefined {
  if (headers[":method"] !== "POST" || headers[":path"] !== APPEND_PATH) return undefined;
  if (headers.origin !== undefined || headers.expect !== undefined) return undefined;
  return plainBinaryProtocol(headers);
}
