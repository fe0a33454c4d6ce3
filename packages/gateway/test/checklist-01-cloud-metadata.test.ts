import { afterEach, describe, expect, it } from "vitest";
import { policy, startTestProxy } from "../src/test-support/proxy-harness.js";
import { startFakeUpstream } from "../src/test-support/servers.js";

// Checklist 1: 169.254.169.254 and the other cloud metadata addresses are denied, even when a
// host name resolves to them.
describe("checklist 1: cloud metadata", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  const metadata = ["169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16"];

  it("denies CONNECT and plain HTTP to metadata addresses, without dialling", async () => {
    const t = await startTestProxy();
    cleanups.push(t.close);
    for (const address of metadata) {
      const tunnel = await t.connect(`${address}:80`);
      expect(tunnel.status, address).toBe(403);
      expect(tunnel.response.headers["x-openaxon-egress-rule"]).toBe("deny:cloud-metadata");
      const plain = await t.request(`http://${address}/latest/meta-data/`);
      expect(plain.status, address).toBe(403);
    }
    for (const v6 of ["[fd00:ec2::254]:80", "[::ffff:169.254.169.254]:80", "[64:ff9b::a9fe:a9fe]:80"]) {
      expect((await t.connect(v6)).status, v6).toBe(403);
    }
    expect(t.dialer.dialled).toEqual([]);
  });

  it("denies host names that resolve to a metadata address", async () => {
    const t = await startTestProxy({
      dns: { "metadata.google.internal": ["169.254.169.254"], "innocent.example": ["fd00:ec2::254"] },
    });
    cleanups.push(t.close);
    expect((await t.request("http://metadata.google.internal/computeMetadata/v1/")).status).toBe(403);
    expect((await t.connect("innocent.example:443")).status).toBe(403);
    expect(t.dialer.dialled).toEqual([]);
    const denied = t.access_events().filter((e) => e.type === "gateway.denied");
    expect(denied.map((e) => [e.host, e.address, e.rule])).toEqual([
      ["metadata.google.internal", "169.254.169.254", "deny:cloud-metadata"],
      ["innocent.example", "fd00:ec2::254", "deny:cloud-metadata"],
    ]);
  });

  it("stays denied under allow_all and a CIDR rule covering link-local", async () => {
    const t = await startTestProxy({
      policy: policy({ allowAll: true, allowedCidrs: [{ cidr: "169.254.0.0/16", ports: [] }] }),
    });
    cleanups.push(t.close);
    expect((await t.connect("169.254.169.254:80")).status).toBe(403);
    expect(t.dialer.dialled).toEqual([]);
  });

  it("opens only through a rule naming exactly that address", async () => {
    const stand_in = await startFakeUpstream((_req, res) => res.end("instance-id"));
    cleanups.push(stand_in.close);
    const t = await startTestProxy({
      policy: policy({ allowedCidrs: [{ cidr: "169.254.169.254/32", ports: [{ start: 80, end: 80 }] }] }),
      redirects: { "169.254.169.254:80": stand_in.port },
    });
    cleanups.push(t.close);
    const response = await t.request("http://169.254.169.254/latest/meta-data/instance-id");
    expect(response.status).toBe(200);
    expect(response.body).toContain("instance-id");
    expect(t.dialer.dialled).toEqual(["169.254.169.254:80"]);
  });
});
