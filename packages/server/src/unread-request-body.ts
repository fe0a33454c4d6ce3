import type http from "node:http";
import http2 from "node:http2";

/**
 * Bytes of a request body still read (and dropped) after the response was sent early.
 * The largest read limit is 64 MiB, so a client overshooting it by as much is still answered.
 */
export const MAX_DISCARDED_BODY_BYTES = 64 * 1024 * 1024;

/**
 * A request answered before its body was read (over the read limit, unauthenticated) leaves the
 * client still sending. Once the response is written, the rest of the body is read and dropped,
 * up to `maxBytes`:
 * - HTTP/1.1: closing a socket with unread data makes the kernel reset it, and the client loses
 *   the answer (ECONNRESET). Beyond `maxBytes` the connection is closed.
 * - HTTP/2: reading keeps flow control open so the client can finish its stream. Some clients
 *   (connect-es) stop sending once answered without ending the stream; such streams are put in
 *   `answered` until they close, for shutdown to reset instead of waiting for them. Beyond
 *   `maxBytes` the stream is reset with NO_ERROR (RFC 9113, section 8.1). Resetting at once is
 *   not an option: clients still writing their request report the reset as an error (UNKNOWN)
 *   and drop the answer.
 */
export function releaseUnreadBodyWhenAnswered(
  request: http.IncomingMessage | http2.Http2ServerRequest,
  response: http.ServerResponse | http2.Http2ServerResponse,
  answered: Set<http2.Http2Stream>,
  maxBytes = MAX_DISCARDED_BODY_BYTES,
): void {
  if (request.httpVersionMajor === 2) {
    // The compatibility response emits "finish" only when the stream closes; the stream's own
    // writable side finishes once the response is written.
    const stream = (request as http2.Http2ServerRequest).stream;
    stream.once("finish", () => {
      if (request.complete || stream.closed) return;
      answered.add(stream);
      stream.once("close", () => answered.delete(stream));
      discard(request, maxBytes, () => stream.close(http2.constants.NGHTTP2_NO_ERROR));
    });
  } else {
    response.once("finish", () => discard(request, maxBytes, () => request.socket.destroy()));
  }
}

function discard(
  request: http.IncomingMessage | http2.Http2ServerRequest,
  maxBytes: number,
  giveUp: () => void,
): void {
  if (request.complete) return;
  let discarded = 0;
  // read() rather than resume(): the handler's abandoned async iterator keeps a "readable"
  // listener, and while one exists resume() does not make the stream flow.
  const drain = () => {
    for (
      let chunk = request.read() as Buffer | null;
      chunk !== null;
      chunk = request.read() as Buffer | null
    ) {
      discarded += chunk.length;
      if (discarded > maxBytes) {
        request.off("readable", drain);
        giveUp();
        return;
      }
    }
  };
  request.on("readable", drain);
  drain();
}
