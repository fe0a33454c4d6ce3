export { AdapterDriver, type Decide, refuseToAsk, textOf } from "./adapter-driver.js";
export { type AxonFixture, axonFixture, settle } from "./axon-fixture.js";
export { ManualClock } from "./manual-clock.js";
export { type AgentScript, type AgentStep, echoScript, ScriptedAgent } from "./scripted-agent.js";
export { severableLink } from "./severable-link.js";
export { checkTurnLog } from "./turn-log-invariants.js";
