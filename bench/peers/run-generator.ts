import { Worker } from "node:worker_threads";
import type { GeneratorResult, GeneratorTask } from "./generator.js";

/** Runs a generator task on a worker thread and resolves with its result. */
export function runGeneratorInWorker(task: GeneratorTask): Promise<GeneratorResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./generator-worker.mjs", import.meta.url), {
      workerData: task,
      execArgv: process.execArgv,
    });
    let settled = false;
    worker.once("message", (result: GeneratorResult) => {
      settled = true;
      resolve(result);
      void worker.terminate(); // open sockets would otherwise keep it alive
    });
    worker.once("error", (error) => {
      settled = true;
      reject(error);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`generator worker exited with code ${code} without a result`));
    });
  });
}
