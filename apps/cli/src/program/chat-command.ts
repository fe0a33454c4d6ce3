import type { Command } from "commander";
import type { ActionFactory } from "../action.js";
import { type ChatOptions, chatCommand } from "../commands/chat.js";

/** `axon chat AXON_ID "message"`. */
export function registerChatCommand(program: Command, action: ActionFactory, stop: AbortSignal): void {
  program
    .command("chat")
    .description("send a message to the agent on an axon and stream its reply (Ctrl-C cancels the turn)")
    .argument("<axon-id>", "axon id (axn_…)")
    .argument("[message...]", "what to say (- or nothing: read it from stdin)")
    .option("--no-check", "do not check that a runtime of this server hosts the axon's agent")
    .option("-v, --verbose", "also show agent stderr (agent.log) and other events")
    .option("--new-session", "the agent starts a fresh session for this message (earlier ones are kept)")
    .option("--session <id>", "the agent continues this session (an agent_session_id from session.started)")
    .action(
      action(
        (context, axonId: string, words: string[], options: ChatOptions) =>
          chatCommand(context, axonId, words, options, stop),
        { axonIdArg: true },
      ),
    );
}
