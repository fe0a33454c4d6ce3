export { CodexAdapter, type CodexAdapterOptions, createCodexAdapter } from "./codex-adapter.js";
export { appServerArgs, mcpServerOverride } from "./launch-args.js";
