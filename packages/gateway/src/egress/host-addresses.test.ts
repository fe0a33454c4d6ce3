import { describe, expect, it } from "vitest";
import { hostAddresses } from "./host-addresses.js";
import { formatIp } from "./ip-address.js";

describe("hostAddresses", () => {
  it("lists this machine's interface addresses, loopback included", () => {
    expect(hostAddresses().map(formatIp)).toContain("127.0.0.1");
  });
});
