import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Clock } from "@openaxon/core";
import { AxonNotFoundError, type LogStore, Origin } from "@openaxon/store";
import type { Logger } from "pino";
import { decideWebhookDelivery } from "./decide-webhook-delivery.js";
import { readCappedBody } from "./read-capped-body.js";
import { isWebhookPath, parseWebhookPath } from "./webhook-path.js";
import type { WebhookRegistry } from "./webhook-registry.js";

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** Largest delivery body accepted (GitHub caps its payloads at 25 MB, but real ones are far smaller). */
export const DEFAULT_MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export interface WebhookEndpointOptions {
  readonly webhooks: WebhookRegistry;
  readonly store: Pick<LogStore, "append">;
  /** The signed-timestamp window is checked against it. */
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxBodyBytes?: number;
}

/**
 * `POST /webhooks/<axon_id>/<hook>`: thin I/O around `decideWebhookDelivery`. Returns true when
 * the request was for it (everything under `/webhooks/`). Answers JSON: `{sequence, duplicate}`
 * on success, `{challenge}` for Slack's URL check, `{error}` otherwise — 404 unknown axon or hook,
 * 405 not POST, 413 body over the cap, 401 signature (audited), 400 signed but unusable.
 */
export function webhookEndpoint(
  options: WebhookEndpointOptions,
): (request: Request, response: Response) => boolean {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BODY_BYTES;
  const { logger } = options;
  return (request, response) => {
    if (!isWebhookPath(request.url)) return false;
    if (request.method !== "POST") {
      answer(response, 405, { error: "webhooks take POST" }, { allow: "POST" });
      return true;
    }
    void deliver(request, response).catch((error: unknown) => {
      logger.error({ err: error, path: pathOf(request) }, "webhook delivery failed");
      if (!response.headersSent) answer(response, 500, { error: "internal error; see the server's log" });
    });
    return true;
  };

  async function deliver(request: Request, response: Response): Promise<void> {
    const target = parseWebhookPath(request.url ?? "");
    const webhook = target && (await options.webhooks.find(target.axonId, target.name));
    if (!webhook) {
      answer(response, 404, { error: "no such webhook: the path is /webhooks/<axon_id>/<webhook name>" });
      return;
    }
    const body = await readCappedBody(request, maxBodyBytes);
    if (body === "too-large") {
      answer(response, 413, { error: `the body is larger than ${maxBodyBytes} bytes` });
      return;
    }
    const secret = await options.webhooks.signingSecret(webhook);
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]),
    );
    const decision = decideWebhookDelivery({ headers, body }, webhook, secret, options.clock.now());
    const about = {
      axon_id: webhook.axonId,
      webhook_id: webhook.id,
      webhook: webhook.name,
      provider: webhook.provider,
    };
    switch (decision.kind) {
      case "refuse":
        if (decision.status === 401) {
          // The audit line: who tried, at which hook, and why it was refused (never a secret).
          logger.warn(
            {
              ...about,
              audit: "webhook.refused",
              status: 401,
              reason: decision.reason,
              peer: request.socket?.remoteAddress,
            },
            "webhook delivery refused",
          );
        } else {
          logger.info(
            { ...about, status: decision.status, reason: decision.reason },
            "webhook delivery rejected",
          );
        }
        answer(response, decision.status, { error: decision.reason });
        return;
      case "answer":
        answer(response, 200, decision.body);
        return;
      case "publish": {
        const event = {
          origin: Origin.External,
          source: webhook.name,
          eventType: decision.eventType,
          payload: decision.payload,
        };
        let result: Awaited<ReturnType<LogStore["append"]>>;
        try {
          result = await options.store.append(webhook.axonId, [event], {
            ...(decision.idempotencyKey !== undefined && { idempotencyKey: decision.idempotencyKey }),
          });
        } catch (error) {
          if (!(error instanceof AxonNotFoundError)) throw error;
          answer(response, 404, { error: `axon ${webhook.axonId} no longer exists` });
          return;
        }
        logger.info(
          {
            ...about,
            event_type: decision.eventType,
            sequence: result.firstSequence,
            duplicate: result.duplicate,
          },
          "webhook delivery published",
        );
        answer(response, 200, { sequence: result.firstSequence, duplicate: result.duplicate });
        return;
      }
    }
  }
}

function answer(
  response: Response,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  response.end(JSON.stringify(body));
}

function pathOf(request: Request): string {
  return (request.url ?? "").split("?", 1)[0]!.slice(0, 200);
}
