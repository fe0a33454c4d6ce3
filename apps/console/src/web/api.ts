import { type AxonClient, Code, ConnectError, createAxonClient } from "@openaxon/client";

const KEY_STORAGE = "openaxon.apiKey";

/** The API key typed into the console, kept for this tab only. */
export function storedApiKey(): string | undefined {
  return sessionStorage.getItem(KEY_STORAGE) ?? undefined;
}

export function storeApiKey(key: string | undefined): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
  client = undefined;
}

let client: AxonClient | undefined;

/** The SDK, talking to the origin that served the console (same origin: no CORS set-up needed). */
export function api(): AxonClient {
  client ??= createAxonClient({ baseUrl: location.origin, apiKey: storedApiKey(), source: "console" });
  return client;
}

/** The server's own message, for showing to a person. */
export function errorText(error: unknown): string {
  if (error instanceof ConnectError) return `${Code[error.code] ?? error.code}: ${error.rawMessage}`;
  return error instanceof Error ? error.message : String(error);
}

export function isUnauthenticated(error: unknown): boolean {
  return error instanceof ConnectError && error.code === Code.Unauthenticated;
}
