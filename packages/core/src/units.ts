/**
 * Human units for sizes and durations on command lines (`--max-bytes 1GiB`, `--max-age 7d`):
 * binary byte units (KiB = 1024, and KB/MB/GB read the same, as disk tools mostly mean) and
 * ms/s/m/h/d/w durations. Pure, so the CLI and axond parse one way.
 */
const BYTE_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** "1GiB", "512MiB", "10 GB", "4096" → bytes; undefined when it is not a size. */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const factor = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** "7d", "12h", "90s", "1500ms", "1h30m" → milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  let total = 0;
  let rest = trimmed;
  while (rest !== "") {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * DURATION_UNITS[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  const ms = Math.round(total);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Bytes in the largest binary unit that keeps the number readable: "1 GiB", "1.5 MiB", "300 B". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, "");
  return `${shown} ${units[unit]}`;
}

/** Milliseconds in the largest whole units: "7d", "1h30m", "1500ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const parts: string[] = [];
  let rest = ms;
  for (const unit of ["w", "d", "h", "m", "s", "ms"] as const) {
    const size = DURATION_UNITS[unit]!;
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count}${unit}`);
      rest -= count * size;
    }
  }
  return parts.join("");
}
