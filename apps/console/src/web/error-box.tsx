import { errorText, isUnauthenticated } from "./api.js";

export function ErrorBox({ error }: { error: unknown }) {
  if (error === undefined) return null;
  return (
    <div class="error" role="alert">
      {errorText(error)}
      {isUnauthenticated(error) && " — set the API key (top right)."}
    </div>
  );
}
