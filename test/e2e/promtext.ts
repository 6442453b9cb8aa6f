// A strict parser of the Prometheus text exposition format (0.0.4), for tests: every line must be
// a HELP, a TYPE (before its samples, once per family) or a sample `name{l="v",…} value`; label
// values use only the format's escapes; histograms have increasing `le` buckets ending at +Inf
// whose count equals _count. Throws an Error naming the line otherwise.
import { spawnSync } from 'node:child_process';

export interface Sample { name: string; labels: Record<string, string>; value: number }

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function parseValue(s: string, line: number): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`line ${line}: bad value ${JSON.stringify(s)}`);
  return Number(s);
}

function parseLabels(s: string, line: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(s.slice(i));
    if (!m) throw new Error(`line ${line}: bad label at ${JSON.stringify(s.slice(i))}`);
    i += m[0].length;
    let v = '';
    for (;;) {
      const c = s[i++];
      if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
      if (c === '"') break;
      if (c === '\\') {
        const e = s[i++];
        if (e === 'n') v += '\n'; else if (e === '\\' || e === '"') v += e; else throw new Error(`line ${line}: bad escape \\${e}`);
      } else v += c;
    }
    if (m[1] in out) throw new Error(`line ${line}: label ${m[1]} twice`);
    out[m[1]] = v;
    if (s[i] === ',') i++;
    else if (i < s.length) throw new Error(`line ${line}: expected , after a label`);
  }
  return out;
}

/** The samples of `text`, by family: { types, samples }. */
export function parsePrometheusText(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const seenFamilies = new Set<string>();
  text.split('\n').forEach((raw, idx) => {
    const line = idx + 1;
    if (raw === '') return;
    if (raw.startsWith('# HELP ')) return;
    const t = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(raw);
    if (t) {
      if (types.has(t[1]) || seenFamilies.has(t[1])) throw new Error(`line ${line}: TYPE of ${t[1]} again or after its samples`);
      types.set(t[1], t[2]);
      return;
    }
    if (raw.startsWith('#')) throw new Error(`line ${line}: unknown comment ${raw}`);
    const m = /^([^{\s]+)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(raw);
    if (!m || !NAME.test(m[1])) throw new Error(`line ${line}: not a sample: ${raw}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, '');
    seenFamilies.add(types.has(m[1]) ? m[1] : family);
    samples.push({ name: m[1], labels: m[2] ? parseLabels(m[2], line) : {}, value: parseValue(m[3], line) });
  });
  for (const [name, type] of types) {
    if (type !== 'histogram') continue;
    const groups = new Map<string, Sample[]>();
    for (const s of samples.filter((x) => x.name === `${name}_bucket`)) {
      const { le, ...rest } = s.labels;
      if (le === undefined) throw new Error(`${name}_bucket without le`);
      const k = JSON.stringify(rest);
      groups.set(k, [...(groups.get(k) ?? []), s]);
    }
    for (const [k, buckets] of groups) {
      const les = buckets.map((b) => parseValue(b.labels.le, 0));
      if (les.at(-1) !== Infinity) throw new Error(`${name}${k}: last bucket is not +Inf`);
      for (let i = 1; i < buckets.length; i++) if (les[i] <= les[i - 1] || buckets[i].value < buckets[i - 1].value) throw new Error(`${name}${k}: buckets not increasing`);
      const count = samples.find((s) => s.name === `${name}_count` && JSON.stringify(s.labels) === k);
      if (count?.value !== buckets.at(-1)!.value) throw new Error(`${name}${k}: _count is not the +Inf bucket`);
    }
  }
  return { types, samples };
}

/**
 * Prometheus' own parser and linter over `text` (`promtool check metrics`, Debian package
 * `prometheus`): undefined when promtool is not installed; else its exit code and what it said
 * (1: the text does not parse; 3: it parses but the linter has remarks).
 */
export function promtoolCheck(text: string): { code: number; output: string } | undefined {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  return { code: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}
