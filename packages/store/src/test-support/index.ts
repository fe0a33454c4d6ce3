export * from "./linearizability/index.js";
export {
  describeLogStoreContract,
  type LogStoreContractOptions,
  type LogStoreContractSubject,
  waitUntil,
} from "./log-store-contract.js";
export { describeRetentionContract, type RetentionContractOptions } from "./retention-contract.js";
export { userEvent } from "./user-event.js";
