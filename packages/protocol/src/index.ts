export * from "./gen/openaxon/v1/axon_pb.js";
