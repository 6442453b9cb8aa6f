import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGitopsConformance } from './run.ts';

const SHARED = join(import.meta.dirname, '../../../../shared/conformance/gitops');

test('the GitOps fixtures all pass: health (core statuses, job-suspended message; Rollout/CronJob status and message) and diff', { skip: existsSync(SHARED) ? false : `${SHARED} not present` }, async () => {
  const results = await runGitopsConformance(SHARED);
  const count = (file: string) => results.filter((r) => r.file === file).length;
  assert.equal(count('health/expected-core.json'), 27);
  assert.equal(count('health/expected-lua-kinds.json'), 30);
  assert.equal(count('diff/expected-diff.json'), 8);
  assert.deepEqual(results.filter((r) => r.verdict !== 'PASS'), []);
});

test('a wrong expectation fails with what was wanted and got; a missing input is unsupported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-gitops-conf-'));
  mkdirSync(join(dir, 'health/d'), { recursive: true });
  writeFileSync(join(dir, 'health/d/svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: ClusterIP}\n');
  writeFileSync(join(dir, 'health/expected-core.json'), JSON.stringify([
    { input: 'd/svc.yaml', status: 'Healthy' },
    { input: 'd/svc.yaml', status: 'Degraded' },
    { input: 'd/absent.yaml', status: 'Healthy' },
    { input: 'd/svc.yaml', status: 'Healthy', goTest: "TestX (message must equal 'hello')" },
  ]));
  const results = await runGitopsConformance(dir);
  assert.deepEqual(results.map((r) => r.verdict), ['PASS', 'FAIL', 'UNSUPPORTED', 'FAIL']);
  assert.equal(results[1].message, 'want Degraded, got Healthy ""');
  assert.equal(results[3].message, 'want Healthy "hello", got Healthy ""');
});
