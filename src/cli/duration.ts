// Durations as people read them.

/** Duration between two ISO times, as 340ms / 1.2s / 2m3s; '' when either is missing. */
export function duration(from?: string, to?: string): string {
  if (!from || !to) return '';
  const ms = Math.max(0, Date.parse(to) - Date.parse(from));
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
