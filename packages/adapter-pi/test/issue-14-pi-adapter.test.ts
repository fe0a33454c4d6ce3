import { describeAdapterContract } from "@openaxon/broker/test-support";
import { piSubject } from "./pi-world.js";

// The real Pi coding agent (@mariozechner/pi-coding-agent 0.73.1, from the npm registry) in RPC
// mode, its Anthropic provider pointed at a fake Messages API on 127.0.0.1.
const AGENT_TIMEOUT = 90_000;

describeAdapterContract("PiAdapter with Pi", () => piSubject(), {
  resumedAs: "cli-resume",
  apiError: /turn failed: .*max_tokens: bogus value/,
  timeoutMs: AGENT_TIMEOUT,
});
