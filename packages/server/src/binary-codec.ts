// Content types whose messages connect encodes with protobuf's binary format: gRPC, gRPC-Web
// (also its base64 "text" variant, which is binary inside) and the Connect protocol's proto codec.
// Anything else — the JSON codecs (application/json, application/connect+json, application/grpc+json,
// application/grpc-web+json) or a missing header (an in-process caller) — is not binary.
const BINARY_CONTENT_TYPE = /^application\/(?:grpc(?:-web(?:-text)?)?(?:\+proto)?|(?:connect\+)?proto)$/i;

/**
 * Whether a request's responses are written with the binary protobuf codec, so pre-encoded bytes
 * (a message's unknown fields) reach the client. JSON codecs drop unknown fields: they must get
 * real messages.
 */
export function usesBinaryCodec(contentType: string | null | undefined): boolean {
  return contentType != null && BINARY_CONTENT_TYPE.test(contentType);
}
