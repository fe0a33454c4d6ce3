import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { softwareUnderTmp } from "./software-under-tmp.js";

describe("softwareUnderTmp", () => {
  it("keeps the /tmp directory holding the agent (also behind a symlink) and nothing else", () => {
    const checkout = mkdtempSync("/tmp/openaxon-checkout-");
    try {
      mkdirSync(join(checkout, "pkg"));
      writeFileSync(join(checkout, "pkg", "agent.js"), "");
      const link = join(checkout, "agent");
      symlinkSync(join(checkout, "pkg", "agent.js"), link);
      expect(softwareUnderTmp([link, "/usr/bin/node"])).toEqual([checkout]);
      expect(softwareUnderTmp(["/usr/local/bin/claude-code-acp", "/usr/bin/node"])).toEqual([]);
      expect(softwareUnderTmp(["/tmpfoo/bin/x"])).toEqual([]);
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});
