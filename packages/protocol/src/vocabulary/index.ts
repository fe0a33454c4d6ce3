/**
 * The event vocabulary (DESIGN.md): origins, event types, payload shapes and their validators. One
 * hand-written module that the store, broker, runtime, gateway, client, CLI and console import, so
 * there is one spelling of each name. It loads no protobuf code.
 */
export * from "./event-type.js";
export * from "./origin.js";
export * from "./parse.js";
export * from "./payloads.js";
