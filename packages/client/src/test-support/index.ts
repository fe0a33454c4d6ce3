export { type RealServer, type RealServerOptions, startRealServer } from "./real-server.js";
export { type CollectingChild, spawnCollecting } from "./spawn-collecting.js";
