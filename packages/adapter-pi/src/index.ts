export { PERMISSION_GATE_PATH, piArgs } from "./launch-args.js";
export { createPiAdapter, PiAdapter, type PiAdapterOptions } from "./pi-adapter.js";
