import { Worker } from "node:worker_threads";
import type { LoadResult, LoadTask } from "./load.js";

/** Runs a load task on a worker thread; the worker gets the same loader flags (tsx, conditions). */
export function runInWorker(task: LoadTask): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./load-worker.mjs", import.meta.url), {
      workerData: task,
      execArgv: process.execArgv,
    });
    let settled = false;
    worker.once("message", (result: LoadResult) => {
      settled = true;
      resolve(result);
      // Its HTTP/2 session would otherwise keep the worker alive.
      void worker.terminate();
    });
    worker.once("error", (error) => {
      settled = true;
      reject(error);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`load worker exited with code ${code} without a result`));
    });
  });
}
