export { BASE_URL_EXTENSION_PATH, PERMISSION_GATE_PATH, piArgs } from "./launch-args.js";
export { createPiAdapter, PiAdapter, type PiAdapterOptions } from "./pi-adapter.js";
