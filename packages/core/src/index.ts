export { type Clock, sleep, type Timer } from "./clock.js";
export { isId, newId } from "./ids.js";
export { isMutantActive, MUTANTS, type MutantName, setActiveMutants } from "./mutants.js";
export { type Rng, seededRng } from "./rng.js";
export { SerialQueue } from "./serial-queue.js";
export { systemClock } from "./system-clock.js";
export { systemRng } from "./system-rng.js";
export { formatBytes, formatDuration, parseByteSize, parseDuration } from "./units.js";
