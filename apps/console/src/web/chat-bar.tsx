import { EventType } from "@openaxon/protocol/vocabulary";
import { useState } from "preact/hooks";
import { api, errorText } from "./api.js";

/** A prompt waiting behind the running turn. */
export interface QueuedTurn {
  readonly turnId: string;
  readonly sequence: number;
  readonly text: string;
}

/** Queued turns listed by name; the rest are counted. */
const QUEUED_SHOWN = 5;

/**
 * Sends a `user.message`; shows the running turn and the queued ones, and cancels any of them with
 * `turn.cancel` (the broker drops a queued turn, ending it as cancelled without starting it).
 */
export function ChatBar(props: {
  axonId: string;
  openTurns: readonly string[];
  queuedTurns: readonly QueuedTurn[];
}) {
  const { axonId, openTurns, queuedTurns } = props;
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const [sending, setSending] = useState(0);
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
    const sent = text;
    if (sent.trim() === "") return;
    setSending((n) => n + 1);
    const published = await publish(EventType.UserMessage, { content: sent });
    // Clear only what was sent: a message typed while the send was in flight stays in the box.
    if (published) setText((current) => (current === sent ? "" : current));
    setSending((n) => n - 1);
  };
  const cancel = (turnId: string) => () => publish(EventType.TurnCancel, { turn_id: turnId });
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
        <button type="submit" class="primary" aria-busy={sending > 0}>
          Send
        </button>
        <button
          type="button"
          class="danger"
          disabled={running === undefined}
          onClick={() => running && cancel(running)()}
        >
          Cancel turn
        </button>
        {openTurns.length > 0 && <span class="muted">running: {openTurns.join(", ")}</span>}
        {error && <span class="error-inline">{error}</span>}
      </div>
      {queuedTurns.length > 0 && (
        <ul class="queued" aria-label="Queued turns">
          {queuedTurns.slice(0, QUEUED_SHOWN).map((turn) => (
            <li key={turn.turnId} data-turn={turn.turnId}>
              <span class="muted">queued</span> <span class="mono">{turn.turnId}</span>{" "}
              <span class="queued-text">{turn.text}</span>{" "}
              <button
                type="button"
                class="small"
                aria-label={`Cancel ${turn.turnId}`}
                onClick={cancel(turn.turnId)}
              >
                Cancel
              </button>
            </li>
          ))}
          {queuedTurns.length > QUEUED_SHOWN && (
            <li class="muted">and {queuedTurns.length - QUEUED_SHOWN} more</li>
          )}
        </ul>
      )}
    </form>
  );
}
