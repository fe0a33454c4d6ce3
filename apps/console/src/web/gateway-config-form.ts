import type { AuthTypeName, CreateGatewayConfigInput } from "@openaxon/client";

/** The gateway-config form as typed: the upstream, where its credential goes, and fixed headers. */
export interface GatewayConfigForm {
  readonly name: string;
  /** Base URL of the upstream, e.g. https://api.anthropic.com. */
  readonly endpoint: string;
  readonly authType: AuthTypeName;
  /** The header name for `header`, the user name for `basic`; not sent for `bearer`. */
  readonly authKey: string;
  /** One `Name: value` per line, added to every forwarded request (not secret). */
  readonly headers: string;
  readonly description: string;
}

export const EMPTY_GATEWAY_CONFIG_FORM: GatewayConfigForm = {
  name: "",
  endpoint: "",
  authType: "bearer",
  authKey: "",
  headers: "",
  description: "",
};

/**
 * The CreateGatewayConfig request for a filled-in form, or what to fix. Only the header lines' syntax
 * is checked here; the endpoint, names and the auth key are the server's to judge.
 */
export function gatewayConfigInputFromForm(
  form: GatewayConfigForm,
): CreateGatewayConfigInput | { readonly error: string } {
  const headers = parseHeaderLines(form.headers);
  if ("error" in headers) return headers;
  return {
    name: form.name.trim(),
    endpoint: form.endpoint.trim(),
    // A key typed and then left behind by switching to bearer is not sent: bearer has none.
    auth: form.authType === "bearer" ? { type: "bearer" } : { type: form.authType, key: form.authKey.trim() },
    customHeaders: headers.headers,
    description: form.description.trim(),
  };
}

/** `anthropic-version: 2023-06-01` per line → a header map; the value may itself contain colons. */
export function parseHeaderLines(
  text: string,
): { readonly headers: Record<string, string> } | { readonly error: string } {
  const headers: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0 || line.slice(0, colon).trim() === "")
      return { error: `header "${line.trim()}" should read Name: value` };
    const name = line.slice(0, colon).trim();
    // Header names are case-insensitive: two lines for one header would silently lose one.
    if (Object.keys(headers).some((n) => n.toLowerCase() === name.toLowerCase()))
      return { error: `header "${name}" is given twice` };
    headers[name] = line.slice(colon + 1).trim();
  }
  return { headers };
}
