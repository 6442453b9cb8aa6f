// Report files (plan.reportFiles, JUnit XML) on a Pod: the `report` container, which runs after
// the last step, mounts each declared volume read-only at its subPath and prints what is there —
// every entry with its kind (file, directory, link, other), found without following a link, and
// the contents of the regular files that could match — on its log. kiln then matches the patterns
// over that listing exactly as the process executor walks a directory (process/reports.ts): a
// link a pattern reaches is reported and never followed, and the same bounds hold. Pure.
import { componentMatcher } from '../../api/junitfiles.ts';
import type { ExecutionPlan, PlanReportFiles, ReportFile } from '../executor.ts';
import { LINK_REFUSED } from '../process/beneath.ts';
import { cleanSubPath } from '../process/layout.ts';
import { REPORT_LIMITS } from '../process/reports.ts';
import type { ReportLimits } from '../process/reports.ts';
import { shQuote } from '../process/script.ts';

/** Where the report container sees the `k`th report files' volume. */
export const reportMount = (k: number) => `/kiln/reports/${k}`;
/** How deep `**` goes (as the process executor). */
const MAX_DEPTH = 16;

/** The volume of spec `s` when the Pod can mount it (a volume of the plan, a subPath inside it). */
function mountable(plan: ExecutionPlan, s: PlanReportFiles): boolean {
  return plan.volumes.some((v) => v.name === s.volume) && cleanSubPath(s.subPath ?? '') !== undefined;
}

/** The report container's mounts of the report files' volumes. */
export function reportMounts(plan: ExecutionPlan): Array<Record<string, unknown>> {
  return (plan.reportFiles ?? []).flatMap((s, k) => {
    if (!mountable(plan, s)) return [];
    const sub = cleanSubPath(s.subPath ?? '');
    return [{ name: s.volume, mountPath: reportMount(k), ...(sub ? { subPath: sub } : {}), readOnly: true }];
  });
}

/**
 * A `find -path` glob matching at least every file `pattern` matches (find's `*` and `?` match a
 * `/` too, so a `**\/` is one `*`): the candidates whose contents are printed; kiln matches exactly.
 */
const findPath = (pattern: string) => `./${pattern.replace(/[[\]\\]/g, '\\$&').replace(/\*\*\//g, '*')}`;

/** The report container's lines listing each mounted volume and printing the files that could match. */
export function reportLines(plan: ExecutionPlan, limits: ReportLimits = REPORT_LIMITS): string[] {
  const b = '/bin/busybox';
  const lines: string[] = [];
  (plan.reportFiles ?? []).forEach((s, k) => {
    if (!mountable(plan, s)) return;
    const root = reportMount(k);
    const depth = s.pattern.split('/').length + MAX_DEPTH;
    const kb = Math.floor(limits.maxFileBytes / 1024) + 1;
    lines.push(
      `cd ${root} && {`,
      `${b} find . -mindepth 1 -maxdepth ${depth} | ${b} head -n ${limits.maxEntries + 1} | while IFS= read -r p; do`,
      '  if [ -L "$p" ]; then t=l; elif [ -d "$p" ]; then t=d; elif [ -f "$p" ]; then t=f; else t=o; fi',
      `  echo "kiln-report-entry ${k} $t $(printf %s "\${p#./}" | ${b} base64 -w0)"`,
      'done',
      `${b} find . -mindepth 1 -maxdepth ${depth} -type f -path ${shQuote(findPath(s.pattern))} -size -${kb}k | ${b} head -n ${limits.maxFiles + 1} | while IFS= read -r p; do`,
      `  echo "kiln-report-file ${k} $(printf %s "\${p#./}" | ${b} base64 -w0) $(${b} base64 -w0 "$p")"`,
      'done',
      `cd /; }`,
    );
  });
  return lines;
}

/** One volume as listed: path → kind, and the contents printed. */
interface Listing { kinds: Map<string, string>; texts: Map<string, Buffer> }

