import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * Code of the error a call fails with when the URL's scheme and the server disagree about TLS:
 * retrying cannot fix it, so it is not UNAVAILABLE (which subscriptions retry).
 */
export const TLS_MISMATCH_CODE = Code.FailedPrecondition;

/** Whether `error` says the server answered a TLS handshake with cleartext (https:// to an http server). */
export function isCleartextAnswer(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number/.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}

/**
 * Whether a failed call might be cleartext sent to a TLS server (http:// to https): the server cuts
 * such connections without an HTTP answer, so the client sees a transport error with no response
 * headers. Worth a TLS probe; anything the server answered is not.
 */
export function mightBeTlsServer(error: ConnectError): boolean {
  const transportCodes = [Code.Canceled, Code.Aborted, Code.Unavailable, Code.Internal, Code.Unknown];
  return transportCodes.includes(error.code) && [...error.metadata.keys()].length === 0;
}

export function tlsMismatchError(url: URL, serverSpeaksTls: boolean, cause: unknown): ConnectError {
  const other = new URL(url.href);
  other.protocol = serverSpeaksTls ? "https:" : "http:";
  const fixed = other.href.replace(/\/$/, "");
  const given = url.href.replace(/\/$/, "");
  const message = serverSpeaksTls
    ? `${given} is served over TLS: use ${fixed}`
    : `${given} answered in cleartext, not TLS: use ${fixed} (or start axond with --tls-cert and --tls-key)`;
  return new ConnectError(message, TLS_MISMATCH_CODE, undefined, undefined, cause);
}

/** True when `error` is the TLS/cleartext mismatch this module reports. */
export function isTlsMismatch(error: unknown): boolean {
  return (
    error instanceof ConnectError &&
    error.cause !== undefined &&
    /is served over TLS: use https:|answered in cleartext, not TLS/.test(error.rawMessage)
  );
}

/**
 * Rewrites the opaque failures of a TLS/cleartext mismatch ("wrong version number", "socket hang
 * up", "stream closed with CANCEL") into one error naming the URL to use. `probeTls` is asked only
 * after an http:// call failed without any answer.
 */
export function tlsMismatchInterceptor(
  baseUrl: string,
  probeTls: (url: URL) => Promise<boolean>,
): Interceptor {
  const url = new URL(baseUrl);
  return (next) => async (request) => {
    try {
      return await next(request);
    } catch (error) {
      if (request.signal.aborted) throw error;
      if (url.protocol === "https:" && isCleartextAnswer(error)) throw tlsMismatchError(url, false, error);
      if (url.protocol === "http:") {
        const connectError = ConnectError.from(error);
        if (mightBeTlsServer(connectError) && (await probeTls(url))) throw tlsMismatchError(url, true, error);
      }
      throw error;
    }
  };
}
