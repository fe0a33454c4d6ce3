import { parentPort, workerData } from "node:worker_threads";
import { type LoadTask, runLoad } from "./load.js";

// Runs one load task off the server's thread, so client-side protobuf and HTTP/2 work does not
// compete with the server for the same event loop (as with a client in another process).
const result = await runLoad(workerData as LoadTask);
parentPort!.postMessage(result);
