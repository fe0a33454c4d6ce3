import http2 from "node:http2";
import { performance } from "node:perf_hooks";
import { ResetBudget } from "./reset-budget.js";

export interface H2SessionGuardOptions {
  /** Close the session (GOAWAY) after this long with no open stream. */
  readonly idleTimeoutMs: number;
  readonly resetBurst: number;
  readonly resetsPerSecond: number;
  /** The session was closed for resetting streams faster than its budget allows. */
  readonly onResetFlood: (session: http2.ServerHttp2Session) => void;
}

/**
 * Per-connection HTTP/2 policing that nghttp2's settings do not cover:
 * - idle means "no open stream", not "no frames": a Subscribe stream that stays quiet between
 *   heartbeats keeps its connection, while a connection parked with nothing open is closed and
 *   its file descriptor freed;
 * - streams the client resets before their response ends are paid for from a ResetBudget, and a
 *   session that overspends is closed with ENHANCE_YOUR_CALM.
 */
export function guardH2Session(session: http2.ServerHttp2Session, options: H2SessionGuardOptions): void {
  let open = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const budget = new ResetBudget(options.resetBurst, options.resetsPerSecond, performance.now());

  const armIdle = () => {
    idleTimer = setTimeout(() => {
      if (open === 0 && !session.closed) session.close();
    }, options.idleTimeoutMs);
    idleTimer.unref();
  };
  const disarmIdle = () => {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    idleTimer = undefined;
  };

  session.on("stream", (stream) => {
    open++;
    disarmIdle();
    stream.once("aborted", () => {
      if (session.destroyed || budget.spend(performance.now())) return;
      options.onResetFlood(session);
      session.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
      session.destroy();
    });
    stream.once("close", () => {
      open--;
      if (open === 0 && !session.closed && !session.destroyed) armIdle();
    });
  });
  session.once("close", disarmIdle);
  armIdle();
}
