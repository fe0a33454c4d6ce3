import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { admit } from "./admission.js";
import { formatAuthority, parseConnectAuthority } from "./authority.js";
import type { EgressContext } from "./context.js";
import { connectRefusal } from "./refusal.js";

/** CONNECT: admits the request, dials the checked address and splices the two sockets. */
export async function handleConnect(
  ctx: EgressContext,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
): Promise<void> {
  client.on("error", () => client.destroy());
  const refuse = connectRefusal(client);
  const admitted = await admit(
    ctx,
    req,
    () => {
      const parsed = parseConnectAuthority(req.url ?? "");
      return "error" in parsed ? parsed : { authority: parsed };
    },
    refuse,
  );
  if (!admitted) return;
  const { runtimeId, address, authority, release } = admitted;
  if (client.destroyed) {
    release();
    return;
  }
  let open = 2;
  const closed = () => {
    open -= 1;
    if (open === 0) release();
  };
  client.once("close", closed);
  let established = false;
  const upstream = ctx.dial(
    address,
    authority.port,
    () => {
      established = true;
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    },
    (error) => {
      ctx.log.debug(
        { runtime_id: runtimeId, host: formatAuthority(authority), err: error.message },
        "tunnel failed",
      );
      if (!established) refuse(502, "upstream connection failed");
      else client.destroy();
    },
  );
  upstream.once("close", closed);
  // A clean end travels through pipe() as a half-close; only a vanished client tears down.
  client.once("close", () => upstream.destroy());
  ctx.runtimes.track(runtimeId, client, upstream);
}
