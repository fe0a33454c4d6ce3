export { assertAxonLogLinearizable } from "./assert-linearizable.js";
export {
  type AppendOutcome,
  type AxonLogOperation,
  type AxonLogState,
  axonLogModel,
  modelRead,
  stepAxonLog,
} from "./axon-log-model.js";
export {
  checkLinearizable,
  type LinearizabilityResult,
  type SequentialModel,
  type TimedOperation,
} from "./check-linearizable.js";
export { HistoryRecorder, type RecordedOperation } from "./history-recorder.js";
export {
  type LogWorkloadPlan,
  logWorkloadPlan,
  type ReaderStep,
  runLogWorkload,
  type WorkloadClient,
  type WriterStep,
} from "./log-workload.js";
