import { EventType } from "@openaxon/protocol/vocabulary";
import { useState } from "preact/hooks";
import { api, errorText } from "./api.js";

/** Sends a `user.message`; cancels the running turn with `turn.cancel`. */
export function ChatBar({ axonId, openTurns }: { axonId: string; openTurns: readonly string[] }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const publish = async (eventType: string, payload: object) => {
    try {
      await api().axon(axonId).publish({ eventType, payload, origin: "user" });
      setError(undefined);
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    }
  };
  const send = async (event: Event) => {
    event.preventDefault();
    if (text.trim() === "") return;
    if (await publish(EventType.UserMessage, { content: text })) setText("");
  };
  const running = openTurns[0];
  return (
    <form class="chat" onSubmit={send}>
      <textarea
        aria-label="Message"
        placeholder="Message the agent (Ctrl+Enter to send)"
        rows={2}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void send(e);
        }}
      />
      <div class="chat-actions">
        <button type="submit" class="primary">
          Send
        </button>
        <button
          type="button"
          class="danger"
          disabled={running === undefined}
          onClick={() => running && publish(EventType.TurnCancel, { turn_id: running })}
        >
          Cancel turn
        </button>
        {openTurns.length > 0 && <span class="muted">running: {openTurns.join(", ")}</span>}
        {error && <span class="error-inline">{error}</span>}
      </div>
    </form>
  );
}
