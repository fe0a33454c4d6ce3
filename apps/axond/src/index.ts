export { type RunningAxond, startAxond } from "./axond.js";
export { type AxondConfig, type CommandLine, type LogLevel, resolveConfig } from "./config.js";
export { formatListenUrl, isLoopbackHost, type ListenAddress, parseListenAddress } from "./listen-address.js";
export { StartupError } from "./startup-error.js";
