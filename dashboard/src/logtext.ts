// Pure helpers of the log view (no DOM): ANSI stripping, search, the first error, the download.

export interface LogLine { step: string; line: string; at: number }

/** A line that reads like an error (what *First error* jumps to). */
export const ERROR_LINE = /\b(error|fatal|failed|failure|panic|exception|traceback)\b|^E\d{4} |\bexit (code|status) [1-9]/i;

/** The text of a line without its ANSI escape sequences (colours, cursor moves, OSC links). */
export function stripAnsi(s: string): string {
  if (!s.includes('\u001b')) return s;
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)/g, '');
}

/** Indexes of the lines containing `query` (case-insensitive, colours ignored); none for ''. */
export function searchLines(lines: readonly LogLine[], query: string): number[] {
  if (!query) return [];
  const q = query.toLowerCase();
  const out: number[] = [];
  lines.forEach((l, i) => { if (stripAnsi(l.line).toLowerCase().includes(q)) out.push(i); });
  return out;
}

/** The index of the first error line, or -1. */
export function firstErrorLine(lines: readonly LogLine[]): number {
  return lines.findIndex((l) => ERROR_LINE.test(stripAnsi(l.line)));
}

/** The next (or, backwards, previous) match after `current`, wrapping around. */
export function nextHit(count: number, current: number, backwards: boolean): number {
  if (!count) return 0;
  return (current + (backwards ? count - 1 : 1)) % count;
}

/** The downloaded file: `[step] line` (colours stripped), with each line's time when asked. */
export function logFileText(lines: readonly LogLine[], withTimes = false): string {
  return lines.map((l) => `${withTimes ? `${new Date(l.at).toISOString()} ` : ''}[${l.step}] ${stripAnsi(l.line)}\n`).join('');
}
