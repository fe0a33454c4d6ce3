export { makeSelfSignedCert, type SelfSignedCert } from "./self-signed-cert.js";
