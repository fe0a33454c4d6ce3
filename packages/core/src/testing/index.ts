// Test doubles for the core's ports; a subpath so production code never loads them.
export { ManualClock } from "./manual-clock.js";
