import type { SessionConfigOption, SessionConfigSelectOption } from "@agentclientprotocol/sdk";

/**
 * What session/new, session/load and session/resume may say about models: ACP's `configOptions`
 * (an option of category "model"), or the older unstable `models` state that agents built on the
 * 0.x SDK still send (claude-code-acp 0.16 does; @agentclientprotocol/sdk 2.x no longer types it).
 */
export interface SessionModelInfo {
  readonly configOptions?: readonly SessionConfigOption[] | null;
  readonly models?: {
    readonly currentModelId?: string;
    readonly availableModels?: readonly { readonly modelId: string }[];
  } | null;
}

export type ModelSelection =
  /** Already the current model. */
  | { readonly kind: "current" }
  /** `session/set_config_option` with this option id and value. */
  | { readonly kind: "config-option"; readonly configId: string; readonly value: string }
  /** The unstable `session/set_model`. */
  | { readonly kind: "set-model"; readonly modelId: string }
  /** The agent offers a model option, but not this model. */
  | { readonly kind: "not-offered"; readonly offered: readonly string[] }
  /** The agent says nothing about models over ACP. */
  | { readonly kind: "unsupported" };

/**
 * How to select `model` in a session. The standard config option wins; its values are a closed
 * list, so a model outside it is refused. The unstable `models` list is only the agent's
 * suggestions (claude-code-acp lists aliases such as "default" and "opus" but accepts any model id),
 * so set_model is sent for any name and the agent decides.
 */
export function modelSelection(info: SessionModelInfo, model: string): ModelSelection {
  const option = info.configOptions?.find((o) => o.category === "model" && o.type === "select");
  if (option && option.type === "select") {
    const values = selectValues(option.options);
    if (option.currentValue === model) return { kind: "current" };
    if (values.includes(model)) return { kind: "config-option", configId: option.id, value: model };
    return { kind: "not-offered", offered: values };
  }
  if (info.models) {
    if (info.models.currentModelId === model) return { kind: "current" };
    return { kind: "set-model", modelId: model };
  }
  return { kind: "unsupported" };
}

function selectValues(
  options:
    | readonly SessionConfigSelectOption[]
    | readonly { readonly options: readonly SessionConfigSelectOption[] }[],
): string[] {
  return options.flatMap((entry) => ("options" in entry ? entry.options.map((o) => o.value) : [entry.value]));
}
