import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeOpenAIServer } from "./fake-openai-server.js";
import { lastUserText, transcript } from "./recorded-request.js";
import { errorReply, functionCallReply, slowTextReply, textReply } from "./replies.js";

const KEY = "sk-test-fake";

/** The SSE frames of a response as `{event, data}` pairs. */
async function events(response: Response): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((frame) => frame.trim() !== "")
    .map((frame) => {
      const [eventLine = "", dataLine = ""] = frame.split("\n");
      return { event: eventLine.slice("event: ".length), data: JSON.parse(dataLine.slice("data: ".length)) };
    });
}

describe("FakeOpenAIServer", () => {
  let fake: FakeOpenAIServer;
  const post = (body: unknown, key = KEY) =>
    fetch(`${fake.baseUrl}/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const ask = (text: string) =>
    post({ model: "gpt-fake", stream: true, input: [{ role: "user", content: text }] });

  beforeEach(async () => {
    fake = await FakeOpenAIServer.start({ requiredApiKey: KEY });
  });
  afterEach(() => fake.close());

  it("streams a text reply as Responses events, one delta per chunk, ending in response.completed", async () => {
    fake.enqueue(slowTextReply(["Hel", "lo"], 1));

    const frames = await events(await ask("Say hello"));

    expect(frames.map((f) => f.event)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(frames.filter((f) => f.event === "response.output_text.delta").map((f) => f.data.delta)).toEqual([
      "Hel",
      "lo",
    ]);
    const completed = frames.at(-1)?.data.response as {
      output: { content: { text: string }[] }[];
      usage: unknown;
    };
    expect(completed.output[0]?.content[0]?.text).toBe("Hello");
    expect(completed.usage).toMatchObject({
      input_tokens: expect.any(Number),
      output_tokens: expect.any(Number),
    });
    expect(lastUserText(fake.mainRequests()[0]!)).toBe("Say hello");
  });

  it("streams a function call with its arguments split across deltas and whole in output_item.done", async () => {
    fake.enqueue(
      functionCallReply("exec_command", { cmd: "echo hi" }, { callId: "call_1", text: "Running it." }),
    );

    const frames = await events(await ask("Run echo"));

    const deltas = frames.filter((f) => f.event === "response.function_call_arguments.delta");
    expect(deltas.map((f) => f.data.delta).join("")).toBe('{"cmd":"echo hi"}');
    expect(deltas.length).toBe(2);
    const done = frames.filter((f) => f.event === "response.output_item.done").map((f) => f.data.item);
    expect(done).toEqual([
      expect.objectContaining({ type: "message" }),
      expect.objectContaining({
        type: "function_call",
        name: "exec_command",
        call_id: "call_1",
        arguments: '{"cmd":"echo hi"}',
      }),
    ]);
  });

  it("answers scripted errors with the API's error envelope, and refuses a wrong key with 401", async () => {
    fake.enqueue(errorReply(400, "invalid_request_error", "max_tokens: bogus value"));

    const failed = await ask("Hi");
    expect(failed.status).toBe(400);
    expect(await failed.json()).toEqual({
      error: { message: "max_tokens: bogus value", type: "invalid_request_error", param: null, code: null },
    });
    const refused = await post({ input: "x" }, "sk-wrong");
    expect(refused.status).toBe(401);
    expect(fake.requests.map((r) => r.kind)).toEqual(["main", "rejected"]);
  });

  it("falls back to the default reply and records the conversation as a transcript", async () => {
    const frames = await events(
      await post({
        stream: true,
        input: [
          { type: "message", role: "user", content: [{ type: "input_text", text: "Run it" }] },
          { type: "function_call", name: "exec_command", arguments: '{"cmd":"ls"}', call_id: "c1" },
          { type: "function_call_output", call_id: "c1", output: "a.txt" },
          { type: "message", role: "assistant", content: [{ type: "output_text", text: "Done." }] },
        ],
      }),
    );

    expect(frames.filter((f) => f.event === "response.output_text.delta").map((f) => f.data.delta)).toEqual([
      "OK",
    ]);
    expect(transcript(fake.mainRequests()[0]!)).toBe(
      [
        "user: Run it",
        'function_call exec_command {"cmd":"ls"}',
        "function_call_output: a.txt",
        "assistant: Done.",
      ].join("\n"),
    );
    fake.enqueue(textReply("next"));
    expect((await fake.waitForMainRequests(1)).length).toBe(1);
  });
});
