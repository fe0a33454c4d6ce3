// Building blocks shared by the agent adapters (ACP, Claude Code, stdio) and the runtime that
// launches them; a subpath so the broker's main entry stays free of process handling.
export { describeError, describeExit, type ExitInfo } from "../describe.js";
export { AgentProcess, type AgentProcessOptions, processGroupAlive } from "./agent-process.js";
export { AsyncQueue } from "./async-queue.js";
export { findExecutable } from "./find-executable.js";
export { StderrLines } from "./stderr-lines.js";
