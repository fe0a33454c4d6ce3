/**
 * A Pi extension the adapter loads into every Pi it starts (`-e <this file>`). Pi itself never asks
 * before running a tool ("no permission popups"); this turns each tool call that can change
 * something into a `select` dialog, which Pi's RPC mode sends to the adapter as an
 * `extension_ui_request`, and the adapter answers it with the broker's permission policy. Pi
 * loads the file on its own (through jiti), so it imports nothing at run time.
 */

/** Title of the dialog: this prefix, then the tool call id. */
export const PERMISSION_TITLE_PREFIX = "openaxon.permission:";
export const ALLOW = "allow";
export const REJECT = "reject";
export const DENIED_REASON = "The user denied permission for this tool call.";

/** Pi's built-in tools that only read: they run without asking, as Claude Code's Read does. */
export const READ_ONLY_TOOLS: ReadonlySet<string> = new Set(["read", "grep", "find", "ls"]);

/** The part of Pi's ExtensionAPI this extension uses (checked against Pi's types in the tests). */
export interface PermissionGateApi {
  on(
    event: "tool_call",
    handler: (
      event: { toolName: string; toolCallId: string },
      ctx: {
        signal: AbortSignal | undefined;
        ui: {
          select(
            title: string,
            options: string[],
            opts?: { signal?: AbortSignal },
          ): Promise<string | undefined>;
        };
      },
    ) => Promise<{ block: true; reason: string } | undefined>,
  ): void;
}

export default function openaxonPermissionGate(pi: PermissionGateApi): void {
  pi.on("tool_call", async (event, ctx) => {
    if (READ_ONLY_TOOLS.has(event.toolName)) return undefined;
    // The turn's abort signal withdraws the dialog when the turn is cancelled (answer: undefined).
    const signal = ctx.signal;
    const choice = await ctx.ui.select(`${PERMISSION_TITLE_PREFIX}${event.toolCallId}`, [ALLOW, REJECT], {
      ...(signal && { signal }),
    });
    if (choice === ALLOW) return undefined;
    return { block: true, reason: choice === REJECT ? DENIED_REASON : "No permission was given." };
  });
}
