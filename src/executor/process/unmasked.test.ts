import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrustedDirs } from './beneath.ts';
import { dropUnmasked } from './unmasked.ts';

const base = mkdtempSync(join(tmpdir(), 'kiln-unmasked-test-'));
after(() => rmSync(base, { recursive: true, force: true }));

function attempt(name: string): { root: string; trusted: TrustedDirs } {
  const root = join(base, name);
  mkdirSync(join(root, 'results'), { recursive: true });
  mkdirSync(join(root, 'steps/step-a/results'), { recursive: true });
  return { root, trusted: new TrustedDirs() };
}

test('only the result files whose reported text was masked are removed', () => {
  const { root, trusted } = attempt('a');
  for (const f of ['results/leak', 'results/plain', 'steps/step-a/results/s']) writeFileSync(join(root, f), 'x');
  const left = dropUnmasked(trusted.dir(root, '/tekton'), [
    { rel: 'results', raw: { leak: 'tok-1234', plain: 'ok' }, shown: { leak: '***', plain: 'ok' } },
    { rel: 'steps/step-a/results', raw: { s: 'a tok-1234' }, shown: { s: 'a ***' } },
  ]);
  trusted.close();
  assert.deepEqual(left, []);
  assert.deepEqual(readdirSync(join(root, 'results')), ['plain']);
  assert.deepEqual(readdirSync(join(root, 'steps/step-a/results')), []);
});

test('a results directory replaced by a link is not followed', () => {
  const { root, trusted } = attempt('b');
  const outside = join(base, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'leak'), 'keep me');
  rmSync(join(root, 'results'), { recursive: true });
  symlinkSync(outside, join(root, 'results'));
  const left = dropUnmasked(trusted.dir(root, '/tekton'), [{ rel: 'results', raw: { leak: 'tok-1234' }, shown: { leak: '***' } }]);
  trusted.close();
  assert.deepEqual(left, ['results/leak']);
  assert.ok(existsSync(join(outside, 'leak')));
});