function listings(log: string): Map<number, Listing> {
  const out = new Map<number, Listing>();
  const of = (k: number) => out.get(k) ?? out.set(k, { kinds: new Map(), texts: new Map() }).get(k)!;
  const dec = (x: string) => Buffer.from(x, 'base64');
  for (const line of log.split('\n')) {
    const e = /^kiln-report-entry (\d+) ([dflo]) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (e) of(Number(e[1])).kinds.set(dec(e[3]).toString('utf8'), e[2]);
    const f = /^kiln-report-file (\d+) ([A-Za-z0-9+/=]+) ([A-Za-z0-9+/=]*)$/.exec(line);
    if (f) of(Number(f[1])).texts.set(dec(f[2]).toString('utf8'), dec(f[3]));
  }
  return out;
}

const size = (n: number) => (n >= 1 << 20 ? `${+(n / (1 << 20)).toFixed(2)} MiB` : `${n} bytes`);

/** The report files of `plan` from the report container's log, in the process executor's order and words. */
export function parseReportFiles(log: string, plan: ExecutionPlan, limits: ReportLimits = REPORT_LIMITS): ReportFile[] {
  const out: ReportFile[] = [];
  const seen = new Set<string>();
  const budget = { files: limits.maxFiles, bytes: limits.maxTotalBytes };
  const all = listings(log);

  (plan.reportFiles ?? []).forEach((spec, k) => {
    const shown = spec.mountPath.replace(/\/+$/, '');
    const whole = `${shown}/${spec.pattern}`;
    if (!mountable(plan, spec)) {
      out.push({ path: whole, error: plan.volumes.some((v) => v.name === spec.volume) ? `subPath "${spec.subPath}" leaves the volume` : `no volume "${spec.volume}"` });
      return;
    }
    const l = all.get(k) ?? { kinds: new Map(), texts: new Map() };
    if (l.kinds.size > limits.maxEntries) {
      out.push({ path: whole, error: `over the ${limits.maxEntries} directory entries kiln looks at for reports` });
      return;
    }
    // the entries of each directory by name, sorted as the process executor reads them
    const children = new Map<string, string[]>();
    for (const p of l.kinds.keys()) {
      const at = p.lastIndexOf('/');
      const dir = at < 0 ? '' : p.slice(0, at);
      (children.get(dir) ?? children.set(dir, []).get(dir)!).push(at < 0 ? p : p.slice(at + 1));
    }
    for (const names of children.values()) names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

    function readOne(rel: string, path: string): void {
      if (budget.files-- <= 0) return void out.push({ path, error: `not read: over the ${limits.maxFiles} report files kiln reads per TaskRun` });
      const text = l.texts.get(rel);
      // more candidates than files read: the report container printed no more
      if (text === undefined && l.texts.size > limits.maxFiles) return void out.push({ path, error: `not read: over the ${limits.maxFiles} report files kiln reads per TaskRun` });
      const max = Math.min(limits.maxFileBytes, budget.bytes);
      if (text === undefined || text.length > max) {
        const why = text !== undefined && text.length <= limits.maxFileBytes && max < limits.maxFileBytes ? `over the ${size(limits.maxTotalBytes)} of reports kiln reads per TaskRun` : `is larger than ${size(limits.maxFileBytes)}`;
        return void out.push({ path, error: `not read: ${why}` });
      }
      budget.bytes -= text.length;
      out.push({ path, text: text.toString('utf8') });
    }

    function walk(dir: string, parts: readonly string[], i: number, depth: number): number {
      const part = parts[i];
      const last = i === parts.length - 1;
      const names = children.get(dir) ?? [];
      let matched = 0;
      if (part === '**') {
        matched += walk(dir, parts, i + 1, depth);
        if (depth >= MAX_DEPTH) return matched;
        for (const n of names) if (l.kinds.get(join(dir, n)) === 'd') matched += walk(join(dir, n), parts, i, depth + 1);
        return matched;
      }
      const re = componentMatcher(part);
      for (const n of names.filter((x) => re.test(x))) {
        const rel = join(dir, n);
        const path = `${shown}/${rel}`;
        const kind = l.kinds.get(rel);
        if (kind === 'l') {
          out.push({ path, error: LINK_REFUSED });
          matched++;
        } else if (last && kind === 'f') {
          matched++;
          if (!seen.has(path)) {
            seen.add(path);
            readOne(rel, path);
          }
        } else if (!last && kind === 'd') matched += walk(rel, parts, i + 1, depth);
      }
      return matched;
    }

    if (walk('', spec.pattern.split('/'), 0, 0) === 0) out.push({ path: whole, error: 'no file matches' });
  });
  return out;
}
