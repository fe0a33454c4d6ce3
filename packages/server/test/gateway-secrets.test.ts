import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { SecretKeyMismatchError } from "@openaxon/gateway";
import { afterEach, describe, expect, test } from "vitest";
import { allFileBytes, type GatewayHarness, startGatewayHarness } from "./support/gateway-harness.js";

const SECRET = "sk-ant-api03-PLAINTEXT-never-leaves-7f3a9c";

let h: GatewayHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Length-delimited string fields 1, 2, … (short strings only): a CreateSecretRequest by hand. */
function protoStrings(...fields: string[]): Uint8Array {
  return Buffer.concat(
    fields.map((field, i) =>
      Buffer.concat([Buffer.from([((i + 1) << 3) | 2, field.length]), Buffer.from(field)]),
    ),
  );
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error) => ConnectError.from(error),
  );

describe("SecretService", () => {
  test("create, list and delete by id or name; the value is never in a response", async () => {
    h = await startGatewayHarness();
    const { secret } = await h.secrets.createSecret({ name: "anthropic", value: SECRET });
    expect(secret).toMatchObject({ name: "anthropic", id: expect.stringMatching(/^sec_[0-9a-z]{26}$/) });
    expect(secret!.createdAtMs).toBeGreaterThan(0n);
    await h.secrets.createSecret({ name: "github", value: `${SECRET}-2` });
    expect((await h.secrets.listSecrets({})).secrets.map((s) => s.name)).toEqual(["anthropic", "github"]);

    // Raw bytes of every shape of response, both encodings, success and failure.
    const binary = protoStrings("bin", SECRET); // CreateSecretRequest{name, value}
    expect((await h.rawCall("SecretService/CreateSecret", binary, "proto")).status).toBe(200);
    expect((await h.rawCall("SecretService/CreateSecret", { name: "json", value: SECRET })).status).toBe(200);
    expect((await h.rawCall("SecretService/CreateSecret", { name: "json", value: SECRET })).status).toBe(409);
    expect(
      (await h.rawCall("SecretService/CreateSecret", { name: "bad name", value: `${SECRET}\n` })).status,
    ).toBe(400);
    expect((await h.rawCall("SecretService/ListSecrets", {})).text).toContain('"name":"json"');
    for (const text of h.rawResponses) expect(text).not.toContain(SECRET);

    await h.secrets.deleteSecret({ id: secret!.id });
    await h.secrets.deleteSecret({ id: "github" });
    expect((await h.secrets.listSecrets({})).secrets.map((s) => s.name)).toEqual(["bin", "json"]);
    expect((await errorOf(h.secrets.deleteSecret({ id: "github" }))).code).toBe(Code.NotFound);
    expect(h.logs.join("")).not.toContain(SECRET);
  });

  test("precise codes, and no error message quotes the value", async () => {
    h = await startGatewayHarness();
    await h.secrets.createSecret({ name: "k", value: SECRET });
    const duplicate = await errorOf(h.secrets.createSecret({ name: "k", value: SECRET }));
    expect(duplicate.code).toBe(Code.AlreadyExists);
    const invalid = await errorOf(h.secrets.createSecret({ name: "", value: `${SECRET}\r\n` }));
    expect(invalid.code).toBe(Code.InvalidArgument);
    expect(invalid.rawMessage).toMatch(/name is required; value must be printable ASCII/);
    const short = await errorOf(h.secrets.createSecret({ name: "short", value: "abc1234" }));
    expect(short.rawMessage).toMatch(/shorter than 8 characters/);
    expect(short.rawMessage).not.toContain("abc1234");
    expect((await errorOf(h.secrets.deleteSecret({ id: "" }))).code).toBe(Code.InvalidArgument);
    expect((await errorOf(h.secrets.deleteSecret({ id: "sec_0000000000zzzzzzzzzzzzzzzz" }))).code).toBe(
      Code.NotFound,
    );
    for (const error of [duplicate, invalid, short]) expect(error.message).not.toContain(SECRET);
    const logs = h.logs.join("");
    expect(logs).toContain('"rpc":"CreateSecret"');
    expect(logs).toContain('"msg":"secret created"');
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain("abc1234");
  });

  test("a secret used by a runtime cannot be deleted: FAILED_PRECONDITION naming the runtime", async () => {
    const inUse = new Set<string>();
    h = await startGatewayHarness({
      referencedBy: (kind, id) => (kind === "secret" && inUse.has(id) ? ["rt_demo"] : []),
    });
    const { secret } = await h.secrets.createSecret({ name: "k", value: SECRET });
    inUse.add(secret!.id);
    const error = await errorOf(h.secrets.deleteSecret({ id: "k" }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe(
      `secret "k" (${secret!.id}) is used by runtime rt_demo; shut it down first`,
    );
    inUse.clear();
    await h.secrets.deleteSecret({ id: "k" });
  });
});

describe("secrets at rest", () => {
  test("encrypted on disk, readable after a restart with the same key, refused with another", async () => {
    h = await startGatewayHarness();
    const { dataDir, storeDir } = h;
    try {
      await h.secrets.createSecret({ name: "k", value: SECRET });
      expect((await stat(join(dataDir, "secret.key"))).mode & 0o777).toBe(0o600);
      expect(await h.registry.resolveSecretValue("k")).toBe(SECRET);
      await h.stop();

      const onDisk = await allFileBytes(storeDir);
      expect(onDisk.length).toBeGreaterThan(0);
      expect(onDisk.includes(Buffer.from(SECRET))).toBe(false);
      expect(onDisk.includes(Buffer.from("sk-ant-api03"))).toBe(false);
      expect(onDisk.includes(Buffer.from('"name":"k"'))).toBe(true); // the grep does see the records

      h = await startGatewayHarness({ dataDir });
      expect((await h.secrets.listSecrets({})).secrets.map((s) => s.name)).toEqual(["k"]);
      expect(await h.registry.resolveSecretValue("k")).toBe(SECRET);
      await h.close();

      const otherKey = Buffer.alloc(32, 9).toString("base64");
      const error = await startGatewayHarness({ dataDir, env: { OPENAXON_SECRET_KEY: otherKey } }).catch(
        (e) => e,
      );
      h = undefined;
      expect(error).toBeInstanceOf(SecretKeyMismatchError);
      expect(error.message).toMatch(
        /secret key is not the one the stored secrets were sealed with; restore the original OPENAXON_SECRET_KEY/,
      );
      expect(error.message).not.toContain(SECRET);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
