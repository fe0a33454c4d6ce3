import type { Duplex } from "node:stream";
import type { Clock } from "@openaxon/core";
import type { Dialer } from "./dialer.js";

/** Dials a checked address; exactly one of the callbacks runs. */
export type Dial = (
  address: string,
  port: number,
  onConnect: () => void,
  onFail: (error: Error) => void,
) => Duplex;

/** A dial that gives up on an upstream that has not accepted the TCP connection within `timeoutMs`. */
export function timedDial(dialer: Dialer, clock: Clock, timeoutMs: number): Dial {
  return (address, port, onConnect, onFail) => {
    const upstream = dialer(address, port);
    const timer = clock.setTimer(timeoutMs, () => upstream.destroy(new Error("connect timeout")));
    upstream.once("connect", () => {
      timer.cancel();
      onConnect();
    });
    upstream.on("error", (error) => {
      timer.cancel();
      onFail(error);
    });
    return upstream;
  };
}
