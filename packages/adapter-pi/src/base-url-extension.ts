/**
 * A Pi extension the adapter loads beside the permission gate. Pi takes a provider's endpoint only
 * from models.json; OpenAxon hands agents theirs in the environment (`ANTHROPIC_BASE_URL=
 * ${GWS_…_URL}` for a credential-gateway binding, a URL that can change at every start). This
 * points Pi's built-in providers at those variables when the mount sets them, as Claude Code and the
 * vendors' SDKs do. Pi loads the file on its own (through jiti), so it imports nothing at run time.
 */

/** Pi's built-in provider → the variable that overrides its endpoint. */
export const BASE_URL_VARIABLES: Readonly<Record<string, string>> = {
  anthropic: "ANTHROPIC_BASE_URL",
  openai: "OPENAI_BASE_URL",
};

/** The part of Pi's ExtensionAPI this extension uses (checked against Pi's types in the tests). */
export interface BaseUrlApi {
  registerProvider(name: string, config: { baseUrl: string }): void;
}

/** The overrides `env` asks for: provider → base URL. */
export function baseUrlOverrides(env: Readonly<Record<string, string | undefined>>): [string, string][] {
  return Object.entries(BASE_URL_VARIABLES).flatMap(([provider, variable]) => {
    const url = env[variable];
    return url ? [[provider, url] as [string, string]] : [];
  });
}

export default function openaxonBaseUrls(pi: BaseUrlApi): void {
  // A provider given only a baseUrl keeps its models and key; only the endpoint changes.
  for (const [provider, baseUrl] of baseUrlOverrides(process.env)) pi.registerProvider(provider, { baseUrl });
}
