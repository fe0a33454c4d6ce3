import { readFile } from "node:fs/promises";
import type { TlsFiles } from "./config.js";
import { StartupError } from "./startup-error.js";

/** Reads the PEM files named by --tls-cert/--tls-key; a missing or unreadable one is the operator's to fix. */
export async function readTlsFiles(files: TlsFiles): Promise<{ cert: Buffer; key: Buffer }> {
  const read = (flag: string, path: string) =>
    readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new StartupError(`cannot read ${flag} ${path}: ${error.code ?? error.message}`);
    });
  return { cert: await read("--tls-cert", files.certPath), key: await read("--tls-key", files.keyPath) };
}
