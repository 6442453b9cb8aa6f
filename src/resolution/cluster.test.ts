import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../store/memory.ts';
import { TASK, PIPELINE } from '../api/registry.ts';
import { createResolution } from './framework.ts';
import { createClusterResolver } from './cluster.ts';

async function setup(allowedNamespaces?: string[]) {
  const store = createMemoryStore();
  await store.create(TASK, { apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'build', namespace: 'catalog' }, spec: { steps: [{ name: 's', image: 'busybox', script: 'echo' }] } });
  await store.create(PIPELINE, { apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name: 'p', namespace: 'team' }, spec: { tasks: [{ name: 'a', taskRef: { name: 'build' } }] } });
  const res = createResolution({ resolvers: { cluster: createClusterResolver({ store, allowedNamespaces }) } });
  return (kind: 'Task' | 'Pipeline', params: Record<string, string>) => res.resolve({ resolver: 'cluster', namespace: 'team', kind, params: Object.entries(params).map(([name, value]) => ({ name, value })) });
}

test('a Task of another namespace; a Pipeline of the run\'s own namespace by default', async () => {
  const resolve = await setup();
  const t = await resolve('Task', { kind: 'task', name: 'build', namespace: 'catalog' });
  assert.ok(t.ok, JSON.stringify(t));
  assert.match(t.refSource.uri, /^\/apis\/tekton\.dev\/v1\/namespaces\/catalog\/tasks\/build@.+/);
  assert.match(t.refSource.digest.sha256, /^[0-9a-f]{64}$/);
  const p = await resolve('Pipeline', { kind: 'pipeline', name: 'p' });
  assert.ok(p.ok && p.object.kind === 'Pipeline', JSON.stringify(p));
});

test('allowed namespaces, not found, kind mismatch', async () => {
  const resolve = await setup(['team']);
  const blocked = await resolve('Task', { kind: 'task', name: 'build', namespace: 'catalog' });
  assert.ok(!blocked.ok && blocked.message.endsWith('access to namespace "catalog" is not allowed (allowed: team)'), JSON.stringify(blocked));
  const missing = await resolve('Task', { name: 'nope' });
  assert.ok(!missing.ok && missing.message.endsWith('tasks.tekton.dev "nope" not found in namespace "team"'));
  const kind = await resolve('Task', { kind: 'pipeline', name: 'p' });
  assert.ok(!kind.ok && kind.message.endsWith('kind "pipeline" asked for where a Task is referenced'));
});
