import type { Command } from "commander";
import type { ActionFactory } from "../action.js";
import {
  type SecretCreateOptions,
  secretCreateCommand,
  secretDeleteCommand,
  secretListCommand,
} from "../commands/secret.js";
import { UsageError } from "../errors.js";

const service = "SecretService";

/** `axon secret create|list|delete`. */
export function registerSecretCommands(program: Command, action: ActionFactory): void {
  const secret = program
    .command("secret")
    .description("write-only secrets for the credential gateway (values are never shown)");

  secret
    .command("create")
    .description("store a secret read from stdin, a hidden prompt, or --from-env; prints its id")
    .argument("<name>", "unique name, e.g. anthropic-key")
    .option("--from-env <VAR>", "take the value from this environment variable")
    .allowExcessArguments(true)
    .hook("preAction", (command) => {
      // Refused without echoing it: a value on the command line is already in shell history and `ps`.
      if (command.args.length > 1) {
        throw new UsageError(
          'secret values are never taken from the command line (shell history, ps) — pipe the value in (printf %s "$KEY" | axon secret create NAME), type it at the prompt, or use --from-env VAR',
        );
      }
    })
    .action(
      action(
        (context, name: string, options: SecretCreateOptions) => secretCreateCommand(context, name, options),
        { service },
      ),
    );

  secret
    .command("list")
    .description("list secrets (names and ids only)")
    .action(action((context) => secretListCommand(context), { service }));

  secret
    .command("delete")
    .description("delete a secret (refused while a runtime uses it)")
    .argument("<id|name>", "secret id (sec_…) or name")
    .action(action((context, id: string) => secretDeleteCommand(context, id), { service }));
}
