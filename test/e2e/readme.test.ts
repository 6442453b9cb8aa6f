// Getting started as the README says it: every `kiln` command line of its Quick start and "Using
// it" sections that names no placeholder runs, as written, from the clone and succeeds; the
// README never assumes a `kiln` on PATH; a fresh clone installs on a system Node 20 without
// engine warnings while kiln itself still says it needs Node 24.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './helpers.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The text of the `## title` section, up to the next `## `. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has a "## ${title}" section`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** Every command of the ```sh blocks of `text`: lines split at `&&` and ` · `, comments dropped. */
export function shellCommands(text: string): string[] {
  const out: string[] = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) {
      const code = line.replace(/\s+#.*$/, '').trim();
      out.push(...code.split(/\s+&&\s+|\s+·\s+/).map((c) => c.trim()).filter(Boolean));
    }
  }
  return out;
}

/** A command with a placeholder (FILE, NS, `[…]`, `a|b`, `…`) is a synopsis, not something to run. */
function runnable(cmd: string): boolean {
  return !/\[|…|\||\b[A-Z]{2,}\b/.test(cmd);
}

function npx(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('README: getting started', () => {
  const kilnCommands = ['Quick start', 'Using it'].flatMap((t) => shellCommands(section(t))).filter((c) => /^(npx )?kiln\b/.test(c));

  it('no command line assumes a kiln on PATH: each is `npx kiln …`', () => {
    const bare = shellCommands(README).filter((c) => /^kiln\b/.test(c));
    assert.deepEqual(bare, []);
  });

  it('the example commands are found (the quick start\'s pipeline and a validate among them)', () => {
    const run = kilnCommands.filter(runnable);
    assert.ok(run.includes('npx kiln run -f examples/pipeline.yaml -p branch=main'), run.join('\n'));
    assert.ok(run.some((c) => c.startsWith('npx kiln validate -f ')), run.join('\n'));
  });

  for (const cmd of kilnCommands.filter(runnable)) {
    it(`${cmd} — exit 0`, async () => {
      const args = cmd.split(/\s+/).slice(1); // as written, after `npx`; state in a fresh KILN_HOME
      const r = await npx(args, { KILN_HOME: tempDir('kiln-readme-') });
      assert.equal(r.code, 0, r.out);
    });
  }
});

/** `>=20`, `>= 10.x`, `>=20.18.1`: the lowest version a range allows, as [major, minor, patch]; undefined for other forms. */
function lowest(range: string): number[] | undefined {
  const m = /^>=\s*(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?$/.exec(range.trim());
  return m ? [Number(m[1]), Number(m[2]) || 0, Number(m[3]) || 0] : undefined;
}

const atMost = (a: number[], b: number[]) => a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] <= b[2])));
const cmp = (a: number[], b: number[]) => (atMost(a, b) ? (atMost(b, a) ? 0 : -1) : 1);

/**
 * Whether `version` satisfies an npm `engines` range as npm reads it: `||` alternatives of
 * space-separated comparators (`>=`, `>`, `<=`, `<`, `=`, `^`, `~`, a bare or partial version, `*`,
 * `x`); a partial version is an X-range (`<=24` takes every 24.x, `>=10.x` is `>=10.0.0`).
 */
function satisfies(version: number[], range: string): boolean {
  return range.split('||').some((set) => {
    const words = set.trim().replace(/([<>=^~]+)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return words.every((w) => {
      const m = /^(>=|<=|>|<|=|\^|~)?v?(\*|x|X|\d+)(?:\.(\d+|x|X|\*))?(?:\.(\d+|x|X|\*))?$/.exec(w);
      if (!m) return false;
      const [, op = '', ...raw] = m;
      const parts = raw.map((x) => (x === undefined || /^[x*]$/i.test(x) ? undefined : Number(x)));
      const given = parts.findIndex((x) => x === undefined);
      const n = given < 0 ? 3 : given; // how many parts are given
      if (n === 0) return true; // * or x
      const low = [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
      // the first version past the X-range (24 → 25.0.0, 1.2 → 1.3.0)
      const past = n === 3 ? undefined : low.map((x, i) => (i === n - 1 ? x + 1 : i < n ? x : 0));
      const c = cmp(version, low);
      switch (op) {
        case '>=': return c >= 0;
        case '>': return past ? cmp(version, past) >= 0 : c > 0;
        case '<=': return past ? cmp(version, past) < 0 : c <= 0;
        case '<': return c < 0;
        case '^': {
          const i = low[0] !== 0 || n === 1 ? 0 : low[1] !== 0 || n === 2 ? 1 : 2;
          const top = low.map((x, j) => (j === i ? x + 1 : j < i ? x : 0));
          return c >= 0 && cmp(version, top) < 0;
        }
        case '~': {
          const top = n === 1 ? [low[0] + 1, 0, 0] : [low[0], low[1] + 1, 0];
          return c >= 0 && cmp(version, top) < 0;
        }
        default: return past ? c >= 0 && cmp(version, past) < 0 : c === 0;
      }
    });
  });
}

describe('setup on a system Node 20: no engine warning from npm ci, and still true engines', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const dev = lowest(pkg.devEngines?.runtime?.version ?? '');

  it('kiln itself needs Node 24 (engines), and the project brings it (node@24 devDependency)', () => {
    assert.equal(pkg.engines?.node, '>=24');
    assert.match(pkg.devDependencies?.node ?? '', /^\^?24\./);
  });

  it('developing it needs Node 20 (devEngines, which npm checks instead of the root engines)', () => {
    assert.equal(pkg.devEngines?.runtime?.name, 'node');
    assert.ok(dev && dev[0] === 20, `devEngines.runtime.version ${pkg.devEngines?.runtime?.version}`);
  });

  it('every installed package accepts the Node that devEngines names', () => {
    const refused: string[] = [];
    for (const [path, entry] of Object.entries<{ engines?: { node?: string } }>(lock.packages)) {
      if (path === '' || !entry.engines?.node) continue;
      if (!dev || !satisfies(dev, entry.engines.node)) refused.push(`${path}: node ${entry.engines.node}`);
    }
    assert.deepEqual(refused, []);
  });

  it('the range check reads npm ranges as npm does', () => {
    const cases: Array<[string, string, boolean]> = [
      ['20.18.1', '*', true], ['20.18.1', '>=20 <=24', true], ['24.21.0', '>=20 <=24', true], ['25.0.0', '>=20 <=24', false],
      ['20.18.1', '^16 || ^18 || >=20', true], ['19.0.0', '^16 || ^18 || >=20', false], ['20.18.1', '>= 10.x', true],
      ['20.18.1', '>=20.18.1', true], ['20.18.0', '>=20.18.1', false], ['20.18.1', '>=24', false], ['18.5.0', '~18.4', false],
      ['18.4.9', '~18.4', true], ['0.4.2', '^0.4.1', true], ['0.5.0', '^0.4.1', false], ['20.1.0', '20', true], ['21.0.0', '20.x', false],
    ];
    for (const [v, range, want] of cases) assert.equal(satisfies(v.split('.').map(Number), range), want, `${v} ${range}`);
  });
});
