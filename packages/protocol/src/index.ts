export * from "./gen/openaxon/v1/axon_pb.js";
export * from "./gen/openaxon/v1/gateway_pb.js";
export * from "./gen/openaxon/v1/runtime_pb.js";
export * from "./gen/openaxon/v1/sql_pb.js";
export * from "./gen/openaxon/v1/webhook_pb.js";
export * from "./gen/openaxon/wire/v1/subscribe_wire_pb.js";
