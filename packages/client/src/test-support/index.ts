export { type RealServer, type RealServerOptions, startRealServer } from "./real-server.js";
