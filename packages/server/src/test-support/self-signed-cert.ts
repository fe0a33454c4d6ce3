import { execFile } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export interface SelfSignedCert {
  /** Directory holding cert.pem and key.pem (the caller removes it). */
  readonly dir: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** PEM text of the certificate, which is also its own CA. */
  readonly cert: string;
  readonly key: string;
}

/**
 * A throwaway certificate for localhost and 127.0.0.1, made by the real `openssl` (tests need
 * no checked-in key). EC P-256: fast to generate.
 */
export async function makeSelfSignedCert(): Promise<SelfSignedCert> {
  const dir = await mkdtemp(join(tmpdir(), "openaxon-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  await promisify(execFile)("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout",
    keyPath,
    "-out",
    certPath,
  ]);
  return {
    dir,
    certPath,
    keyPath,
    cert: await readFile(certPath, "utf8"),
    key: await readFile(keyPath, "utf8"),
  };
}
