// Exit codes and the one error type commands throw for a clean banner.

export const EXIT = {
  ok: 0,
  failed: 1,
  invalid: 2,
  unsupported: 3,
  interrupted: 130,
  internal: 70,
} as const;

/** A failure to print as one clear banner (no stack trace) with an exit code. */
export class CliError extends Error {
  readonly code: number;
  readonly details: string[];
  constructor(code: number, message: string, details: string[] = []) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.details = details;
  }
}
