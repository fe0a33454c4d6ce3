import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentLaunch } from "@openaxon/broker";

/**
 * A Pi extension of this package: the sibling module of this one, as TypeScript when the adapter
 * runs from source and as JavaScript once built (Pi loads either).
 */
const extensionPath = (name: string) =>
  fileURLToPath(new URL(`./${name}${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

export const PERMISSION_GATE_PATH = extensionPath("permission-gate-extension");
export const BASE_URL_EXTENSION_PATH = extensionPath("base-url-extension");

/**
 * The flags after the mount's own: RPC mode; `--offline` so Pi makes no update checks or install
 * pings of its own (the model requests are all it sends); the permission gate and the endpoint
 * variables (see each extension); the mount's model
 * (`--model` takes `provider/id` or a pattern, as `pi --list-models` shows them); and the session
 * to reopen (`--session` takes the id Pi reported, matched among the sessions of this cwd).
 */
export function piArgs(launch: Pick<AgentLaunch, "model">, resumeSessionId: string | undefined): string[] {
  return [
    "--mode",
    "rpc",
    "--offline",
    "--extension",
    PERMISSION_GATE_PATH,
    "--extension",
    BASE_URL_EXTENSION_PATH,
    ...(launch.model === undefined ? [] : ["--model", launch.model]),
    ...(resumeSessionId === undefined ? [] : ["--session", resumeSessionId]),
  ];
}
