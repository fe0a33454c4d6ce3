import { parseByteSize, parseDuration } from "@openaxon/core";
import { InvalidArgumentError } from "commander";
import { split } from "shlex";
import { UsageError } from "./errors.js";

/** Commander argument parser for sequences and limits. */
export function parseNonNegativeInt(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new InvalidArgumentError(`${flag} must be a non-negative integer.`);
    }
    return Number(value);
  };
}

/** `--max-bytes 1GiB`: binary units (KiB, MiB, GiB, TiB; KB/MB/GB read the same); 0 turns the limit off. */
export function parseSizeFlag(flag: string) {
  return (value: string): number => {
    const bytes = parseByteSize(value);
    if (bytes === undefined)
      throw new InvalidArgumentError(`${flag} takes a size such as 1GiB, 500MiB or 4096.`);
    return bytes;
  };
}

/** `--max-age 7d`: ms, s, m, h, d, w, combinable (1h30m); 0 turns the limit off. */
export function parseDurationFlag(flag: string) {
  return (value: string): number => {
    const ms = value.trim() === "0" ? 0 : parseDuration(value);
    if (ms === undefined)
      throw new InvalidArgumentError(`${flag} takes a duration such as 7d, 12h or 1h30m.`);
    return ms;
  };
}

/** Collects repeated `--label key=value` flags. */
export function collectLabel(value: string, labels: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError("--label takes key=value.");
  return { ...labels, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Collects a repeated flag into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Checks a payload locally so a typo is a clear message, not a server round trip. Returns the
 * text unchanged: the server stores exactly what was given.
 */
export function validatePayload(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `invalid JSON payload: ${reason}\n  the payload must be JSON, e.g. axon publish ID --type user.message '{"content":"hi"}'`,
    );
  }
}

/** Collects repeated `--env KEY=VALUE` (or `--header K=V`) flags; `flag` names the flag in errors. */
export function collectKeyValue(flag: string) {
  return (value: string, previous: Record<string, string> = {}): Record<string, string> => {
    const at = value.indexOf("=");
    if (at <= 0) throw new InvalidArgumentError(`${flag} takes KEY=VALUE, got "${value}".`);
    return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
  };
}

/** Whole seconds for lifecycle flags (uint32 on the wire). */
export function parseSeconds(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) > 0xffff_ffff) {
      throw new InvalidArgumentError(`${flag} takes whole seconds, e.g. ${flag} 300.`);
    }
    return Number(value);
  };
}

export interface GatewayBindingArg {
  readonly prefix: string;
  readonly gateway: string;
  readonly secret: string;
}

/** Collects `--gateway PREFIX=GATEWAY:SECRET` (ids or names; neither contains ":"). */
export function collectGatewayBinding(
  value: string,
  previous: Record<string, { gateway: string; secret: string }> = {},
): Record<string, { gateway: string; secret: string }> {
  const match = /^([^=]+)=([^:]+):(.+)$/.exec(value);
  if (!match) {
    throw new InvalidArgumentError(
      `--gateway takes PREFIX=GATEWAY:SECRET, e.g. --gateway GWS_ANTHROPIC=anthropic:anthropic-key (got "${value}").`,
    );
  }
  const [, prefix, gateway, secret] = match as unknown as [string, string, string, string];
  if (previous[prefix]) throw new InvalidArgumentError(`--gateway ${prefix} is given twice.`);
  return { ...previous, [prefix]: { gateway, secret } };
}

export interface PortRangeArg {
  readonly start: number;
  readonly end: number;
}

export interface CidrRuleArg {
  readonly cidr: string;
  readonly ports: PortRangeArg[];
}

function parsePorts(text: string, whole: string): PortRangeArg[] {
  return text.split(",").map((part) => {
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    const start = Number(match?.[1]);
    const end = match?.[2] === undefined ? start : Number(match[2]);
    if (!match || start < 1 || end > 65535 || end < start) {
      throw new InvalidArgumentError(
        `--allow-cidr ports must be N or N-M between 1 and 65535, comma-separated (got "${whole}").`,
      );
    }
    return { start, end };
  });
}

/**
 * Collects `--allow-cidr CIDR[:PORTS]`: `10.0.0.0/8`, `10.0.0.0/8:443,8000-8080`,
 * `fd00::/8:443` (ports follow the prefix length), `[::1]:8080` or `127.0.0.1:8080` (one address).
 * The server validates the address itself.
 */
