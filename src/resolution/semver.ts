// Versions and version constraints as Tekton's hub resolver reads them: dotted numbers (`0.9`,
// `v1.2.3`, an optional `-prerelease` and `+build`), constraints of comma-separated terms
// `OP VERSION` with OP one of = != > < >= <= ~> (`~> 1.2` is >= 1.2, < 2; `~> 1.2.3` is >= 1.2.3, < 1.3).

export interface Version { segments: number[]; pre: string }

const VERSION = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** The version `text` names, or undefined when it is not one. */
export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  return { segments: m[1].split('.').map(Number), pre: m[2] ?? '' };
}

function compare(a: Version, b: Version): number {
  const n = Math.max(a.segments.length, b.segments.length, 3);
  for (let i = 0; i < n; i++) {
    const d = (a.segments[i] ?? 0) - (b.segments[i] ?? 0);
    if (d) return Math.sign(d);
  }
  if (a.pre === b.pre) return 0;
  if (!a.pre) return 1; // a release is above its prereleases
  if (!b.pre) return -1;
  return a.pre < b.pre ? -1 : 1;
}

/** <0, 0, >0 as version a is below, equal to or above b; unparsable versions sort lowest. */
export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (!va || !vb) return (va ? 1 : 0) - (vb ? 1 : 0);
  return compare(va, vb);
}

/** Whether `text` is a constraint rather than one exact version. */
export function isConstraint(text: string): boolean {
  return /[<>=!~,]/.test(text);
}

type Check = (v: Version) => boolean;

function term(op: string, v: Version): Check {
  switch (op) {
    case '': case '=': return (x) => compare(x, v) === 0;
    case '!=': return (x) => compare(x, v) !== 0;
    case '>': return (x) => compare(x, v) > 0;
    case '<': return (x) => compare(x, v) < 0;
    case '>=': return (x) => compare(x, v) >= 0;
    case '<=': return (x) => compare(x, v) <= 0;
    default: { // ~>: at least v, below the next release of its second-to-last segment
      const keep = Math.max(1, v.segments.length - 1);
      const upper = v.segments.slice(0, keep);
      upper[keep - 1] += 1;
      const below = { segments: upper, pre: '' };
      return (x) => compare(x, v) >= 0 && compare(x, below) < 0;
    }
  }
}

/** A constraint's check, or why `text` is not one. */
export function parseConstraint(text: string): { check: Check } | { error: string } {
  const checks: Check[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(!=|>=|<=|~>|=|>|<)?\s*(\S+)\s*$/.exec(part);
    const v = m ? parseVersion(m[2]) : undefined;
    if (!m || !v) return { error: `"${part.trim()}" is not a version constraint (OP VERSION, OP one of = != > < >= <= ~>)` };
    checks.push(term(m[1] ?? '', v));
  }
  return { check: (v) => checks.every((c) => c(v)) };
}
