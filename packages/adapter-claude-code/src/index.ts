export {
  ClaudeCodeAdapter,
  type ClaudeCodeAdapterOptions,
  createClaudeCodeAdapter,
  STREAM_JSON_ARGS,
} from "./claude-code-adapter.js";
