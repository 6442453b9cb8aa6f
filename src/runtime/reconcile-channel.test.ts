import { test } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import type { ResourceType } from '../store/store.ts';
import { createMemoryStore } from '../store/memory.ts';
import { createController, RECONCILE_CHANNEL, type ReconcileReport } from './controller.ts';
import { silentLogger } from './logger.ts';
import { TerminalError } from './result.ts';

const THINGS: ResourceType = { group: 'example.dev', plural: 'things', kind: 'Thing', namespaced: true };

test('each reconcile is reported on the diagnostics channel with its controller, duration and outcome', async () => {
  const store = createMemoryStore();
  const reports: ReconcileReport[] = [];
  const listen = (m: unknown) => { if ((m as ReconcileReport).controller === 'things') reports.push(m as ReconcileReport); };
  diagnostics.subscribe(RECONCILE_CHANNEL, listen);
  let calls = 0;
  const c = createController({
    name: 'things', store, type: THINGS, logger: silentLogger, baseDelay: 1, maxDelay: 2,
    reconciler: {
      async reconcile(req) {
        calls++;
        if (req.name === 'bad') throw new TerminalError('no');
        if (req.name === 'flaky' && calls < 4) throw new Error('try again');
        if (req.name === 'later' && !reports.some((r) => r.outcome === 'requeue')) return { requeueAfter: 1 };
      },
    },
  });
  try {
    await c.start();
    for (const name of ['ok', 'bad', 'flaky', 'later']) await store.create(THINGS, { apiVersion: 'example.dev/v1', kind: 'Thing', metadata: { name, namespace: 'ns' } });
    for (let i = 0; i < 400 && !(reports.some((r) => r.outcome === 'requeue') && reports.filter((r) => r.outcome === 'success').length >= 3); i++) await new Promise((r) => setTimeout(r, 5));
    const outcomes = new Set(reports.map((r) => r.outcome));
    assert.deepEqual([...outcomes].sort(), ['error', 'requeue', 'success', 'terminal']);
    for (const r of reports) assert.ok(r.seconds >= 0 && r.seconds < 60, JSON.stringify(r));
  } finally {
    diagnostics.unsubscribe(RECONCILE_CHANNEL, listen);
    await c.stop();
  }
});
