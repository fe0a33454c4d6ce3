import { describeLogStoreContract } from "./test-support/log-store-contract.js";
import { describeRetentionContract } from "./test-support/retention-contract.js";
import { memoryStore, tempClassicLevelStore } from "./test-support/temp-store.js";

describeLogStoreContract("KvLogStore on memory", async () => {
  const store = memoryStore();
  return { store, dispose: () => store.close() };
});

describeLogStoreContract(
  "KvLogStore on classic-level",
  async () => {
    const t = await tempClassicLevelStore();
    return { store: t.store, dispose: t.dispose };
  },
  { numRuns: 15 },
);

describeRetentionContract(
  "KvLogStore on memory",
  async () => {
    const store = memoryStore();
    return { store, dispose: () => store.close() };
  },
  { supported: true },
);

describeRetentionContract(
  "KvLogStore on classic-level",
  async () => {
    const t = await tempClassicLevelStore();
    return { store: t.store, dispose: t.dispose };
  },
  { supported: true },
);
