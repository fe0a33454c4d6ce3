import { readFileSync } from "node:fs";
import { type AxonClient, createAxonClient } from "@openaxon/client";
import { UsageError } from "./errors.js";
import { type Colors, colorsFor } from "./format/colors.js";
import type { CliIo, LineWriter } from "./io.js";

/** The global flags, as commander parsed them. */
export interface GlobalOptions {
  readonly url: string;
  readonly apiKey?: string;
  /** PEM file of the CA(s) to trust for https:// instead of Node's bundled roots. */
  readonly ca?: string;
  readonly json?: boolean;
}

/** What every command gets: a client, output channels and the output mode. */
export interface CommandContext {
  readonly client: AxonClient;
  readonly url: string;
  readonly json: boolean;
  readonly io: CliIo;
  /** Buffered stdout; commands write results here. */
  readonly out: LineWriter;
  /** Colours for stdout and for stderr (each decided by its own stream). */
  readonly colors: Colors;
  readonly errColors: Colors;
  /** A hint for people on stderr, after any pending stdout lines; never part of a command's result. */
  note(message: string): Promise<void>;
}

export function createContext(options: GlobalOptions, io: CliIo, out: LineWriter): CommandContext {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new UsageError(`--url must be an http(s) URL such as http://127.0.0.1:7433, got "${options.url}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--url must be an http(s) URL, got "${options.url}"`);
  }
  const baseUrl = options.url.replace(/\/+$/, "");
  const ca = options.ca ? readCa(options.ca) : undefined;
  return {
    client: createAxonClient({
      baseUrl,
      apiKey: options.apiKey || undefined,
      source: "cli",
      ...(ca === undefined ? {} : { ca }),
    }),
    url: baseUrl,
    json: options.json === true,
    io,
    out,
    colors: colorsFor(io.stdout, io.env),
    errColors: colorsFor(io.stderr, io.env),
    note: async (message) => {
      await out.flush();
      io.stderr.write(`${message}\n`);
    },
  };
}

function readCa(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read --ca ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}
