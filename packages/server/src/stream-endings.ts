import type { ConnectError } from "@connectrpc/connect";
import { endStreamFlag, endStreamToJson } from "@connectrpc/connect/protocol-connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { specEncodedGrpcMessage } from "./grpc-message-encoding.js";

/** Connect's end-stream message: an envelope flagged end-stream holding JSON with the error, if any. */
export function connectEndStream(error: ConnectError | undefined): Buffer {
  const json = Buffer.from(JSON.stringify(endStreamToJson(new Headers(), error, undefined)));
  const message = Buffer.allocUnsafe(5 + json.length);
  message[0] = endStreamFlag;
  message.writeUInt32BE(json.length, 1);
  json.copy(message, 5);
  return message;
}

/** gRPC trailers for a status, as Connect's gRPC handler writes them (grpc-message percent-encoded per the spec). */
export function grpcStatusTrailers(error: ConnectError | undefined): Record<string, string> {
  if (error === undefined) return { "grpc-status": "0" };
  const trailers = new Headers();
  setTrailerStatus(trailers, error);
  const fields = Object.fromEntries(trailers);
  const message = fields["grpc-message"];
  if (message !== undefined) fields["grpc-message"] = specEncodedGrpcMessage(message);
  return fields;
}
