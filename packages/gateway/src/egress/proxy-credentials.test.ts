import { seededRng } from "@openaxon/core";
import { describe, expect, it } from "vitest";
import { ProxyCredentials } from "./proxy-credentials.js";

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("ProxyCredentials", () => {
  it("identifies the runtime from its own credential only", () => {
    const credentials = new ProxyCredentials(seededRng(1));
    const a = credentials.issue("rt_a");
    const b = credentials.issue("rt_b");
    expect(credentials.verify(basic(a.username, a.password))).toBe("rt_a");
    expect(credentials.verify(basic("rt_a", b.password))).toBeUndefined();
    expect(credentials.verify(basic("rt_c", a.password))).toBeUndefined();
    expect(credentials.verify(undefined)).toBeUndefined();
    expect(credentials.verify(`Bearer ${a.password}`)).toBeUndefined();
  });

  it("reissuing or revoking invalidates the old credential", () => {
    const credentials = new ProxyCredentials(seededRng(2));
    const first = credentials.issue("rt_a");
    const second = credentials.issue("rt_a");
    expect(credentials.verify(basic("rt_a", first.password))).toBeUndefined();
    expect(credentials.verify(basic("rt_a", second.password))).toBe("rt_a");
    credentials.revoke("rt_a");
    expect(credentials.verify(basic("rt_a", second.password))).toBeUndefined();
  });
});
