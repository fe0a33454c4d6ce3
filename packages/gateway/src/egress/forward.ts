import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { forwardableHeaders, InvalidHeaderError } from "../http-headers.js";
import { admit } from "./admission.js";
import { formatAuthority, formatHost, parseAbsoluteHttpTarget } from "./authority.js";
import type { EgressContext } from "./context.js";
import { responseRefusal } from "./refusal.js";

/**
 * Absolute-form plain HTTP: admits the request and forwards it to exactly the checked address.
 * The Host header never routes anything; it is rewritten to the checked authority.
 */
export async function handleRequest(
  ctx: EgressContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const refuse = responseRefusal(res);
  let path = "/";
  const admitted = await admit(
    ctx,
    req,
    () => {
      const target = parseAbsoluteHttpTarget(req.url ?? "");
      if ("error" in target) return target;
      path = target.path;
      return { authority: target.authority };
    },
    refuse,
  );
  if (!admitted) return;
  const { runtimeId, address, authority, release } = admitted;
  res.once("close", release);
  let headers: string[];
  try {
    headers = forwardableHeaders(req.rawHeaders);
  } catch (error) {
    if (!(error instanceof InvalidHeaderError)) throw error;
    refuse(400, error.message);
    return;
  }
  // The checked authority is the only destination; a Host header naming anything else is
  // replaced, never followed (RFC 9112 §3.2.2).
  headers.push("Host", authority.port === 80 ? formatHost(authority.host) : formatAuthority(authority));
  const upstreamReq = httpRequest({
    method: req.method,
    path,
    headers,
    setHost: false,
    // No agent: each request gets its own connection to the address checked for it.
    createConnection: () =>
      ctx.dial(
        address,
        authority.port,
        () => {},
        () => {},
      ),
  });
  upstreamReq.on("response", (upstreamRes) => {
    let responseHeaders: string[];
    try {
      responseHeaders = forwardableHeaders(upstreamRes.rawHeaders);
    } catch {
      upstreamRes.destroy();
      refuse(502, "upstream sent an invalid header");
      return;
    }
    res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, responseHeaders);
    upstreamRes.pipe(res);
    upstreamRes.once("error", () => res.destroy());
  });
  upstreamReq.on("error", (error) => {
    ctx.log.debug(
      { runtime_id: runtimeId, host: formatAuthority(authority), err: error.message },
      "request failed",
    );
    refuse(502, "upstream connection failed");
  });
  res.once("close", () => upstreamReq.destroy());
  req.pipe(upstreamReq);
  ctx.runtimes.track(runtimeId, req.socket);
}
