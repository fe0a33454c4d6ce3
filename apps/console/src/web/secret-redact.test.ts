import { describe, expect, it } from "vitest";
import { redactSecret } from "./secret-redact.js";

describe("redactSecret", () => {
  it("masks every occurrence of the value", () => {
    expect(redactSecret('name "sk-1" must be…; sk-1 again', "sk-1")).toBe('name "•••" must be…; ••• again');
  });
  it("leaves text without the value, and any text when the value is empty, unchanged", () => {
    expect(redactSecret('ALREADY_EXISTS: a secret named "k" already exists', "sk-1")).toBe(
      'ALREADY_EXISTS: a secret named "k" already exists',
    );
    expect(redactSecret("anything", "")).toBe("anything");
  });
});
