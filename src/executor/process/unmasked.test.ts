import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileMasker } from '../mask.ts';
import { TrustedDirs } from './beneath.ts';
import { scrubAttempt, scrubbedDirs } from './unmasked.ts';

const base = mkdtempSync(join(tmpdir(), 'kiln-unmasked-test-'));
after(() => rmSync(base, { recursive: true, force: true }));
const masker = compileMasker(['tok-1234567'])!;

function attempt(name: string): string {
  const root = join(base, name);
  for (const d of scrubbedDirs(['step-a'])) mkdirSync(join(root, d), { recursive: true });
  return root;
}

async function scrub(root: string): Promise<string[]> {
  const trusted = new TrustedDirs();
  try {
    return await scrubAttempt(trusted.dir(root, '/tekton'), masker, scrubbedDirs(['step-a']));
  } finally {
    trusted.close();
  }
}

test('only the files carrying a secret are removed: results, artifacts, scripts, step results and artifacts', async () => {
  const root = attempt('a');
  const files = {
    'results/leak': 'tok-1234567', 'results/plain': 'ok', 'artifacts/provenance.json': '{"outputs":[{"values":["tok-1234567"]}]}',
    'scripts/step-b-1': 'echo ["tok-1234567"]', 'scripts/step-a-0': 'echo $TOKEN', 'steps/step-a/results/s': 'a dG9rLTEyMzQ1Njc=',
    'steps/step-a/artifacts/provenance.json': '{}', 'steps/step-a/exitCode': 'tok-1234567',
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(join(root, f), text);
  assert.deepEqual(await scrub(root), []);
  const left = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort();
  assert.deepEqual(left, ['results/plain', 'scripts/step-a-0', 'steps/step-a/artifacts/provenance.json', 'steps/step-a/exitCode']);
});

test('a results directory replaced by a link is not followed', async () => {
  const root = attempt('b');
  const outside = join(base, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'leak'), 'tok-1234567');
  rmSync(join(root, 'results'), { recursive: true });
  symlinkSync(outside, join(root, 'results'));
  assert.deepEqual(await scrub(root), ['results']);
  assert.ok(existsSync(join(outside, 'leak')));
});
