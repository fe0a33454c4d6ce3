import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/** Answers the agent with an error status; `rule` names the policy rule that refused it. */
export type Refuse = (status: number, reason: string, rule?: string) => void;

/** Refusal on a CONNECT socket: a hand-written HTTP/1.1 response, then close. */
export function connectRefusal(client: Duplex): Refuse {
  return (status, reason, rule) => {
    const body = `${reason}\n`;
    const lines = [
      `HTTP/1.1 ${status} ${statusText(status)}`,
      "Content-Type: text/plain; charset=utf-8",
      `Content-Length: ${Buffer.byteLength(body)}`,
      "Connection: close",
    ];
    if (status === 407) lines.push('Proxy-Authenticate: Basic realm="openaxon"');
    if (rule) lines.push(`X-OpenAxon-Egress-Rule: ${rule}`);
    client.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
  };
}

/** Refusal of an absolute-form request; once headers went out, only a reset is left. */
export function responseRefusal(res: ServerResponse): Refuse {
  return (status, reason, rule) => {
    if (res.headersSent) return void res.destroy();
    const headers: Record<string, string> = {
      "content-type": "text/plain; charset=utf-8",
      connection: "close",
    };
    if (status === 407) headers["proxy-authenticate"] = 'Basic realm="openaxon"';
    if (rule) headers["x-openaxon-egress-rule"] = rule;
    res.writeHead(status, headers).end(`${reason}\n`);
  };
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: "Bad Request",
    403: "Forbidden",
    407: "Proxy Authentication Required",
    429: "Too Many Requests",
    502: "Bad Gateway",
  };
  return texts[status] ?? "Error";
}
