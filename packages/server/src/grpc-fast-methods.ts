import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { AxonService, CreateAxonRequestSchema, CreateAxonResponseSchema } from "@openaxon/protocol";
import type { LogStore } from "@openaxon/store";
import type { Principal } from "./api-keys.js";
import { binaryWireProblem } from "./binary-wire-problem.js";
import type { GrpcFastMethod } from "./grpc-fast-path-decision.js";
import type { GrpcUnaryMethod } from "./grpc-unary-stream.js";
import { decodePublishBatchRequest, encodePublishBatchResponseEnvelope } from "./publish-batch-wire.js";
import { decodePublishRequest, encodePublishResponseEnvelope } from "./publish-wire.js";
import type { ScopedRequest } from "./required-scope.js";
import { scopeError } from "./scope-interceptor.js";
import { axonToProto } from "./to-proto.js";
import { validateCreateAxon } from "./validate-axon.js";
import { validatePublishBatchRequest, validatePublishRequest } from "./validate-publish.js";

export interface GrpcFastMethodsOptions {
  readonly store: LogStore;
  readonly maxPayloadBytes: number;
  /** Read limit per method (read-limits.ts). */
  readonly readMaxBytes: (method: GrpcFastMethod) => number;
}

/**
 * Publish, PublishBatch and CreateAxon for the gRPC fast path, each doing what Connect does for the
 * same bytes, in the same order: decode (wire problems are INVALID_ARGUMENT), the key's scope
 * (PERMISSION_DENIED), validation, the store, the response message. Publish and PublishBatch use
 * hand-written codecs (their hot path); CreateAxon uses protobuf-es, as Connect does, since its
 * response (an Axon with a label map) is not worth a second encoder.
 */
export function grpcFastMethods(
  options: GrpcFastMethodsOptions,
): ReadonlyMap<GrpcFastMethod, GrpcUnaryMethod> {
  const { store, maxPayloadBytes } = options;
  const admit = (principal: Principal, method: GrpcFastMethod, message: ScopedRequest | undefined) => {
    const error = scopeError(principal, AxonService.typeName, method, message);
    if (error) throw error;
  };
  const methods: GrpcUnaryMethod[] = [
    {
      name: "Publish",
      readMaxBytes: options.readMaxBytes("Publish"),
      async call(message, principal) {
        const fields = decodePublishRequest(message);
        admit(principal, "Publish", fields);
        const { axonId, events, options: append } = validatePublishRequest(fields, maxPayloadBytes);
        const result = await store.append(axonId, events, append);
        return encodePublishResponseEnvelope(result.firstSequence, result.timestampMs, result.duplicate);
      },
      axonIdOf: (message) => quietly(() => decodePublishRequest(message).axonId),
    },
    {
      name: "PublishBatch",
      readMaxBytes: options.readMaxBytes("PublishBatch"),
      async call(message, principal) {
        const fields = decodePublishBatchRequest(message);
        admit(principal, "PublishBatch", fields);
        const { axonId, events, options: append } = validatePublishBatchRequest(fields, maxPayloadBytes);
        const result = await store.append(axonId, events, append);
        return encodePublishBatchResponseEnvelope(
          result.firstSequence,
          result.lastSequence,
          result.timestampMs,
          result.duplicate,
        );
      },
      axonIdOf: (message) => quietly(() => decodePublishBatchRequest(message).axonId),
    },
    {
      name: "CreateAxon",
      readMaxBytes: options.readMaxBytes("CreateAxon"),
      async call(message, principal) {
        const problem = binaryWireProblem(message, CreateAxonRequestSchema);
        if (problem !== undefined) throw new ConnectError(problem, Code.InvalidArgument);
        const request = fromBinary(CreateAxonRequestSchema, message);
        admit(principal, "CreateAxon", undefined); // its scope does not depend on the message
        const axon = await store.createAxon(validateCreateAxon(request));
        return envelope(
          toBinary(CreateAxonResponseSchema, create(CreateAxonResponseSchema, { axon: axonToProto(axon) })),
        );
      },
      axonIdOf: () => undefined,
    },
  ];
  return new Map(methods.map((method) => [method.name, method]));
}

/** The axon id of a failed request, for its log line (decoded again: failures only). */
function quietly(axonId: () => string): string | undefined {
  try {
    return axonId() || undefined;
  } catch {
    return undefined;
  }
}

function envelope(message: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(5 + message.length);
  buf[0] = 0;
  buf.writeUInt32BE(message.length, 1);
  buf.set(message, 5);
  return buf;
}
