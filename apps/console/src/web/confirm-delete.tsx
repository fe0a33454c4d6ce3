import { useState } from "preact/hooks";
import { errorText } from "./api.js";

/**
 * A row's Delete button that asks first: "Delete <what>?" with Confirm delete / Cancel. Nothing is
 * sent until the confirmation; a refusal shows the server's message under the button (the row
 * stays, and the dialog closes so the person reads the reason rather than retrying blindly).
 */
export function ConfirmDelete({ what, onDelete }: { what: string; onDelete: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();
  const remove = async () => {
    try {
      await onDelete();
    } catch (e) {
      setError(errorText(e));
      setConfirming(false);
    }
  };
  return (
    <>
      {confirming ? (
        <>
          <span>Delete {what}?</span>
          <button type="button" class="danger" onClick={remove}>
            Confirm delete
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Delete
        </button>
      )}
      {/* Below the buttons and wrapping: a long reason must not push them off the page. */}
      {error && <div class="error-inline action-error">{error}</div>}
    </>
  );
}
