import { rm } from "node:fs/promises";
import { type RealServer, startRealServer } from "@openaxon/client/test-support";
import { makeSelfSignedCert, type SelfSignedCert } from "@openaxon/server/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAxon } from "./support/run-axon.js";

let cert: SelfSignedCert;
let secure: RealServer;
let plain: RealServer;

beforeAll(async () => {
  cert = await makeSelfSignedCert();
  [secure, plain] = await Promise.all([
    startRealServer({ tls: { cert: cert.cert, key: cert.key } }),
    startRealServer(),
  ]);
});

afterAll(async () => {
  await Promise.all([secure?.close(), plain?.close()]);
  await rm(cert.dir, { recursive: true, force: true });
});

describe("axon against an https:// axond (issue 13)", () => {
  it("works with --ca, with OPENAXON_CA and with NODE_EXTRA_CA_CERTS", async () => {
    const created = await runAxon(["--url", secure.url, "--ca", cert.certPath, "create", "--name", "tls"]);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const id = created.stdout.trim();
    const published = await runAxon(["publish", id, "--type", "user.message", '{"content":"over tls"}'], {
      env: { OPENAXON_URL: secure.url, OPENAXON_CA: cert.certPath },
    });
    expect(published).toMatchObject({ code: 0, stderr: "" });
    const events = await runAxon(["--json", "events", id], {
      env: { OPENAXON_URL: secure.url, NODE_EXTRA_CA_CERTS: cert.certPath },
    });
    expect(events.code).toBe(0);
    expect(JSON.parse(events.stdout.trim())).toMatchObject({ payload: { content: "over tls" } });
  });

  it("an untrusted certificate says to pass --ca", async () => {
    const run = await runAxon(["--url", secure.url, "list"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot verify the TLS certificate of ${secure.url}`);
    expect(run.stderr).toContain("--ca FILE");
  });

  it("a scheme that does not match the server names the right URL instead of asking if it runs", async () => {
    const httpToTls = await runAxon(["--url", secure.url.replace("https:", "http:"), "list"]);
    expect(httpToTls.code).toBe(1);
    expect(httpToTls.stderr).toBe(
      `error: ${secure.url.replace("https:", "http:")} is served over TLS: use ${secure.url}\n`,
    );
    const httpsToPlain = await runAxon(["--url", plain.url.replace("http:", "https:"), "list"]);
    expect(httpsToPlain.code).toBe(1);
    expect(httpsToPlain.stderr).toMatch(/answered in cleartext, not TLS: use http:\/\//);
    expect(httpsToPlain.stderr).not.toMatch(/is it running/);
  });

  it("an unreadable --ca file is a usage error", async () => {
    const run = await runAxon(["--url", secure.url, "--ca", `${cert.dir}/missing.pem`, "list"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot read --ca .*missing\.pem: ENOENT/);
  });
});
