import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededRng, systemRng } from "@openaxon/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadOrCreateKey, SecretBox, SecretBoxError } from "./secret-box.js";

const SECRET = "sk-ant-real-secret-value-0123456789";

describe("SecretBox", () => {
  const key = new Uint8Array(32).fill(7);

  it("round-trips and never stores the plaintext", () => {
    const box = new SecretBox(key, seededRng(1));
    const sealed = box.seal(SECRET, "sec_1");
    expect(sealed).not.toContain(SECRET);
    expect(Buffer.from(sealed.slice(3), "base64url").includes(Buffer.from(SECRET))).toBe(false);
    expect(box.open(sealed, "sec_1")).toBe(SECRET);
  });

  it("uses a fresh IV for every seal", () => {
    const box = new SecretBox(key, systemRng);
    expect(box.seal(SECRET)).not.toBe(box.seal(SECRET));
  });

  it("refuses a wrong key, a wrong context or tampering — without leaking anything", () => {
    const sealed = new SecretBox(key, systemRng).seal(SECRET, "sec_1");
    const attempts = [
      () => new SecretBox(new Uint8Array(32).fill(8), systemRng).open(sealed, "sec_1"),
      () => new SecretBox(key, systemRng).open(sealed, "sec_2"),
      () => new SecretBox(key, systemRng).open(`${sealed.slice(0, -2)}AA`, "sec_1"),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(SecretBoxError);
      try {
        attempt();
      } catch (error) {
        expect(String(error)).not.toContain(SECRET);
      }
    }
  });
});

describe("loadOrCreateKey", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "openaxon-key-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("generates secret.key with mode 0600 once and reuses it", async () => {
    const first = await loadOrCreateKey({ dataDir: dir, env: {}, rng: systemRng });
    expect(first.source).toBe("generated");
    expect((await stat(join(dir, "secret.key"))).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateKey({ dataDir: dir, env: {}, rng: systemRng });
    expect(second.source).toBe("file");
    expect(Buffer.from(second.key).equals(Buffer.from(first.key))).toBe(true);
  });

  it("feeds a SecretBox directly, and the same key file opens what it sealed after a restart", async () => {
    const sealed = new SecretBox(
      await loadOrCreateKey({ dataDir: dir, env: {}, rng: systemRng }),
      systemRng,
    ).seal(SECRET, "sec_1");
    const reopened = new SecretBox(
      await loadOrCreateKey({ dataDir: dir, env: {}, rng: systemRng }),
      systemRng,
    );
    expect(reopened.open(sealed, "sec_1")).toBe(SECRET);
  });

  it("prefers OPENAXON_SECRET_KEY and validates it without echoing it", async () => {
    const key = Buffer.alloc(32, 3).toString("base64");
    const loaded = await loadOrCreateKey({ dataDir: dir, env: { OPENAXON_SECRET_KEY: key }, rng: systemRng });
    expect(loaded.source).toBe("env");
    const bad = "c2hvcnQtYnV0LXNlY3JldA==";
    await expect(
      loadOrCreateKey({ dataDir: dir, env: { OPENAXON_SECRET_KEY: bad }, rng: systemRng }),
    ).rejects.toThrow(/32 bytes/);
    await loadOrCreateKey({ dataDir: dir, env: { OPENAXON_SECRET_KEY: bad }, rng: systemRng }).catch(
      (error) => expect(String(error)).not.toContain(bad),
    );
  });

  it("refuses a key file other users can read", async () => {
    const path = join(dir, "secret.key");
    await writeFile(path, `${Buffer.alloc(32, 1).toString("base64")}\n`);
    await chmod(path, 0o644);
    await expect(loadOrCreateKey({ dataDir: dir, env: {}, rng: systemRng })).rejects.toThrow(/chmod 600/);
    expect(await readFile(path, "utf8")).toContain("=");
  });
});
