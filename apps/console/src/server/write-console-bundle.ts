// `npm run build` step: writes the console's browser bundle into dist/web, the copy an installed
// package serves (it ships no sources to bundle from).
import { PREBUILT_DIR, writeConsoleBundle } from "./bundle-console.js";

await writeConsoleBundle();
process.stdout.write(`console bundle written to ${PREBUILT_DIR}\n`);
