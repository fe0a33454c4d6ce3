/**
 * @openaxon/gateway/credentials — the credential gateway: `authorizeBindingRequest` (pure), the
 * binding table, upstream forwarding and the secret scrubber.
 */

export {
  authorizeBindingRequest,
  type BindingAuthorization,
  type BindingRequest,
} from "./authorize.js";
export { type BindingLookup, BindingTable } from "./binding-table.js";
export {
  type BindingRegistration,
  type CredentialGateway,
  type CredentialGatewayOptions,
  type GatewayEndpoint,
  type IssuedBinding,
  startCredentialGateway,
} from "./credential-gateway.js";
export { createSecretScrubber, REDACTED, scrubText, secretForms } from "./secret-scrubber.js";
