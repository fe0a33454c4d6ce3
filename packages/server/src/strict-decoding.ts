import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { currentRequest, newRequestContext, runInRequest } from "./request-context.js";

/**
 * Why this exists: connect-es (2.1–2.3) decodes JSON requests before interceptors run, accepts
 * invalid UTF-8 (replaced by U+FFFD) and integers like "0x10" (protobuf-es passes them to
 * BigInt/Number).
 *
 * The hook below runs inside connect's own decoding (jsonOptions.textDecoder, which connect
 * documents as replaceable). On bad input it records the reason for the current request and
 * hands connect an empty message instead; the
 * interceptor then fails the RPC with INVALID_ARGUMENT before any handler sees it, inside the
 * logging interceptor, so the RPC is logged like any other.
 */
/**
 * Runs one HTTP request's handling with its RPC's input type known to the decoding hooks. The state
 * lives in the request's context (request-context.ts), which the server has entered already.
 */
export function withStrictDecoding<T>(input: DescMessage | undefined, run: () => T): T {
  const call = currentRequest();
  if (call !== undefined) {
    call.decoding = { input };
    return run();
  }
  const fresh = newRequestContext(undefined);
  fresh.decoding = { input };
  return runInRequest(fresh, run);
}

/**
 * Records why the current request cannot be decoded (the first reason wins); the interceptor
 * below then fails the RPC with `code`. False outside a request started by withStrictDecoding.
 */
export function refuseCurrentRequest(problem: string, code: Code = Code.InvalidArgument): boolean {
  const request = currentRequest()?.decoding;
  if (request === undefined) return false;
  request.problem ??= new ConnectError(problem, code);
  return true;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Pass as connect's jsonOptions (the type there omits textDecoder, which connect does read). */
export const strictJsonOptions = {
  textDecoder: {
    decode(bytes?: Uint8Array): string {
      const request = currentRequest()?.decoding;
      const decoded = decodeJson(bytes ?? new Uint8Array(0), request?.input);
      if (decoded.problem === undefined) return decoded.text;
      if (!refuseCurrentRequest(decoded.problem))
        throw new ConnectError(decoded.problem, Code.InvalidArgument);
      return "{}";
    },
  },
};

/** The body's text (decoded once), or why it is refused. */
function decodeJson(
  bytes: Uint8Array,
  input: DescMessage | undefined,
): { text: string; problem?: undefined } | { problem: string } {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { problem: "the request body is not valid UTF-8 JSON" };
  }
  if (input === undefined) return { text };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { text }; // connect reports JSON syntax errors itself, as INVALID_ARGUMENT
  }
  const problem = looseValue(input, json, input.typeName);
  return problem === undefined ? { text } : { problem };
}

const INTEGER_TYPES = new Set([
  ScalarType.INT32,
  ScalarType.UINT32,
  ScalarType.SINT32,
  ScalarType.FIXED32,
  ScalarType.SFIXED32,
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);
/** ProtoJSON allows integers as decimal strings (exponent notation too), not hex, octal or padding. */
const DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function looseScalar(type: ScalarType, value: unknown, path: string): string | undefined {
  if (typeof value !== "string") return undefined;
  if (INTEGER_TYPES.has(type) && !DECIMAL.test(value)) {
    return `${path}: ${JSON.stringify(value)} is not a decimal integer`;
  }
  if (type === ScalarType.STRING && !(value as string & { isWellFormed(): boolean }).isWellFormed()) {
    return `${path}: the string contains an unpaired surrogate (\\uD800–\\uDFFF escape)`;
  }
  return undefined;
}

/** The first field whose JSON value protobuf-es would accept loosely, as "path: reason". */
function looseValue(desc: DescMessage, json: unknown, path: string): string | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const object = json as Record<string, unknown>;
  for (const field of desc.fields) {
    const value = object[field.jsonName] ?? object[field.name];
    if (value === undefined || value === null) continue;
    const problem = looseField(field, value, `${path}.${field.name}`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function looseField(field: DescField, value: unknown, path: string): string | undefined {
  switch (field.fieldKind) {
    case "scalar":
      return looseScalar(field.scalar, value, path);
    case "message":
      return looseValue(field.message, value, path);
    case "list":
      if (!Array.isArray(value)) return undefined;
      for (const [i, item] of value.entries()) {
        const problem =
          field.listKind === "scalar"
            ? looseScalar(field.scalar, item, `${path}[${i}]`)
            : field.listKind === "message"
              ? looseValue(field.message, item, `${path}[${i}]`)
              : undefined;
        if (problem !== undefined) return problem;
      }
      return undefined;
    case "map":
      if (typeof value !== "object" || Array.isArray(value)) return undefined;
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        const problem =
          looseScalar(field.mapKey, key, `${path}[${key}]`) ??
          (field.mapKind === "scalar"
            ? looseScalar(field.scalar, item, `${path}[${key}]`)
            : field.mapKind === "message"
              ? looseValue(field.message, item, `${path}[${key}]`)
              : undefined);
        if (problem !== undefined) return problem;
      }
      return undefined;
    default:
      return undefined;
  }
}

function refuseIfUndecodable(): void {
  const problem = currentRequest()?.decoding?.problem;
  if (problem !== undefined) throw problem;
}

/** Fails an RPC whose request the hooks above refused; put it after the logging interceptor. */
export function strictDecodingInterceptor(): Interceptor {
  return (next) => async (request) => {
    if (!request.stream) {
      refuseIfUndecodable();
      return next(request);
    }
    const messages = request.message;
    // Streaming requests are decoded lazily, as the handler reads them.
    async function* checked() {
      for await (const message of messages) {
        refuseIfUndecodable();
        yield message;
      }
    }
    return next({ ...request, message: checked() });
  };
}
