import { request } from "node:http";
import { systemRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import {
  type CredentialGatewayOptions,
  createAuditLimiter,
  type GatewayAccessPayload,
  type GatewayAuditEvent,
  type GatewayEndpoint,
  type GatewayLogger,
  startCredentialGateway,
} from "@openaxon/gateway";
import { AuthMechanismType } from "@openaxon/protocol";

export const SECRET = "sk-ant-api03-REAL-SECRET-never-shown-0123456789";

export function endpoint(url: string, partial: Partial<GatewayEndpoint> = {}): GatewayEndpoint {
  return {
    id: "gwc_test",
    name: "test",
    endpoint: url,
    authMechanism: { type: AuthMechanismType.BEARER, key: "" },
    customHeaders: {},
    ...partial,
  };
}

/** A logger that keeps every line, so tests can grep logs for secrets. */
export function memoryLogger(): GatewayLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (fields: object, message: string) => {
    lines.push(JSON.stringify({ level, ...fields, message }));
  };
  return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

export async function startTestGateway(options: Partial<CredentialGatewayOptions> = {}) {
  const events: GatewayAuditEvent[] = [];
  const clock = new ManualClock();
  const logger = memoryLogger();
  const auditLimiter = createAuditLimiter((event) => events.push(event), { clock, burst: 10_000 });
  const gateway = await startCredentialGateway({ clock, rng: systemRng, auditLimiter, logger, ...options });
  return {
    gateway,
    events,
    logger,
    access_events: () =>
      events.flatMap((e) =>
        e.eventType === "gateway.suppressed" ? [] : [{ type: e.eventType, ...e.payload }],
      ) as Array<GatewayAccessPayload & { type: string }>,
    close: () => gateway.close(),
  };
}

export interface SimpleResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A plain HTTP request to a loopback URL, body collected. */
export function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}
