import type { Command } from "commander";
import type { ActionFactory } from "../action.js";
import {
  type GatewayCreateOptions,
  gatewayCreateCommand,
  gatewayDeleteCommand,
  gatewayGetCommand,
  gatewayListCommand,
} from "../commands/gateway.js";
import { collectKeyValue, parseAuth } from "../parse.js";

const service = "GatewayConfigService";

/** `axon gateway create|list|get|delete`. */
export function registerGatewayCommands(program: Command, action: ActionFactory): void {
  const gateway = program
    .command("gateway")
    .description("credential gateways: upstream APIs an agent calls with a secret it never sees");

  gateway
    .command("create")
    .description("create a gateway config and print its id")
    .argument("<name>", "unique name, e.g. anthropic")
    .requiredOption("--endpoint <url>", "upstream base URL, e.g. https://api.anthropic.com")
    .requiredOption(
      "--auth <mechanism>",
      "where the secret goes: header:NAME (e.g. header:x-api-key), bearer, or basic:USER",
      parseAuth,
    )
    .option(
      "--header <K=V>",
      "header added to every forwarded request (repeatable)",
      collectKeyValue("--header"),
    )
    .option("--description <text>", "what the gateway is for")
    .action(
      action(
        (context, name: string, options: GatewayCreateOptions) =>
          gatewayCreateCommand(context, name, options),
        { service },
      ),
    );

  gateway
    .command("list")
    .description("list gateway configs")
    .action(action((context) => gatewayListCommand(context), { service }));

  gateway
    .command("get")
    .description("show one gateway config")
    .argument("<id|name>", "gateway config id (gwc_…) or name")
    .action(action((context, id: string) => gatewayGetCommand(context, id), { service }));

  gateway
    .command("delete")
    .description("delete a gateway config (refused while a runtime uses it)")
    .argument("<id|name>", "gateway config id (gwc_…) or name")
    .action(action((context, id: string) => gatewayDeleteCommand(context, id), { service }));
}
