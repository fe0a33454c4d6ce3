export { JsonlStdioAdapter } from "./jsonl-adapter.js";
export type { AgentToBroker, BrokerToAgent } from "./jsonl-protocol.js";
export { PerTurnStdioAdapter } from "./per-turn-adapter.js";
export { createStdioAdapter, JSONL_FLAG, stdioAdapterFactory } from "./stdio-adapter-factory.js";
export type { StdioAdapterOptions, StdioMode } from "./stdio-options.js";
