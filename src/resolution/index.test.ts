import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Secret } from '../api/core.types.ts';
import type { Param } from '../api/param.types.ts';
import { SECRET } from '../api/registry.ts';
import { createMemoryStore } from '../store/memory.ts';
import { createKilnResolution } from './index.ts';
import { makeRepo } from './testing.ts';
import { startFakeScm, type FakeScm } from './testing-scm.ts';

const TASK = 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: build}\nspec:\n  params: [{name: x, default: "1"}]\n  steps: [{name: s, image: busybox, script: echo $(params.x)}]\n';
const COMMIT = 'c'.repeat(40);
let scm: FakeScm;

before(async () => {
  scm = await startFakeScm({ 'team/ci': { refs: { main: COMMIT }, files: { [COMMIT]: { 'tasks/build.yaml': TASK } }, cloneUrl: 'https://gitlab.example/team/ci.git' } }, 'glpat-123');
});
after(() => scm?.stop());

const p = (o: Record<string, string>): Param[] => Object.entries(o).map(([name, value]) => ({ name, value }));
const secret = (namespace: string, name: string, data: Record<string, string>): Secret => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

test('kiln\'s git resolver: API mode with the token Secret of the run\'s namespace, clone mode beside it', async () => {
  const store = createMemoryStore();
  await store.create(SECRET, secret('team-a', 'gitlab-token', { token: 'glpat-123' }));
  const resolution = createKilnResolution({ store, dataDir: mkdtempSync(join(tmpdir(), 'kiln-res-')), offline: true });
  const api = p({ org: 'team', repo: 'ci', revision: 'main', pathInRepo: 'tasks/build.yaml', token: 'gitlab-token', scmType: 'gitlab', serverURL: scm.url });

  const r = await resolution.resolve({ resolver: 'git', namespace: 'team-a', kind: 'Task', params: api });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.object.metadata.name, 'build');
  assert.equal((r.object.spec as { params: Array<{ type?: string }> }).params[0].type, 'string', 'defaulted like a local Task');
  assert.deepEqual(r.refSource, { uri: 'git+https://gitlab.example/team/ci.git', digest: { sha1: COMMIT }, entryPoint: 'tasks/build.yaml' });

  const otherNs = await resolution.resolve({ resolver: 'git', namespace: 'team-b', kind: 'Task', params: api });
  assert.ok(!otherNs.ok && otherNs.message.endsWith('cannot get API token, secret "gitlab-token" (key "token") not found in namespace "team-b"'), JSON.stringify(otherNs));
  const asPipeline = await resolution.resolve({ resolver: 'git', namespace: 'team-a', kind: 'Pipeline', params: api });
  assert.ok(!asPipeline.ok && /holds a Task "build", not a Pipeline$/.test(asPipeline.message), JSON.stringify(asPipeline));

  const repo = makeRepo();
  const commit = repo.commit({ 'task.yaml': TASK });
  const cloned = await resolution.resolve({ resolver: 'git', namespace: 'team-a', kind: 'Task', params: p({ url: `file://${repo.dir}`, pathInRepo: 'task.yaml' }) });
  assert.ok(cloned.ok && cloned.refSource.digest.sha1 === commit, JSON.stringify(cloned));
});

test('kiln\'s server-wide git API settings: the token Secret and org of the configuration', async () => {
  const store = createMemoryStore();
  await store.create(SECRET, secret('kiln-system', 'scm', { pat: 'glpat-123' }));
  const resolution = createKilnResolution({
    store, dataDir: mkdtempSync(join(tmpdir(), 'kiln-res-')), offline: true,
    gitApi: { scmType: 'gitlab', serverURL: scm.url, defaultOrg: 'team', tokenSecret: { name: 'scm', key: 'pat', namespace: 'kiln-system' } },
  });
  const r = await resolution.resolve({ resolver: 'git', namespace: 'anyone', kind: 'Task', params: p({ repo: 'ci', pathInRepo: 'tasks/build.yaml' }) });
  assert.ok(r.ok && r.refSource.digest.sha1 === COMMIT, JSON.stringify(r));
});
