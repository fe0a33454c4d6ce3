import { isId } from "@openaxon/core";
import { invalidArgument } from "./errors.js";

/**
 * ListAxons page tokens: base64url of the last axon id on the page. Opaque to clients; ids sort by
 * creation time, so a token stays valid while axons are created or deleted between pages.
 */
export function encodePageToken(lastAxonId: string): string {
  return Buffer.from(lastAxonId, "utf8").toString("base64url");
}

/** Undefined for the first page; INVALID_ARGUMENT for a token this server did not issue. */
export function decodePageToken(token: string): string | undefined {
  if (token === "") return undefined;
  const id = Buffer.from(token, "base64url").toString("utf8");
  if (!isId("axn", id)) {
    throw invalidArgument(
      "page_token is not valid: pass next_page_token from the previous response unchanged",
    );
  }
  return id;
}
