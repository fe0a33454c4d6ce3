import { Code, ConnectError, expectedHeadMismatch, isConnectionError, isTlsMismatch } from "@openaxon/client";

/**
 * Exit codes: 0 success, 1 the server or network failed the command, 2 bad usage or input, 130
 * interrupted by Ctrl-C (SIGINT; 143 for SIGTERM), as shells report it and as `npx` does anyway.
 */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2, Interrupted: 130 } as const;

/** The exit code of a command stopped by a signal: 128 + its number. */
export function interruptedExitCode(reason: unknown): number {
  return reason === "SIGTERM" ? 143 : ExitCode.Interrupted;
}

/** An error whose message is already written for the user. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.Failure,
  ) {
    super(message);
  }
}

/** Bad flags, arguments or input, caught before anything was sent. */
export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, ExitCode.Usage);
  }
}

export interface ErrorContext {
  readonly url: string;
  readonly apiKeyGiven: boolean;
  /** The axon the command was about, for NOT_FOUND. */
  readonly axonId?: string;
  /** The API the command uses (e.g. "RuntimeService"), for servers that do not offer it. */
  readonly service?: string;
}

/** Ends the command with an exit code and no message (e.g. 130 after Ctrl-C). */
export class ExitWith extends Error {
  override name = "ExitWith";
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** Turns any failure into one helpful line for stderr and an exit code. */
export function describeError(error: unknown, context: ErrorContext): CliError {
  if (error instanceof CliError) return error;
  if (!(error instanceof ConnectError)) {
    return new CliError(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (isTlsMismatch(error)) return new CliError(error.rawMessage);
  const certificateProblem = untrustedCertificate(error);
  if (certificateProblem) {
    return new CliError(
      `cannot verify the TLS certificate of ${context.url} (${certificateProblem}) — pass --ca FILE (or set OPENAXON_CA or NODE_EXTRA_CA_CERTS) with the CA that signed it`,
    );
  }
  if (isConnectionError(error)) {
    return new CliError(
      `cannot reach axond at ${context.url} — is it running? start it with \`npm start\` (or pass --url / set OPENAXON_URL)`,
    );
  }
  switch (error.code) {
    case Code.NotFound:
      return new CliError(
        context.axonId
          ? `axon ${context.axonId} not found (list axons with \`axon list\`)`
          : `not found: ${error.rawMessage}`,
      );
    case Code.Unauthenticated:
      return new CliError(
        context.apiKeyGiven
          ? `axond at ${context.url} rejected the API key (check --api-key / OPENAXON_API_KEY): ${error.rawMessage}`
          : `axond at ${context.url} requires an API key — pass --api-key or set OPENAXON_API_KEY`,
      );
    case Code.AlreadyExists:
      return new CliError(`already exists: ${error.rawMessage}`);
    case Code.PermissionDenied:
      return new CliError(`permission denied: ${error.rawMessage}`);
    case Code.InvalidArgument:
      return new CliError(`rejected by axond: ${error.rawMessage}`, ExitCode.Usage);
    case Code.ResourceExhausted:
      return new CliError(`too large: ${error.rawMessage}`, ExitCode.Usage);
    case Code.FailedPrecondition: {
      const mismatch = expectedHeadMismatch(error);
      return new CliError(
        mismatch
          ? `expected head ${mismatch.expectedHead} but axon ${mismatch.axonId} is at ${mismatch.currentHead} — nothing was written`
          : `failed precondition: ${error.rawMessage}`,
      );
    }
    case Code.Unimplemented:
      if (context.service) {
        return new CliError(
          `axond at ${context.url} does not serve ${context.service} (an older axond, or one started without it): ${error.rawMessage}`,
        );
      }
      return new CliError(
        `${context.url} does not speak the OpenAxon API (is it axond?): ${error.rawMessage}`,
      );
    default:
      return new CliError(`axond error (${Code[error.code] ?? error.code}): ${error.rawMessage}`);
  }
}

const CERTIFICATE_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** The TLS verification failure behind `error`, if that is what it is. */
function untrustedCertificate(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CERTIFICATE_CODES.has(code)) return current.message;
    current = current.cause;
  }
  return undefined;
}
