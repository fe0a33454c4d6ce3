import { createCipheriv, createDecipheriv } from "node:crypto";
import { mkdir, open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Rng } from "@openaxon/core";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Decryption failed: wrong key, wrong context, or tampered data. Carries no detail on purpose. */
export class SecretBoxError extends Error {
  constructor(message = "secret cannot be decrypted (wrong key or corrupted data)") {
    super(message);
    this.name = "SecretBoxError";
  }
}

/**
 * Encrypts secret values at rest with AES-256-GCM. Each value gets a fresh 96-bit IV; the
 * `context` (e.g. the secret's id) is authenticated as associated data, so a sealed value copied
 * onto another record fails to open instead of yielding the wrong secret.
 */
export class SecretBox {
  readonly #key: Buffer;

  /** Takes the 32-byte key, or what `loadOrCreateKey` returns: `new SecretBox(await loadOrCreateKey(…), rng)`. */
  constructor(
    key: Uint8Array | Pick<LoadedKey, "key">,
    private readonly rng: Rng,
  ) {
    const bytes = key instanceof Uint8Array ? key : key.key;
    if (bytes.length !== 32) throw new Error("the secret key must be 32 bytes");
    this.#key = Buffer.from(bytes);
  }

  /** Seals `plaintext`; the result is printable: `v1.<base64url(iv | tag | ciphertext)>`. */
  seal(plaintext: string, context = ""): string {
    const iv = Buffer.from(this.rng.bytes(IV_BYTES));
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64url")}`;
  }

  /** Opens what `seal` produced with the same context; throws SecretBoxError otherwise. */
  open(sealed: string, context = ""): string {
    const [version, body] = sealed.split(".");
    if (version !== VERSION || body === undefined) throw new SecretBoxError("unknown sealed secret format");
    const bytes = Buffer.from(body, "base64url");
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError();
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      throw new SecretBoxError();
    }
  }
}

export const SECRET_KEY_ENV = "OPENAXON_SECRET_KEY";
export const SECRET_KEY_FILE = "secret.key";

export interface LoadKeyOptions {
  readonly dataDir: string;
  /** Default process.env; `OPENAXON_SECRET_KEY` (base64 of 32 bytes) wins over the key file. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Draws a new key when there is none yet. */
  readonly rng: Rng;
}

export interface LoadedKey {
  readonly key: Uint8Array;
  readonly source: "env" | "file" | "generated";
  /** The key file, when the key came from (or was written to) one. */
  readonly path?: string;
}

/**
 * The key that encrypts secrets at rest: from `OPENAXON_SECRET_KEY`, else `<dataDir>/secret.key`,
 * else a new random key written there with mode 0600. An existing key file readable by group or
 * others is refused rather than trusted. Errors never include key material.
 */
export async function loadOrCreateKey(options: LoadKeyOptions): Promise<LoadedKey> {
  const env = options.env ?? process.env;
  const fromEnv = env[SECRET_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== "") {
    return {
      key: decodeKey(fromEnv, `${SECRET_KEY_ENV} must be the base64 encoding of 32 bytes`),
      source: "env",
    };
  }
  const path = join(options.dataDir, SECRET_KEY_FILE);
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) {
      throw new Error(`${path} is accessible by other users; run: chmod 600 ${path}`);
    }
    const text = await readFile(path, "utf8");
    return {
      key: decodeKey(text.trim(), `${path} does not hold a base64 32-byte key`),
      source: "file",
      path,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const key = options.rng.bytes(32);
  // "wx": never overwrite a key another process created meanwhile; 0600 from the first byte.
  const handle = await open(path, "wx", 0o600).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === "EEXIST") return undefined;
    throw error;
  });
  if (!handle) return loadOrCreateKey(options);
  try {
    await handle.writeFile(`${Buffer.from(key).toString("base64")}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { key, source: "generated", path };
}

function decodeKey(text: string, message: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new Error(message);
  const key = Buffer.from(text, "base64");
  if (key.length !== 32) throw new Error(message);
  return new Uint8Array(key);
}
