import { isUtf8 } from "node:buffer";
import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

/**
 * Why `bytes` is not a well-formed binary `desc` message, naming the field ("Type.field: reason"),
 * or undefined when it is. Checks what protobuf-es does not, or reports badly: a known field sent
 * with another wire type (protobuf-es reads it as its own type regardless and may succeed with
 * garbage), a string that is not UTF-8, and a message cut short. Allocates no messages: a valid
 * request costs one pass over its bytes. Unknown fields are skipped, as protobuf allows.
 */
export function binaryWireProblem(bytes: Uint8Array, desc: DescMessage): string | undefined {
  try {
    return messageProblem(new BinaryReader(bytes), bytes.length, desc, desc.typeName, 0);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `${desc.typeName}: malformed protobuf (${reason}); is the message truncated or not ${desc.typeName}?`;
  }
}

/** Deeper nesting is left to protobuf-es, which enforces its own recursion limit. */
const MAX_DEPTH = 100;

function messageProblem(
  reader: BinaryReader,
  end: number,
  desc: DescMessage,
  path: string,
  depth: number,
): string | undefined {
  if (depth > MAX_DEPTH) {
    reader.pos = end;
    return undefined;
  }
  const byNumber = fieldsByNumber(desc);
  while (reader.pos < end) {
    const [number, wireType] = reader.tag();
    const field = byNumber.get(number);
    if (field === undefined) {
      reader.skip(wireType, number);
      continue;
    }
    const fieldPath = `${path}.${field.name}`;
    const expected = expectedWireTypes(field);
    if (!expected.includes(wireType)) {
      return `${fieldPath}: wrong wire type ${WireType[wireType] ?? wireType} (field ${number} expects ${expected.map((w) => WireType[w]).join(" or ")})`;
    }
    const problem = valueProblem(reader, field, wireType, fieldPath, depth);
    if (problem !== undefined) return problem;
    if (reader.pos > end) throw new Error("premature EOF");
  }
  return undefined;
}

function valueProblem(
  reader: BinaryReader,
  field: DescField,
  wireType: WireType,
  path: string,
  depth: number,
): string | undefined {
  if (wireType !== WireType.LengthDelimited) {
    reader.skip(wireType, field.number);
    return undefined;
  }
  const value = reader.bytes();
  switch (field.fieldKind) {
    case "scalar":
      return field.scalar === ScalarType.STRING && !validUtf8(value)
        ? `${path}: string is not valid UTF-8`
        : undefined;
    case "list":
      if (field.listKind === "message") return nestedProblem(value, field.message, path, depth);
      return field.listKind === "scalar" && field.scalar === ScalarType.STRING && !validUtf8(value)
        ? `${path}: string is not valid UTF-8`
        : undefined; // a packed list of numbers: its varints are not checked
    case "message":
      return nestedProblem(value, field.message, path, depth);
    case "map":
      return mapEntryProblem(value, field, path, depth);
    default:
      return undefined;
  }
}

function nestedProblem(
  bytes: Uint8Array,
  desc: DescMessage,
  path: string,
  depth: number,
): string | undefined {
  return messageProblem(new BinaryReader(bytes), bytes.length, desc, path, depth + 1);
}

function mapEntryProblem(
  bytes: Uint8Array,
  field: DescField & { fieldKind: "map" },
  path: string,
  depth: number,
) {
  const reader = new BinaryReader(bytes);
  while (reader.pos < bytes.length) {
    const [number, wireType] = reader.tag();
    if (wireType !== WireType.LengthDelimited || (number !== 1 && number !== 2)) {
      reader.skip(wireType, number);
      continue;
    }
    const value = reader.bytes();
    if (number === 1 && field.mapKey === ScalarType.STRING && !validUtf8(value)) {
      return `${path}: map key is not valid UTF-8`;
    }
    if (number === 2 && field.mapKind === "message") {
      const problem = nestedProblem(value, field.message, `${path}[…]`, depth);
      if (problem !== undefined) return problem;
    }
    if (
      number === 2 &&
      field.mapKind === "scalar" &&
      field.scalar === ScalarType.STRING &&
      !validUtf8(value)
    ) {
      return `${path}: map value is not valid UTF-8`;
    }
  }
  return undefined;
}

/** Short ASCII strings (ids, types, sources) are the common case: a JS loop beats the native call. */
function validUtf8(bytes: Uint8Array): boolean {
  if (bytes.length > 64) return isUtf8(bytes);
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return isUtf8(bytes);
  return true;
}

const byNumberCache = new WeakMap<DescMessage, Map<number, DescField>>();

function fieldsByNumber(desc: DescMessage): Map<number, DescField> {
  let map = byNumberCache.get(desc);
  if (map === undefined) {
    map = new Map(desc.fields.map((f) => [f.number, f]));
    byNumberCache.set(desc, map);
  }
  return map;
}

const expectedCache = new WeakMap<DescField, readonly WireType[]>();

function expectedWireTypes(field: DescField): readonly WireType[] {
  let expected = expectedCache.get(field);
  if (expected === undefined) {
    expected = computeExpected(field);
    expectedCache.set(field, expected);
  }
  return expected;
}

function computeExpected(field: DescField): readonly WireType[] {
  switch (field.fieldKind) {
    case "scalar":
      return [scalarWireType(field.scalar)];
    case "enum":
      return [WireType.Varint];
    case "message":
      return [field.delimitedEncoding ? WireType.StartGroup : WireType.LengthDelimited];
    case "map":
      return [WireType.LengthDelimited];
    case "list": {
      if (field.listKind === "message") {
        return [field.delimitedEncoding ? WireType.StartGroup : WireType.LengthDelimited];
      }
      const element = field.listKind === "enum" ? WireType.Varint : scalarWireType(field.scalar);
      // Parsers must accept numeric lists both packed and unpacked, whatever the declaration says.
      return element === WireType.LengthDelimited ? [element] : [element, WireType.LengthDelimited];
    }
  }
}

function scalarWireType(scalar: ScalarType): WireType {
  switch (scalar) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    default:
      return WireType.Varint;
  }
}
