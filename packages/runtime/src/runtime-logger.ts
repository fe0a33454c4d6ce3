/** Pino-compatible subset; the runtime logs transitions and problems, never env values. */
export interface RuntimeLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: RuntimeLogger = { info() {}, warn() {}, error() {} };
