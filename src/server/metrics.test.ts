import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT, TASKRUN } from '../api/registry.ts';
import { createMemoryStore } from '../store/memory.ts';
import { createMetrics, registerMetrics } from './metrics.ts';
import { createServer } from './server.ts';

test('/metrics needs the API token unless made public; it counts webhook deliveries by listener and outcome, and waiting TaskRuns', async () => {
  const store = createMemoryStore();
  const metrics = createMetrics({ store });
  metrics.start();
  const app = createServer({ store, token: 'secret' });
  registerMetrics(app, metrics);
  try {
    assert.equal((await app.inject({ url: '/metrics' })).statusCode, 401);
    await store.create(EVENT, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'el.1.0', namespace: 'ci', labels: { 'triggers.tekton.dev/eventlistener': 'el' } }, reason: 'TriggerAccepted' });
    await store.create(EVENT, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'el.2.0', namespace: 'ci', labels: { 'triggers.tekton.dev/eventlistener': 'el' } }, reason: 'TriggerRejected' });
    await store.create(EVENT, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'other', namespace: 'ci' }, reason: 'Started' });
    await store.create(TASKRUN, { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'w', namespace: 'ci' }, spec: {}, status: { conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Pending' }] } });
    await new Promise((r) => setTimeout(r, 20));
    metrics.eventOutcome({ sink: 'http://s/', outcome: 'failed' });
    const ok = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer secret' } });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
    assert.match(ok.body, /^kiln_webhook_deliveries_total\{listener="ci\/el",outcome="TriggerAccepted"\} 1$/m);
    assert.match(ok.body, /^kiln_webhook_deliveries_total\{listener="ci\/el",outcome="TriggerRejected"\} 1$/m);
    assert.doesNotMatch(ok.body, /outcome="Started"/);
    assert.match(ok.body, /^kiln_taskruns_waiting 1$/m);
    assert.match(ok.body, /^kiln_runs\{kind="TaskRun",status="Running",reason="Pending"\} 1$/m);
    assert.match(ok.body, /^kiln_cdevents_total\{sink="http:\/\/s\/",outcome="failed"\} 1$/m);
    // --metrics-public: /metrics without the token, nothing else
    const open = createServer({ store, token: 'secret', publicPaths: ['/metrics'] });
    registerMetrics(open, metrics);
    try {
      assert.equal((await open.inject({ url: '/metrics' })).statusCode, 200);
      assert.equal((await open.inject({ url: '/apis/tekton.dev/v1/taskruns' })).statusCode, 401);
    } finally {
      await open.close();
    }
  } finally {
    metrics.stop();
    await app.close();
  }
});
