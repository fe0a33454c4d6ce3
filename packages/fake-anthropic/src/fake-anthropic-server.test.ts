import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAnthropicServer } from "./fake-anthropic-server.js";
import { slowTextReply, textReply, toolUseReply } from "./replies.js";

let server: FakeAnthropicServer;

beforeEach(async () => {
  server = await FakeAnthropicServer.start();
});

afterEach(async () => {
  await server.close();
});

const tools = [{ name: "Bash", description: "run", input_schema: { type: "object" } }];

function post(path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "sk-test", ...headers },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

interface SseEvent {
  event: string;
  data: Record<string, unknown> & { type: string };
}

/** Parses an SSE body, checking that every event carries an `event:` line matching its data type. */
function parseSse(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))?.slice("event: ".length);
      const data = lines.find((l) => l.startsWith("data: "))?.slice("data: ".length);
      if (event === undefined || data === undefined) throw new Error(`malformed SSE block: ${block}`);
      return { event, data: JSON.parse(data) };
    });
}

const conversation = (text: string, extra: Record<string, unknown> = {}) => ({
  model: "claude-anything-1",
  max_tokens: 1024,
  messages: [{ role: "user", content: text }],
  tools,
  ...extra,
});

describe("FakeAnthropicServer", () => {
  it("streams a text reply as named SSE events in the Messages API order", async () => {
    server.enqueue(slowTextReply(["Hel", "lo"], 0));
    const response = await post("/v1/messages?beta=true", conversation("hi", { stream: true }));

    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const events = parseSse(await response.text());
    for (const { event, data } of events) expect(data.type).toBe(event);
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const start = events[0]!.data.message as { model: string; role: string };
    expect(start).toMatchObject({ model: "claude-anything-1", role: "assistant" });
    const text = events
      .filter((e) => e.event === "content_block_delta")
      .map((e) => (e.data.delta as { text: string }).text)
      .join("");
    expect(text).toBe("Hello");
    expect(events.at(-2)!.data).toMatchObject({ delta: { stop_reason: "end_turn" } });
  });

  it("streams a tool_use reply whose partial JSON assembles to the scripted input", async () => {
    const input = { command: "echo hi", description: "Say hi" };
    server.enqueue(toolUseReply("Bash", input, { id: "toolu_1", text: "Running it." }));
    const events = parseSse(await (await post("/v1/messages", conversation("run", { stream: true }))).text());

    const toolStart = events.find(
      (e) =>
        e.event === "content_block_start" && (e.data.content_block as { type: string }).type === "tool_use",
    );
    expect(toolStart?.data).toMatchObject({
      index: 1,
      content_block: { id: "toolu_1", name: "Bash", input: {} },
    });
    const json = events
      .filter((e) => e.event === "content_block_delta" && e.data.index === 1)
      .map((e) => (e.data.delta as { type: string; partial_json: string }).partial_json)
      .join("");
    expect(JSON.parse(json)).toEqual(input);
    expect(events.find((e) => e.event === "message_delta")?.data).toMatchObject({
      delta: { stop_reason: "tool_use" },
    });
  });

  it("streams thinking before the text when asked to", async () => {
    server.enqueue(textReply("Answer.", { thinking: "Let me think." }));
    const events = parseSse(await (await post("/v1/messages", conversation("q", { stream: true }))).text());
    const deltas = events.filter((e) => e.event === "content_block_delta").map((e) => e.data.delta);
    expect(deltas).toEqual([
      { type: "thinking_delta", thinking: "Let me think." },
      { type: "signature_delta", signature: expect.any(String) },
      { type: "text_delta", text: "Answer." },
    ]);
  });

  it("answers one JSON message when stream is false", async () => {
    server.enqueue(toolUseReply("Write", { file_path: "/tmp/x", content: "y" }));
    const response = await post("/v1/messages", conversation("write"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-anything-1",
      stop_reason: "tool_use",
      content: [{ type: "tool_use", name: "Write", input: { file_path: "/tmp/x", content: "y" } }],
    });
  });

  it("counts tokens, and answers other paths with a JSON 404", async () => {
    const counted = await post("/v1/messages/count_tokens", conversation("how long is this"));
    expect(await counted.json()).toEqual({ input_tokens: expect.any(Number) });

    const missing = await fetch(`${server.url}/v1/models`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      type: "error",
      error: { type: "not_found_error", message: "Not found: GET /v1/models" },
    });
    expect(server.requests.map((r) => r.kind)).toEqual(["count_tokens", "not_found"]);
  });

  it("rejects requests without the required key, with x-api-key or bearer accepted", async () => {
    const guarded = await FakeAnthropicServer.start({ requiredApiKey: "sk-right" });
    try {
      const call = (headers: Record<string, string>) =>
        fetch(`${guarded.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(conversation("hi")),
        });
      const wrong = await call({ "x-api-key": "sk-wrong" });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
      expect((await call({ "x-api-key": "sk-right" })).status).toBe(200);
      expect((await call({ authorization: "Bearer sk-right" })).status).toBe(200);
      expect(guarded.requests.map((r) => r.kind)).toEqual(["rejected", "main", "main"]);
    } finally {
      await guarded.close();
    }
  });

  it("records every request and serves the queue to main requests only, in order", async () => {
    server.enqueue(textReply("first"), (request) =>
      textReply(`you sent ${request.body?.messages?.length} messages`),
    );
    const side = await post("/v1/messages", {
      model: "haiku",
      max_tokens: 1,
      messages: [{ role: "user", content: "quota" }],
    });
    const first = await post("/v1/messages", conversation("one"), { "x-api-key": "sk-a" });
    const second = await post("/v1/messages", conversation("two"));
    const third = await post("/v1/messages", conversation("three"));

    const textOf = async (r: Response) =>
      ((await r.json()) as { content: { text: string }[] }).content[0]!.text;
    expect(await textOf(side)).toBe("ok");
    expect(await textOf(first)).toBe("first");
    expect(await textOf(second)).toBe("you sent 1 messages");
    expect(await textOf(third)).toBe("OK");
    expect(server.requests.map((r) => r.kind)).toEqual(["side", "main", "main", "main"]);
    const [mainOne] = server.mainRequests();
    expect(mainOne).toMatchObject({ method: "POST", path: "/v1/messages", headers: { "x-api-key": "sk-a" } });
    expect(mainOne?.body?.messages).toEqual([{ role: "user", content: "one" }]);
  });

  it("stops a slow stream when the client goes away, and waits for requests on demand", async () => {
    server.enqueue(slowTextReply(["a", "b", "c"], 60_000));
    const abort = new AbortController();
    const response = await post("/v1/messages", conversation("slow", { stream: true }), {}, abort.signal);
    const reader = response.body!.getReader();
    const firstBytes = new TextDecoder().decode((await reader.read()).value);
    expect(firstBytes).toContain("event: message_start");

    const waited = await server.waitForMainRequests(1);
    expect(waited).toHaveLength(1);
    abort.abort();
    await expect(reader.read()).rejects.toThrow();
  });

  it("close() ends streams that are still pausing", async () => {
    server.enqueue(slowTextReply(["a", "b"], 60_000));
    const response = await post("/v1/messages", conversation("slow", { stream: true }));
    const body = response.text().catch((error: unknown) => `cut off: ${String(error)}`);

    await server.close();

    expect(await body).not.toContain('"text":"b"');
  });
});
