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
      const low = lowest(entry.engines.node);
      if (!low || !dev || !atMost(low, dev)) refused.push(`${path}: node ${entry.engines.node}`);
    }
    assert.deepEqual(refused, []);
  });
});
