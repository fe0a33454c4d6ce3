// Re-exported for the broker and runtime tests that import it from here; it lives in core.
export { ManualClock } from "@openaxon/core/testing";
export {
  type AdapterContractOptions,
  type AdapterContractSubject,
  type ContractAdapter,
  describeAdapterContract,
  type ScriptedModel,
} from "./adapter-contract.js";
export { AdapterDriver, type Decide, refuseToAsk, textOf } from "./adapter-driver.js";
export { type AxonFixture, axonFixture, settle } from "./axon-fixture.js";
export {
  type AdapterInWorld,
  adapterInFakeModelWorld,
  type FakeModelWorld,
  fakeModelWorld,
} from "./fake-model-world.js";
export { type AgentScript, type AgentStep, echoScript, ScriptedAgent } from "./scripted-agent.js";
export { severableLink } from "./severable-link.js";
export { checkTurnLog } from "./turn-log-invariants.js";
