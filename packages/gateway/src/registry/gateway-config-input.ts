import { AuthMechanismType } from "@openaxon/protocol";
import { configurableHeaderNameError } from "../http-headers.js";
import { descriptionProblems, nameProblems, quote } from "./names.js";

export const MAX_CUSTOM_HEADERS = 64;
export const MAX_HEADER_VALUE_LENGTH = 8 * 1024;
export const MAX_ENDPOINT_LENGTH = 2048;

export interface AuthMechanismInput {
  readonly type: AuthMechanismType;
  /** HEADER: the header name; BASIC: the user name; BEARER: empty. */
  readonly key: string;
}

export interface CreateGatewayConfigInput {
  readonly name: string;
  readonly description?: string;
  readonly endpoint: string;
  readonly authMechanism?: AuthMechanismInput;
  readonly customHeaders?: Readonly<Record<string, string>>;
}

export interface NormalizedGatewayConfigInput {
  readonly name: string;
  readonly description: string;
  readonly endpoint: string;
  readonly authMechanism: AuthMechanismInput;
  readonly customHeaders: Readonly<Record<string, string>>;
}

// Tab, visible ASCII and obs-text; no CR, LF, NUL or other controls (RFC 9110 §5.5).
const HEADER_VALUE = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;

/**
 * Validates a gateway config, reporting every problem, and returns it normalized: the endpoint
 * without a trailing slash (the agent's path is appended to it), header names as given.
 */
export function normalizeGatewayConfigInput(
  input: CreateGatewayConfigInput,
): NormalizedGatewayConfigInput | { problems: string[] } {
  const problems = [...nameProblems(input.name), ...descriptionProblems(input.description ?? "")];
  const endpoint = endpointOrProblem(input.endpoint);
  if ("problem" in endpoint) problems.push(endpoint.problem);
  const auth = input.authMechanism ?? { type: AuthMechanismType.UNSPECIFIED, key: "" };
  problems.push(...authProblems(auth));
  const customHeaders = input.customHeaders ?? {};
  problems.push(...customHeaderProblems(customHeaders, credentialHeader(auth)));
  if (problems.length > 0 || "problem" in endpoint) return { problems };
  return {
    name: input.name,
    description: input.description ?? "",
    endpoint: endpoint.url,
    authMechanism: { type: auth.type, key: auth.key },
    customHeaders: { ...customHeaders },
  };
}

function endpointOrProblem(endpoint: string): { url: string } | { problem: string } {
  if (endpoint === "") return { problem: "endpoint is required, e.g. https://api.anthropic.com" };
  if (endpoint.length > MAX_ENDPOINT_LENGTH) {
    return { problem: `endpoint is longer than ${MAX_ENDPOINT_LENGTH} characters` };
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { problem: `endpoint ${quote(endpoint)} is not an absolute URL, e.g. https://api.anthropic.com` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { problem: `endpoint ${quote(endpoint)} must be an http:// or https:// URL` };
  }
  if (url.hostname === "") return { problem: `endpoint ${quote(endpoint)} has no host` };
  // Credentials belong in secrets; a query or fragment could not be combined with the agent's path.
  if (url.username || url.password) {
    return { problem: "endpoint must not carry a user name or password; put credentials in a secret" };
  }
  if (url.search || url.hash) {
    return { problem: `endpoint ${quote(endpoint)} must not have a query or a fragment` };
  }
  return { url: `${url.origin}${url.pathname.replace(/\/+$/, "")}` };
}

function authProblems(auth: AuthMechanismInput): string[] {
  switch (auth.type) {
    case AuthMechanismType.HEADER: {
      if (auth.key === "")
        return ["auth_mechanism.key is required for HEADER: the header name, e.g. x-api-key"];
      const error = configurableHeaderNameError(auth.key);
      return error ? [`auth_mechanism.key: ${error}`] : [];
    }
    case AuthMechanismType.BEARER:
      return auth.key === ""
        ? []
        : [
            "auth_mechanism.key is unused for BEARER (the secret goes in Authorization: Bearer); leave it empty",
          ];
    case AuthMechanismType.BASIC:
      if (auth.key === "") return ["auth_mechanism.key is required for BASIC: the user name"];
      if (auth.key.includes(":")) return ["auth_mechanism.key: a BASIC user name cannot contain a colon"];
      return /^[\u0020-\u007e]+$/.test(auth.key)
        ? []
        : ["auth_mechanism.key: a BASIC user name must be printable ASCII"];
    default:
      return ["auth_mechanism.type is required: HEADER, BEARER or BASIC"];
  }
}

/** The header the secret is injected into; a custom header of that name would clash with it. */
function credentialHeader(auth: AuthMechanismInput): string | undefined {
  if (auth.type === AuthMechanismType.HEADER) return auth.key.toLowerCase();
  if (auth.type === AuthMechanismType.BEARER || auth.type === AuthMechanismType.BASIC) return "authorization";
  return undefined;
}

function customHeaderProblems(headers: Readonly<Record<string, string>>, credential?: string): string[] {
  const problems: string[] = [];
  const entries = Object.entries(headers);
  if (entries.length > MAX_CUSTOM_HEADERS) {
    return [`custom_headers has ${entries.length} entries; the limit is ${MAX_CUSTOM_HEADERS}`];
  }
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    const nameError = configurableHeaderNameError(name);
    if (nameError) problems.push(`custom_headers: ${nameError}`);
    else if (lower === credential) {
      problems.push(`custom_headers: ${quote(name)} is where the secret is injected; it cannot be set here`);
    } else if (lower === "accept-encoding") {
      // The gateway asks for identity so it can scrub the response.
      problems.push(`custom_headers: ${quote(name)} is set by the gateway itself`);
    } else if (seen.has(lower)) {
      problems.push(`custom_headers: ${quote(name)} is given twice (header names ignore case)`);
    }
    seen.add(lower);
    if (!HEADER_VALUE.test(value)) {
      problems.push(`custom_headers: the value of ${quote(name)} contains a line break or control character`);
    } else if (value.length > MAX_HEADER_VALUE_LENGTH) {
      problems.push(`custom_headers: the value of ${quote(name)} is longer than ${MAX_HEADER_VALUE_LENGTH}`);
    }
  }
  return problems;
}
