import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";

/** Requests to RPCs not named in `limits` are capped at this many bytes. */
export const DEFAULT_READ_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Per-RPC caps on a request after decompression: one maximal payload plus framing for Publish (JSON
 * escaping can double a payload), so oversized payloads reach validation and get the precise
 * RESOURCE_EXHAUSTED message; PublishBatch as large as one store batch may be.
 */
export function rpcReadLimits(maxPayloadBytes: number): ReadonlyMap<string, number> {
  const onePayload = 2 * maxPayloadBytes + 1024 * 1024;
  return new Map([
    ["openaxon.v1.AxonService/Publish", onePayload],
    ["openaxon.v1.AxonService/PublishBatch", Math.max(64 * 1024 * 1024, onePayload)],
    // Per message: one Append batch may be as large as a PublishBatch.
    ["openaxon.v1.AxonService/Append", Math.max(64 * 1024 * 1024, onePayload)],
  ]);
}

/**
 * A router that registers each method of a service with its own `readMaxBytes`, the limit on a
 * request message after decompression (connect-node's gunzip stops there: RESOURCE_EXHAUSTED, not
 * memory). `limits` maps "Service/Method" type names to bytes.
 */
export function withReadLimits(router: ConnectRouter, limits: ReadonlyMap<string, number>): ConnectRouter {
  const limited: ConnectRouter = {
    get handlers() {
      return router.handlers;
    },
    service(service: DescService, implementation: Record<string, unknown>, options) {
      for (const method of service.methods) {
        const impl = implementation[method.localName];
        if (typeof impl !== "function") continue; // connect answers UNIMPLEMENTED for unregistered paths
        router.rpc(method as DescMethod, impl.bind(implementation) as never, {
          ...options,
          readMaxBytes: limits.get(`${service.typeName}/${method.name}`) ?? DEFAULT_READ_MAX_BYTES,
        });
      }
      return limited;
    },
    rpc(method, impl, options) {
      router.rpc(method, impl, {
        ...options,
        readMaxBytes: limits.get(`${method.parent.typeName}/${method.name}`) ?? DEFAULT_READ_MAX_BYTES,
      });
      return limited;
    },
  } as ConnectRouter;
  return limited;
}

/**
 * What a client over an RPC's read limit is told: the limit, in bytes and MiB, and what to do. No
 * ";", ":" or "," — @grpc/grpc-js decodes grpc-message with decodeURI, which leaves them escaped.
 */
export function overReadLimitMessage(readMaxBytes: number, how = ""): string {
  const mib = Number((readMaxBytes / (1024 * 1024)).toFixed(1));
  return (
    `the request message is larger than this RPC's limit of ${readMaxBytes} bytes (${mib} MiB)${how}. ` +
    "Store large data elsewhere and send a reference"
  );
}
