import type {
  AgentProtocolName,
  CreateRuntimeInput,
  GatewayBinding,
  PermissionPolicyName,
} from "@openaxon/client";
import { parseLabels } from "./labels.js";
import { parseLaunchArgs } from "./launch-args.js";

/** The create-runtime form as typed: every field a string, as the inputs hold them. */
export interface RuntimeForm {
  readonly name: string;
  readonly axonId: string;
  readonly protocol: AgentProtocolName;
  readonly agentBinary: string;
  /** Split on whitespace. */
  readonly args: string;
  readonly cwd: string;
  /** `K=V, K=V` */
  readonly env: string;
  readonly permissionPolicy: PermissionPolicyName;
  /** Name or id; "" = the server's default stance. */
  readonly networkPolicy: string;
  /** "" = never idles out. */
  readonly idleSeconds: string;
  readonly onIdle: "suspend" | "shutdown";
  readonly resumeOnEvent: boolean;
  /** `PREFIX=gateway:secret, …` (names or ids). */
  readonly gateways: string;
}

export const EMPTY_RUNTIME_FORM: RuntimeForm = {
  name: "",
  axonId: "",
  protocol: "stdio",
  agentBinary: "",
  args: "",
  cwd: "",
  env: "",
  permissionPolicy: "auto_allow",
  networkPolicy: "",
  idleSeconds: "",
  onIdle: "suspend",
  resumeOnEvent: true,
  gateways: "",
};

/**
 * The CreateRuntime request for a filled-in form, or what to fix. Only what the person typed is
 * sent; everything left empty is the server's default.
 */
export function runtimeInputFromForm(form: RuntimeForm): CreateRuntimeInput | { readonly error: string } {
  if (form.axonId.trim() === "") return { error: "an axon id is required" };
  if (form.agentBinary.trim() === "") return { error: "an agent (the program to run) is required" };
  const gateways = parseGatewayBindings(form.gateways);
  if ("error" in gateways) return gateways;
  const launchArgs = parseLaunchArgs(form.args);
  if ("error" in launchArgs) return launchArgs;
  const idle = form.idleSeconds.trim();
  if (idle !== "" && !/^\d+$/.test(idle))
    return { error: `idle seconds must be a whole number, not "${idle}"` };
  return {
    ...(form.name.trim() && { name: form.name.trim() }),
    mounts: [
      {
        axonId: form.axonId.trim(),
        protocol: form.protocol,
        agentBinary: form.agentBinary.trim(),
        launchArgs: [...launchArgs],
        permissionPolicy: form.permissionPolicy,
      },
    ],
    env: parseLabels(form.env),
    ...(form.cwd.trim() && { workingDirectory: form.cwd.trim() }),
    ...(form.networkPolicy.trim() && { networkPolicy: form.networkPolicy.trim() }),
    ...(Object.keys(gateways.bindings).length > 0 && { gateways: gateways.bindings }),
    ...((idle !== "" || !form.resumeOnEvent) && {
      lifecycle: {
        idleTimeSeconds: idle === "" ? 0 : Number(idle),
        onIdle: form.onIdle,
        resumeOnEvent: form.resumeOnEvent,
      },
    }),
  };
}

/** `GWS_A=anthropic:anthropic-key, GWS_B=gwc_1:sec_2` → bindings keyed by env-var prefix. */
export function parseGatewayBindings(
  text: string,
): { readonly bindings: Record<string, GatewayBinding> } | { readonly error: string } {
  const bindings: Record<string, GatewayBinding> = {};
  for (const part of text.split(",")) {
    if (part.trim() === "") continue;
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([^:\s]+)\s*:\s*(\S+)\s*$/.exec(part);
    if (!match) return { error: `gateway binding "${part.trim()}" should read PREFIX=gateway:secret` };
    bindings[match[1]!] = { gateway: match[2]!, secret: match[3]! };
  }
  return { bindings };
}
