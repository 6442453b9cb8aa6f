// The runtime logs through this interface; main.ts wires a real logger, tests capture lines.

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Errors to stderr (console.error), info dropped: the runtime's default. */
export const consoleLogger: Logger = {
  info() {},
  error(message, fields) {
    if (fields) console.error(message, fields);
    else console.error(message);
  },
};

/** Drops everything. */
export const silentLogger: Logger = { info() {}, error() {} };
