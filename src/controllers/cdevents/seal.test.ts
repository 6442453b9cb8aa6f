import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { KObject } from '../../api/meta.ts';
import { PIPELINERUN } from '../../api/registry.ts';
import { buildCDEvent, CDEventType, type CDEvent } from '../../events/cdevent.ts';
import { fromHttp } from '../../events/cloudevent.ts';
import { runEventId } from '../../events/runs.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { createMemoryStore } from '../../store/memory.ts';
import { createCDEvents } from './controller.ts';
import type { Poster } from './delivery.ts';
import { OUTBOX, outboxEntry } from './outbox.ts';

const source = { source: 'https://kiln.test', apiBase: 'https://kiln.test' };

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not reached');
}

test('entries written through the API (no seal) are never delivered; one squatting a real event\'s id is replaced by the real event', async () => {
  const store = createMemoryStore();
  const key = randomBytes(32);
  const received: CDEvent[] = [];
  const post: Poster = async (_u, h, b) => { received.push(fromHttp(h, b).cdevent); return { status: 200 }; };
  const owner = { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'x', namespace: 'ci', uid: 'nobody' } };
  const forged = buildCDEvent(CDEventType.PipelineRunFinished, { id: 'forged-1', source: 'https://kiln.test', timestamp: '2024-01-01T00:00:00Z' }, { id: 'ci/x', content: { outcome: 'success' } });
  await store.create(OUTBOX, outboxEntry(owner, forged, 0, '2024-01-01T00:00:00.000Z'));
  const ce1 = createCDEvents({ store, sinks: [{ url: 'http://sink.test/' }], source, post, baseDelay: 1, logger: silentLogger, sealKey: key });
  await ce1.start();
  const pr: KObject = await store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'p', namespace: 'ci' }, spec: {} });
  await until(() => received.length === 1);
  await ce1.idle();
  await ce1.stop();
  assert.deepEqual(received.map((e) => e.context.id), [runEventId(pr.metadata.uid!, CDEventType.PipelineRunQueued)]);
  // a squatter on the id of p's started event, written while kiln is down
  const startedId = runEventId(pr.metadata.uid!, CDEventType.PipelineRunStarted);
  const squat = buildCDEvent(CDEventType.PipelineRunStarted, { id: startedId, source: 'https://evil.test', timestamp: '2024-01-01T00:00:00Z' }, { id: 'ci/p', content: { pipelineName: 'evil', uri: 'https://evil.test' } });
  await store.create(OUTBOX, outboxEntry(owner, squat, 0, '2024-01-01T00:00:00.000Z'));
  const cur = await store.get(PIPELINERUN, 'ci', 'p');
  await store.updateStatus(PIPELINERUN, { ...cur, status: { startTime: '2024-05-01T10:00:00Z', conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }] } });
  const ce2 = createCDEvents({ store, sinks: [{ url: 'http://sink.test/' }], source, post, baseDelay: 1, logger: silentLogger, sealKey: key });
  await ce2.start();
  await until(() => received.length === 2);
  await ce2.idle();
  await ce2.stop();
  assert.equal(received[1].context.id, startedId);
  assert.equal(received[1].context.source, 'https://kiln.test');
  assert.equal(received.some((e) => e.context.id === 'forged-1'), false);
});
