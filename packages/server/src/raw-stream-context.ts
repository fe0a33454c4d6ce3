import type { Logger } from "pino";
import type { ServerMetrics } from "./metrics.js";
import type { RequestContext } from "./request-context.js";

/** What a call served on a raw HTTP/2 stream (no Connect) needs to log and count itself like one. */
export interface RawStreamContext {
  readonly logger: Logger;
  readonly metrics?: ServerMetrics;
  readonly call: RequestContext;
}
