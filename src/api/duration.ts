// Go duration strings (time.ParseDuration), as Tekton's `timeout` fields use them.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /^([0-9]*)(?:\.([0-9]*))?([a-zµμ]+)/;

/**
 * Parses a Go duration (`1h30m`, `10s`, `500ms`, `1.5h`, `-2m`, `0`) into milliseconds.
 * Returns undefined when the text is not a valid Go duration (empty, no unit, unknown unit).
 * Sub-millisecond units give fractional milliseconds.
 */
export function parseDuration(s: string): number | undefined {
  if (typeof s !== 'string' || s === '') return undefined;
  let rest = s;
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const m = PART.exec(rest);
    if (!m) return undefined;
    const [whole, int, frac = '', unit] = m;
    if (int === '' && frac === '') return undefined; // "." or a bare unit
    const perUnit = UNIT_MS[unit];
    if (perUnit === undefined) return undefined;
    const value = Number(`${int || '0'}.${frac || '0'}`);
    total += value * perUnit;
    rest = rest.slice(whole.length);
  }
  return sign * total;
}

/** Formats milliseconds the way Go's time.Duration.String does: `1h30m0s`, `500ms`, `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let v = Math.abs(ms);
  if (v < 1000) return `${sign}${trim(v)}ms`;
  const h = Math.floor(v / 3_600_000);
  v -= h * 3_600_000;
  const m = Math.floor(v / 60_000);
  v -= m * 60_000;
  const secs = `${trim(v / 1000)}s`;
  if (h > 0) return `${sign}${h}h${m}m${secs}`;
  if (m > 0) return `${sign}${m}m${secs}`;
  return `${sign}${secs}`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}
