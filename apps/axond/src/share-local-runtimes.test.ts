import { describe, expect, it } from "vitest";
import { shareLocalRuntimes } from "./share-local-runtimes.js";

class Records {
  readonly map = new Map<string, unknown>();
  async listRecords<T>(kind: string): Promise<T[]> {
    return [...this.map].filter(([key]) => key.startsWith(`${kind}/`)).map(([, v]) => v as T);
  }
  async getRecord<T>(kind: string, id: string): Promise<T | undefined> {
    return this.map.get(`${kind}/${id}`) as T | undefined;
  }
  async putRecord(kind: string, id: string, value: unknown): Promise<void> {
    this.map.set(`${kind}/${id}`, value);
  }
  async deleteRecord(kind: string, id: string): Promise<void> {
    this.map.delete(`${kind}/${id}`);
  }
}

describe("shareLocalRuntimes (issue 15 upgrade)", () => {
  it("moves runtime records from the data dir into the cluster, never over one already there", async () => {
    const local = new Records();
    const shared = new Records();
    await local.putRecord("runtime", "rt_1", { id: "rt_1", from: "local" });
    await local.putRecord("runtime", "rt_2", { id: "rt_2", from: "local" });
    await local.putRecord("runtime_host", "self", { id: "host_1" });
    await shared.putRecord("runtime", "rt_2", { id: "rt_2", from: "cluster" });
    expect(await shareLocalRuntimes(local, shared)).toBe(1);
    expect(await shared.getRecord("runtime", "rt_1")).toEqual({ id: "rt_1", from: "local" });
    expect(await shared.getRecord("runtime", "rt_2")).toEqual({ id: "rt_2", from: "cluster" });
    expect([...local.map.keys()]).toEqual(["runtime_host/self"]);
    expect(await shareLocalRuntimes(local, shared)).toBe(0);
  });
});