export function collectCidrRule(value: string, previous: CidrRuleArg[] = []): CidrRuleArg[] {
  let cidr = value;
  let ports: PortRangeArg[] = [];
  const withPrefix = /^(.+\/\d{1,3}):([\d,-]+)$/.exec(value);
  const bracketed = /^\[([^\]]+)\](?::([\d,-]+))?$/.exec(value);
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):([\d,-]+)$/.exec(value);
  if (withPrefix) {
    cidr = withPrefix[1] as string;
    ports = parsePorts(withPrefix[2] as string, value);
  } else if (bracketed) {
    cidr = bracketed[1] as string;
    ports = bracketed[2] === undefined ? [] : parsePorts(bracketed[2], value);
  } else if (ipv4WithPort) {
    cidr = ipv4WithPort[1] as string;
    ports = parsePorts(ipv4WithPort[2] as string, value);
  }
  if (cidr === "") throw new InvalidArgumentError("--allow-cidr needs an address or CIDR.");
  return [...previous, { cidr, ports }];
}

export interface AuthArg {
  readonly type: "header" | "bearer" | "basic";
  readonly key: string;
}

/** `--auth header:NAME`, `--auth bearer` or `--auth basic:USER`. */
export function parseAuth(value: string): AuthArg {
  const at = value.indexOf(":");
  const type = at < 0 ? value : value.slice(0, at);
  const key = at < 0 ? "" : value.slice(at + 1);
  if (type === "bearer" && key === "") return { type, key };
  if ((type === "header" || type === "basic") && key !== "") return { type, key };
  throw new InvalidArgumentError(
    `--auth takes header:NAME (e.g. header:x-api-key), bearer, or basic:USER (got "${value}").`,
  );
}

/** An MCP server from `--mcp-stdio` / `--mcp-http`, before `--mcp-env` / `--mcp-header` join it. */
export type McpServerArg =
  | { readonly type: "stdio"; readonly name: string; readonly command: string; readonly args: string[] }
  | { readonly type: "http"; readonly name: string; readonly url: string };

/**
 * Collects `--mcp-stdio NAME=COMMAND [ARG...]` (split on blanks: an argument with spaces needs the
 * API) and `--mcp-http NAME=URL` into one ordered list; a name may be used once.
 */
export function collectMcpServer(type: "stdio" | "http") {
  const flag = `--mcp-${type}`;
  return (value: string, previous: McpServerArg[] = []): McpServerArg[] => {
    const at = value.indexOf("=");
    const name = value.slice(0, at).trim();
    const rest = value.slice(at + 1).trim();
    if (at <= 0 || name === "" || rest === "") {
      throw new InvalidArgumentError(
        type === "stdio"
          ? `${flag} takes NAME=COMMAND [ARGS...], e.g. ${flag} "tools=npx -y @acme/mcp-tools" (got "${value}").`
          : `${flag} takes NAME=URL, e.g. ${flag} 'tools=\${GWS_TOOLS_URL}/mcp' (got "${value}").`,
      );
    }
    if (previous.some((s) => s.name === name))
      throw new InvalidArgumentError(`MCP server ${name} is given twice.`);
    if (type === "http") return [...previous, { type, name, url: rest }];
    const [command, ...args] = rest.split(/\s+/) as [string, ...string[]];
    return [...previous, { type, name, command, args }];
  };
}

/** Collects `--mcp-env SERVER:KEY=VALUE` / `--mcp-header SERVER:NAME=VALUE` per server name. */
export function collectMcpSetting(flag: string) {
  return (
    value: string,
    previous: Record<string, Record<string, string>> = {},
  ): Record<string, Record<string, string>> => {
    const match = /^([^:=]+):([^=]+)=(.*)$/s.exec(value);
    if (!match) {
      const reference = "$" + "{GWS_TOOLS}"; // a binding reference, shown literally
      const example =
        flag === "--mcp-header" ? `Authorization=Bearer ${reference}` : `API_TOKEN=${reference}`;
      throw new InvalidArgumentError(
        `${flag} takes SERVER:KEY=VALUE, e.g. ${flag} 'tools:${example}' (got "${value}").`,
      );
    }
    const [, server, key, setting] = match as unknown as [string, string, string, string];
    return { ...previous, [server]: { ...previous[server], [key]: setting } };
  };
}

/**
 * `--before-suspend 'git commit -qam wip'`: a hook's command line split the way a POSIX shell
 * splits words (quotes group, backslashes escape) into the argv the server runs without a shell.
 * Nothing is expanded: for pipes or `$VAR`, write `sh -c '…'`.
 */
export function parseHookCommand(flag: string) {
  return (value: string): string[] => {
    let argv: string[];
    try {
      argv = split(value);
    } catch {
      throw new InvalidArgumentError(`${flag}: a quote is left open (or a backslash ends it).`);
    }
    if (argv.length === 0)
      throw new InvalidArgumentError(`${flag} needs a command, e.g. ${flag} 'git commit -qam wip'.`);
    return argv;
  };
}

/** `--hook-deadline 30s`: a duration from 1ms to 10m. */
export function parseHookDeadline(flag: string) {
  return (value: string): number => {
    const ms = parseDuration(value);
    if (ms === undefined || ms < 1 || ms > 600_000) {
      throw new InvalidArgumentError(`${flag} takes a duration from 1ms to 10m, e.g. ${flag} 30s.`);
    }
    return ms;
  };
}
