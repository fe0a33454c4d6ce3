import type { Command } from "commander";
import type { ActionFactory } from "../action.js";
import {
  type PolicyCreateOptions,
  type PolicyUpdateOptions,
  policyCreateCommand,
  policyDeleteCommand,
  policyGetCommand,
  policyListCommand,
  policyUpdateCommand,
} from "../commands/policy.js";
import { collect, collectCidrRule } from "../parse.js";

const service = "NetworkPolicyService";

function withEgressFlags(command: Command): Command {
  return command
    .option(
      "--allow-host <host>",
      "host name on any port, e.g. api.github.com or *.github.com (repeatable)",
      collect,
    )
    .option(
      "--allow-cidr <CIDR[:PORTS]>",
      "address range, optionally on ports: 10.0.0.0/8, 10.1.2.0/24:443,8000-8080 (repeatable)",
      collectCidrRule,
    )
    .option("--allow-all", "any public address on any port (private ranges still need --allow-cidr)")
    .option(
      "--allow-agent-gateway",
      "the agent may reach its credential gateway bindings (needed for --gateway)",
    );
}

/** `axon policy create|list|get|update|delete`. */
export function registerPolicyCommands(program: Command, action: ActionFactory): void {
  const policy = program
    .command("policy")
    .description("network policies: what a runtime's agent may connect to");

  withEgressFlags(
    policy
      .command("create")
      .description("create a network policy and print its id (nothing is allowed unless a flag says so)")
      .argument("<name>", "unique name, e.g. github-only"),
  )
    .option("--description <text>", "what the policy is for")
    .action(
      action(
        (context, name: string, options: PolicyCreateOptions) => policyCreateCommand(context, name, options),
        { service },
      ),
    );

  policy
    .command("list")
    .description("list network policies")
    .action(action((context) => policyListCommand(context), { service }));

  policy
    .command("get")
    .description("show one network policy")
    .argument("<id|name>", "policy id (np_…) or name")
    .action(action((context, id: string) => policyGetCommand(context, id), { service }));

  withEgressFlags(
    policy
      .command("update")
      .description(
        "rename or redescribe a policy; any --allow flag (or --clear) replaces all its rules with the ones given",
      )
      .argument("<id|name>", "policy id (np_…) or name"),
  )
    .option("--name <name>", "new name")
    .option("--description <text>", "new description")
    .option("--clear", "replace the rules even when no --allow flag is given (allow nothing)")
    .action(
      action(
        (context, id: string, options: PolicyUpdateOptions) => policyUpdateCommand(context, id, options),
        { service },
      ),
    );

  policy
    .command("delete")
    .description("delete a network policy (refused while a runtime uses it)")
    .argument("<id|name>", "policy id (np_…) or name")
    .action(action((context, id: string) => policyDeleteCommand(context, id), { service }));
}
