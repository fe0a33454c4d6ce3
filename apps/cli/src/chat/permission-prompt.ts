import { createInterface } from "node:readline/promises";
import type { PermissionRequest } from "@openaxon/client";
import type { CliIo } from "../io.js";
import type { ChatOutput } from "./chat-output.js";

type Request = Omit<PermissionRequest, "sequence">;

/** How to answer from another shell, for chats that cannot ask (stdin is not a terminal, --json). */
export function permissionHints(axonId: string, request: Request): string[] {
  const publish = (payload: object) =>
    `axon publish ${axonId} --type permission.response '${JSON.stringify(payload)}'`;
  return [
    ...request.options.map(
      (option) =>
        `  ${publish({ request_id: request.requestId, option_id: option.optionId })}   # ${option.name}`,
    ),
    `  ${publish({ request_id: request.requestId, outcome: "rejected" })}   # reject`,
  ];
}

export function describeRequest(request: Request): string {
  const { title, kind } = request.toolCall;
  return `${title || request.toolCall.toolCallId}${kind ? ` (${kind})` : ""}`;
}

/**
 * Asks on the terminal which option to take; resolves to an option id or "rejected". Ctrl-C at
 * the prompt is passed on as SIGINT (the chat then cancels the turn) and aborts the question.
 */
export async function askPermission(
  io: CliIo,
  output: ChatOutput,
  request: Request,
  signal: AbortSignal,
): Promise<string | undefined> {
  const c = output.colors;
  output.line(`${c.yellow("?")} the agent asks permission: ${c.bold(describeRequest(request))}`);
  request.options.forEach((option, i) => {
    output.line(`  ${c.bold(String(i + 1))}) ${option.name} ${c.dim(option.kind)}`);
  });
  output.line(`  ${c.bold("r")}) reject`);
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  rl.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
  try {
    for (;;) {
      const answer = (await rl.question(`choose 1-${request.options.length} or r: `, { signal })).trim();
      if (answer === "r" || answer === "R") return "rejected";
      const option = request.options[Number(answer) - 1];
      if (/^\d+$/.test(answer) && option) return option.optionId;
    }
  } catch (error) {
    if (signal.aborted) return undefined;
    throw error;
  } finally {
    rl.close();
  }
}
