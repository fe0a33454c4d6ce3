import type { EgressInput, NetworkPolicy } from "@openaxon/client";
import type { CommandContext } from "../context.js";
import { formatPolicyDetails, formatPolicyTable } from "../format/gateway.js";
import type { CidrRuleArg } from "../parse.js";

export interface EgressOptions {
  readonly allowHost?: string[];
  readonly allowCidr?: CidrRuleArg[];
  readonly allowAll?: boolean;
  readonly allowAgentGateway?: boolean;
}

export interface PolicyCreateOptions extends EgressOptions {
  readonly description?: string;
}

export interface PolicyUpdateOptions extends EgressOptions {
  readonly name?: string;
  readonly description?: string;
  /** Replace the egress rules even when no --allow flag is given (i.e. allow nothing). */
  readonly clear?: boolean;
}

export function egressFrom(options: EgressOptions): EgressInput {
  return {
    allowAll: options.allowAll ?? false,
    allowedHostnames: options.allowHost ?? [],
    allowedCidrs: options.allowCidr ?? [],
    allowAgentGateway: options.allowAgentGateway ?? false,
  };
}

function hasEgressFlags(options: EgressOptions): boolean {
  return (
    options.allowHost !== undefined ||
    options.allowCidr !== undefined ||
    options.allowAll === true ||
    options.allowAgentGateway === true
  );
}

async function printPolicy(context: CommandContext, policy: NetworkPolicy, idOnly: boolean): Promise<void> {
  if (context.json) {
    await context.out.line(JSON.stringify(policy));
    return;
  }
  if (idOnly) {
    await context.out.line(context.colors.bold(policy.id));
    return;
  }
  for (const line of formatPolicyDetails(policy, context.colors)) await context.out.line(line);
}

/** Prints the new policy's id (JSON: the policy in canonical form). */
export async function policyCreateCommand(
  context: CommandContext,
  name: string,
  options: PolicyCreateOptions,
): Promise<void> {
  const policy = await context.client.networkPolicies.create({
    name,
    description: options.description,
    egress: egressFrom(options),
  });
  await printPolicy(context, policy, true);
  if (!context.json && !hasEgressFlags(options)) {
    await context.note(
      context.errColors.yellow(
        `policy ${name} allows nothing yet — add rules with: axon policy update ${name} --allow-host api.github.com …`,
      ),
    );
  }
}

export async function policyListCommand(context: CommandContext): Promise<void> {
  const policies = await context.client.networkPolicies.list();
  if (context.json) {
    for (const policy of policies) await context.out.line(JSON.stringify(policy));
    return;
  }
  if (policies.length === 0) {
    await context.note(
      "no network policies yet — create one with `axon policy create NAME --allow-host HOST`",
    );
    return;
  }
  for (const line of formatPolicyTable(policies, context.colors)) await context.out.line(line);
}

export async function policyGetCommand(context: CommandContext, id: string): Promise<void> {
  await printPolicy(context, await context.client.networkPolicies.get(id), false);
}

/**
 * Name and description change when given. Any --allow flag (or --clear) replaces the whole egress
 * section with exactly what the flags say; without them the rules stay as they are.
 */
export async function policyUpdateCommand(
  context: CommandContext,
  id: string,
  options: PolicyUpdateOptions,
): Promise<void> {
  const replaceEgress = options.clear === true || hasEgressFlags(options);
  const policy = await context.client.networkPolicies.update(id, {
    ...(options.name !== undefined && { name: options.name }),
    ...(options.description !== undefined && { description: options.description }),
    ...(replaceEgress && { egress: egressFrom(options) }),
  });
  await printPolicy(context, policy, false);
}

export async function policyDeleteCommand(context: CommandContext, id: string): Promise<void> {
  await context.client.networkPolicies.delete(id);
  await context.out.line(
    context.json ? JSON.stringify({ id, deleted: true }) : `deleted network policy ${id}`,
  );
}
