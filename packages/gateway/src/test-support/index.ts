/** Test helpers for other packages' suites: an agent world (proxy + gateway + fake upstream). */
export { AGENT_SCRIPT, type AgentRun, filesUnder, runAgent, startAgentWorld } from "./agent-world.js";
export { call, endpoint, memoryLogger, SECRET } from "./gateway-harness.js";
