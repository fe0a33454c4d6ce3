// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} binding references are what these tests are about.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bindingVariableNames,
  type McpServerSpec,
  mcpServersError,
  modelError,
  resolveMcpServers,
} from "./mcp-servers.js";

const bindings = bindingVariableNames(["GWS_TOOLS"]);
const stdio = (overrides: Partial<Extract<McpServerSpec, { type: "stdio" }>> = {}): McpServerSpec => ({
  type: "stdio",
  name: "tools",
  command: "node",
  args: [],
  env: {},
  ...overrides,
});
const http = (overrides: Partial<Extract<McpServerSpec, { type: "http" }>> = {}): McpServerSpec => ({
  type: "http",
  name: "remote",
  url: "https://mcp.example.com/mcp",
  headers: {},
  ...overrides,
});
const check = (servers: McpServerSpec[], protocol: "acp" | "claude-code" | "stdio" | "pi" = "acp") =>
  mcpServersError(servers, protocol, bindings, "mounts[0]");

describe("mcpServersError", () => {
  it("accepts stdio and http servers whose values reference the runtime's bindings", () => {
    expect(
      check([
        stdio({ args: ["--token=${GWS_TOOLS}"], env: { API_URL: "${GWS_TOOLS_URL}" } }),
        http({ url: "${GWS_TOOLS_URL}/mcp", headers: { Authorization: "Bearer ${GWS_TOOLS}" } }),
      ]),
    ).toBeUndefined();
  });

  it("names the exact field of each mistake", () => {
    expect(check([stdio({ name: "has space" })])).toMatch(/^mounts\[0\]\.mcp_servers\[0\]\.name "has space"/);
    expect(check([stdio(), stdio()])).toMatch(/^mounts\[0\]\.mcp_servers\[1\]\.name tools is used twice/);
    expect(check([stdio({ command: " " })])).toMatch(
      /^mounts\[0\]\.mcp_servers\[0\]\.stdio\.command is required/,
    );
    expect(check([stdio({ env: { "A=B": "x" } })])).toMatch(/^mounts\[0\]\.mcp_servers\[0\]\.stdio\.env: /);
    expect(check([stdio(), http({ url: "ftp://x/" })])).toMatch(
      /^mounts\[0\]\.mcp_servers\[1\]\.http\.url "ftp:\/\/x\/" must be an http\(s\) URL/,
    );
    expect(check([http({ url: "not a url" })])).toMatch(/http\.url/);
    expect(check([http({ headers: { "Bad Header": "x" } })])).toMatch(/http\.headers: "Bad Header"/);
    expect(check([http({ headers: { "X-A": "a\r\nInjected: 1" } })])).toMatch(/CR, LF or NUL/);
  });

  it("refuses a reference to anything but a binding variable: nothing would expand it", () => {
    expect(check([http({ headers: { Authorization: "Bearer ${GITHUB_TOKEN}" } })])).toBe(
      "mounts[0].mcp_servers[0].http.headers.Authorization refers to ${GITHUB_TOKEN}, which is not a gateway binding variable of this runtime (known: GWS_TOOLS, GWS_TOOLS_URL)",
    );
    expect(check([stdio({ env: { TOKEN: "${OTHER}" } })])).toMatch(/stdio\.env\.TOKEN refers to \$\{OTHER\}/);
    expect(mcpServersError([stdio({ args: ["${X}"] })], "acp", new Set(), "mounts[2]")).toMatch(
      /^mounts\[2\]\.mcp_servers\[0\]\.stdio\.args\[0\] refers to \$\{X\}.*none: the runtime has no gateway bindings/,
    );
  });

  it("refuses MCP servers on a stdio mount, which has no way to pass them on", () => {
    expect(check([stdio()], "stdio")).toMatch(/^mounts\[0\]\.mcp_servers: a stdio agent has no channel/);
    expect(check([stdio()], "pi")).toMatch(/^mounts\[0\]\.mcp_servers: Pi has no MCP client/);
    expect(check([], "stdio")).toBeUndefined();
    expect(check([stdio()], "claude-code")).toBeUndefined();
  });
});

describe("modelError", () => {
  it("accepts model ids and aliases, refuses blanks and control characters", () => {
    expect(modelError(undefined, "mounts[0]")).toBeUndefined();
    expect(modelError("claude-sonnet-4-5", "mounts[0]")).toBeUndefined();
    expect(modelError("openai/gpt-5:high", "mounts[0]")).toBeUndefined();
    expect(modelError("two words", "mounts[1]")).toMatch(
      /^mounts\[1\]\.model "two words" must be printable ASCII/,
    );
    expect(modelError("", "mounts[0]")).toMatch(/^mounts\[0\]\.model/);
    expect(modelError("x".repeat(257), "mounts[0]")).toMatch(/longer than 256/);
  });
});

describe("resolveMcpServers", () => {
  const variables = { GWS_TOOLS: "gws_token", GWS_TOOLS_URL: "http://127.0.0.1:9/b/bnd_1" };

  it("expands binding references in args, env, url and headers; names and commands stay", () => {
    const [a, b] = resolveMcpServers(
      [
        stdio({ command: "${GWS_TOOLS}", args: ["--url", "${GWS_TOOLS_URL}"], env: { T: "${GWS_TOOLS}" } }),
        http({ url: "${GWS_TOOLS_URL}/mcp", headers: { Authorization: "Bearer ${GWS_TOOLS}" } }),
      ],
      variables,
    );
    expect(a).toEqual(
      stdio({
        command: "${GWS_TOOLS}",
        args: ["--url", "http://127.0.0.1:9/b/bnd_1"],
        env: { T: "gws_token" },
      }),
    );
    expect(b).toEqual(
      http({ url: "http://127.0.0.1:9/b/bnd_1/mcp", headers: { Authorization: "Bearer gws_token" } }),
    );
  });

  it("leaves no reference to a binding unexpanded and changes nothing else", () => {
    const literal = fc.string().filter((s) => !s.includes("${"));
    const part = fc.oneof(literal, fc.constantFrom("${GWS_TOOLS}", "${GWS_TOOLS_URL}"));
    fc.assert(
      fc.property(fc.array(part, { maxLength: 6 }), (parts) => {
        const value = parts.join("");
        const [resolved] = resolveMcpServers([http({ headers: { X: value } })], variables);
        const expected = parts
          .map((p) => (p.startsWith("${") ? variables[p.slice(2, -1) as "GWS_TOOLS"] : p))
          .join("");
        // Literal parts may happen to end in "$" and start a reference with the next part's "{".
        if (!parts.some((p) => p.endsWith("$"))) {
          expect(resolved?.type === "http" && resolved.headers.X).toBe(expected);
        }
      }),
    );
  });
});
