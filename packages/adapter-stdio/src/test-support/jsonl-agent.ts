/**
 * A small JSON-lines agent for tests, run with `node -e`. It speaks the protocol in README.md and
 * behaves by prompt text: "crash" exits 9 mid-turn, "crash loudly" writes 1 MiB of log to stderr
 * before its last words and exit 9, "start a tool and crash" leaves a `sleep` behind (its pid on
 * stderr) and exits 9, "answer and exit" completes the turn and exits 0 at once, "fail"
 * reports a failure, "wait" streams one chunk and waits for a cancel, "tool" asks permission for a
 * write, anything else is echoed.
 */
export const JSONL_AGENT_SCRIPT = String.raw`
const rl = require("node:readline").createInterface({ input: process.stdin });
const out = (m) => process.stdout.write(JSON.stringify(m) + "\n");
rl.on("line", (line) => {
  const m = JSON.parse(line);
  if (m.type === "start") {
    process.stderr.write("agent ready\n");
    process.stdout.write("this line is not JSON\n");
    out({ type: "session", session_id: m.resume_session_id || "jsonl_sess_" + process.pid });
  } else if (m.type === "prompt") {
    const text = typeof m.content === "string" ? m.content : m.content.map((b) => b.text).join(" ");
    if (text === "crash") { process.stderr.write("segfault-ish\n"); process.exit(9); }
    if (text === "crash loudly") {
      const log = ("debug: still working\n").repeat(50000) + "last words: out of memory\n";
      return process.stderr.write(log, () => process.exit(9));
    }
    if (text === "start a tool and crash") {
      const tool = require("node:child_process").spawn("sleep", ["60"], { stdio: "ignore" });
      process.stderr.write("tool pid " + tool.pid + "\n");
      process.exit(9);
    }
    if (text === "answer and exit") {
      out({ type: "message_chunk", turn_id: m.turn_id, text: "done" });
      out({ type: "completed", turn_id: m.turn_id, stop_reason: "end_turn" });
      process.exit(0);
    }
    if (text === "fail") return out({ type: "failed", turn_id: m.turn_id, error: "model said no" });
    if (text === "wait") return out({ type: "message_chunk", turn_id: m.turn_id, text: "waiting" });
    if (text === "tool") {
      out({ type: "tool_call", tool_call_id: "t1", title: "Write notes.md", kind: "edit", status: "pending", input: { path: "notes.md" } });
      return out({
        type: "permission_request",
        request_id: "r1",
        tool_call: { tool_call_id: "t1", title: "Write notes.md", kind: "edit", status: "pending" },
        options: [
          { option_id: "ok", name: "Allow", kind: "allow_once" },
          { option_id: "no", name: "Reject", kind: "reject_once" },
        ],
      });
    }
    out({ type: "thought_chunk", text: "thinking" });
    out({ type: "plan", entries: [{ content: "answer", status: "in_progress" }] });
    out({ type: "message_chunk", text: "you said: " + text });
    out({ type: "completed", turn_id: m.turn_id, stop_reason: "end_turn" });
  } else if (m.type === "permission_response") {
    out({ type: "tool_call_update", tool_call_id: "t1", status: m.option_id === "ok" ? "completed" : "failed", output: m });
    out({ type: "completed", stop_reason: "end_turn" });
  } else if (m.type === "cancel") {
    out({ type: "completed", turn_id: m.turn_id, stop_reason: "cancelled" });
  }
});
rl.on("close", () => process.exit(0));
`;
