import { parentPort, workerData } from "node:worker_threads";
import { type GeneratorTask, runGenerator } from "./generator.js";

// Runs one generator task off the bench's main thread, which keeps sampling RSS meanwhile.
const result = await runGenerator(workerData as GeneratorTask);
parentPort!.postMessage(result);
