import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIPELINERUN } from '../api/registry.ts';
import { createMemoryStore } from '../store/memory.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { createMetrics } from './metrics.ts';
import { sqliteStoreStats } from './metrics-store.ts';

const APPLICATION = { group: 'argoproj.io', plural: 'applications', kind: 'Application', namespaced: true };

test('GitOps Applications by sync and health status; reconciles per controller by outcome, errors counted', async () => {
  const store = createMemoryStore();
  const metrics = createMetrics({ store });
  for (const [name, sync, health] of [['a', 'Synced', 'Healthy'], ['b', 'Synced', 'Healthy'], ['c', 'OutOfSync', 'Degraded']]) {
    await store.create(APPLICATION, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'argocd' }, spec: {}, status: { sync: { status: sync }, health: { status: health } } });
  }
  await store.create(APPLICATION, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'new', namespace: 'argocd' }, spec: {} });
  metrics.reconciled({ controller: 'taskrun', seconds: 0.002, outcome: 'success' });
  metrics.reconciled({ controller: 'taskrun', seconds: 0.5, outcome: 'error' });
  const text = await metrics.registry.metrics();
  assert.match(text, /^kiln_applications\{sync="Synced",health="Healthy"\} 2$/m);
  assert.match(text, /^kiln_applications\{sync="OutOfSync",health="Degraded"\} 1$/m);
  assert.match(text, /^kiln_applications\{sync="Unknown",health="Unknown"\} 1$/m);
  assert.match(text, /^kiln_reconcile_total\{controller="taskrun",outcome="success"\} 1$/m);
  assert.match(text, /^kiln_reconcile_errors_total\{controller="taskrun"\} 1$/m);
  assert.match(text, /^kiln_reconcile_duration_seconds_bucket\{le="0.005",controller="taskrun"\} 1$/m);
  assert.match(text, /^kiln_reconcile_duration_seconds_count\{controller="taskrun"\} 2$/m);
});

test("the SQLite store's size and objects per resource", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-metrics-store-'));
  const path = join(dir, 'kiln.db');
  const store = createSqliteStore({ path });
  const stats = sqliteStoreStats(path);
  try {
    for (const name of ['a', 'b']) await store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, namespace: 'ci' }, spec: {} });
    await store.create({ group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ci' } });
    const s = stats.read();
    assert.deepEqual(s.objects, { 'tekton.dev/pipelineruns': 2, 'core/configmaps': 1 });
    assert.ok(s.bytes > 4096);
    const metrics = createMetrics({ store, storeStats: stats.read });
    const text = await metrics.registry.metrics();
    assert.match(text, /^kiln_store_objects\{resource="tekton.dev\/pipelineruns"\} 2$/m);
    assert.match(text, /^kiln_store_size_bytes \d{4,}$/m);
  } finally {
    stats.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
