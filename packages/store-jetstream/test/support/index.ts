export { appendUntilAcked } from "./append-until-acked.js";
export { MAX_PAYLOAD, type NatsCluster, type NatsNode, startNatsCluster } from "./nats-cluster.js";
