export { AcpAdapter, type AcpAdapterOptions, createAcpAdapter } from "./acp-adapter.js";
