export { type CodexTestHome, codexConfigToml, codexTestHome, FAKE_OPENAI_KEY_VAR } from "./codex-env.js";
export { type FakeOpenAIOptions, FakeOpenAIServer, type ReplyScript } from "./fake-openai-server.js";
export {
  type InputItem,
  lastUserText,
  type RecordedRequest,
  type ResponsesRequestBody,
  transcript,
} from "./recorded-request.js";
export {
  type ErrorReply,
  errorReply,
  type FakeReply,
  type FunctionCallReply,
  functionCallReply,
  slowTextReply,
  type TextReply,
  textReply,
} from "./replies.js";
