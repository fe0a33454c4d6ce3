import { Redis } from "ioredis";
import type { Driver } from "./driver.js";

// Redis Streams: XADD per event, MULTI of XADDs per batch (atomic, like PublishBatch), XRANGE paging.
const PAGE = 1000;

export function openRedis(address: string): Driver {
  const [host, port] = address.split(":");
  const redis = new Redis({ host: host!, port: Number(port), lazyConnect: false });
  return {
    async createLog(name) {
      await redis.del(name);
      return name;
    },
    async publish(key, payload) {
      await redis.xadd(key, "*", "d", payload);
    },
    async publishBatch(key, payloads) {
      const multi = redis.multi();
      for (const payload of payloads) multi.xadd(key, "*", "d", payload);
      const results = await multi.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error("MULTI aborted");
    },
    async replay(key, expected, onEvent) {
      let start = "-";
      let position = 0;
      while (position < expected) {
        const page = await redis.xrange(key, start, "+", "COUNT", PAGE);
        if (page.length === 0) throw new Error(`XRANGE ran out at ${position} of ${expected}`);
        for (const [, fields] of page) onEvent(++position, fields[1]!);
        start = `(${page.at(-1)![0]}`;
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
