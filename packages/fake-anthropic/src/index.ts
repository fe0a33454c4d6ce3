export { bundledClaudeCode, type ClaudeCodeTestHome, claudeCodeTestHome } from "./claude-code-env.js";
export { type FakeAnthropicOptions, FakeAnthropicServer, type ReplyScript } from "./fake-anthropic-server.js";
export {
  type ContentBlockParam,
  lastUserText,
  type MessageParam,
  type MessagesRequestBody,
  type RecordedRequest,
  transcript,
} from "./recorded-request.js";
export {
  type ErrorReply,
  errorReply,
  type FakeReply,
  slowTextReply,
  type TextReply,
  type ToolUseReply,
  textReply,
  toolUseReply,
} from "./replies.js";
