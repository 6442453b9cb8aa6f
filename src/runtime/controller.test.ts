import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import type { ResourceType } from '../store/store.ts';
import { createMemoryStore } from '../store/memory.ts';
import { createController } from './controller.ts';
import type { Logger } from './logger.ts';
import { ownerRequests } from './owners.ts';
import type { Request, Result } from './result.ts';
import { TerminalError, requestFromKey, requestKey } from './result.ts';
import { createFakeClock, flush, until } from './testing.ts';

const TASKRUNS: ResourceType = { group: 'tekton.dev', plural: 'taskruns', kind: 'TaskRun', namespaced: true };
const PIPELINERUNS: ResourceType = { group: 'tekton.dev', plural: 'pipelineruns', kind: 'PipelineRun', namespaced: true };

function tr(name: string, meta: KObject['metadata'] = {}): KObject {
  return { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, ...meta }, spec: {} };
}

function pr(name: string, meta: KObject['metadata'] = {}): KObject {
  return { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, ...meta }, spec: {} };
}

function captureLogger() {
  const lines: string[] = [];
  const logger: Logger = { info: () => {}, error: (m) => lines.push(m) };
  return { lines, logger };
}

/** A gate a reconcile can wait on until the test opens it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => { open = resolve; });
  return { open, opened };
}

describe('controller', () => {
  it('a kind watched as primary and as owner of its own kind gets one informer (one cache), and both routes fire', async () => {
    const store = createMemoryStore();
    const watched: string[] = [];
    const counting = { ...store, watch: (t: ResourceType, o?: Parameters<typeof store.watch>[1]) => { watched.push(t.plural); return store.watch(t, o); } };
    const parent = await store.create(PIPELINERUNS, pr('parent'));
    const calls: string[] = [];
    const ctl = createController({
      name: 'pipelinerun', store: counting, type: PIPELINERUNS,
      reconciler: { async reconcile(req) { calls.push(requestKey(req)); } },
      watches: [{ type: PIPELINERUNS, mapToRequests: ownerRequests(PIPELINERUNS) }, { type: TASKRUNS, mapToRequests: ownerRequests(PIPELINERUNS) }],
    });
    await ctl.start();
    await ctl.idle();
    assert.deepEqual(watched.sort(), ['pipelineruns', 'taskruns']);
    calls.length = 0;
    await store.create(PIPELINERUNS, pr('child', { ownerReferences: [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'parent', uid: parent.metadata.uid!, controller: true }] }));
    await ctl.idle();
    assert.deepEqual(calls.sort(), ['default/child', 'default/parent'], 'the child wakes itself and its owner');
    assert.equal(ctl.informerFor(PIPELINERUNS), ctl.informer);
    await ctl.stop();
  });

  it('reconciles existing objects, then objects created after start', async () => {
    const store = createMemoryStore();
    await store.create(TASKRUNS, tr('before', { namespace: 'n1' }));
    const calls: string[] = [];
    const ctl = createController({
      name: 'taskrun', store, type: TASKRUNS,
      reconciler: { async reconcile(req) { calls.push(requestKey(req)); } },
    });
    await ctl.start();
    await ctl.idle();
    assert.deepEqual(calls, ['n1/before']);
    await store.create(TASKRUNS, tr('after'));
    await ctl.idle();
    assert.deepEqual(calls, ['n1/before', 'default/after']);
    await store.delete(TASKRUNS, 'default', 'after');
    await ctl.idle();
    assert.deepEqual(calls, ['n1/before', 'default/after', 'default/after'], 'a delete wakes the reconciler too');
    await ctl.stop();
  });

  it('idle() covers the events a reconcile causes (status writes are reconciled again)', async () => {
    const store = createMemoryStore();
    const seen: string[] = [];
    const ctl = createController({
      name: 'taskrun', store, type: TASKRUNS,
      reconciler: {
        async reconcile(req) {
          const obj = await store.get(TASKRUNS, req.namespace, req.name);
          const n = ((obj.status as { n?: number } | undefined)?.n ?? 0);
          seen.push(`n=${n}`);
          if (n < 3) await store.updateStatus(TASKRUNS, { ...obj, status: { n: n + 1 } });
        },
      },
    });
    await ctl.start();
    await store.create(TASKRUNS, tr('a'));
    await ctl.idle();
    assert.deepEqual(seen, ['n=0', 'n=1', 'n=2', 'n=3']);
    await ctl.stop();
  });

  it('a thrown error is logged and retried with growing backoff until it succeeds', async () => {
    const store = createMemoryStore();
    const clock = createFakeClock();
    const { lines, logger } = captureLogger();
    let calls = 0;
    const ctl = createController({
      name: 'taskrun', store, type: TASKRUNS, clock, logger,
      reconciler: {
        async reconcile() {
          calls++;
          if (calls <= 3) throw new Error(`boom ${calls}`);
        },
      },
    });
    await ctl.start();
    ctl.enqueue({ namespace: 'default', name: 'a' });
    await until(() => calls === 1 && clock.pending === 1, 'first failure');
    let idle = false;
    void ctl.idle().then(() => { idle = true; });
    clock.advance(4);
    await flush();
    assert.equal(calls, 1, 'not before the 5 ms backoff');
    clock.advance(1);
    await until(() => calls === 2 && clock.pending === 1, 'second attempt');
    clock.advance(9);
    await flush();
    assert.equal(calls, 2, 'not before the 10 ms backoff');
    assert.equal(idle, false, 'not idle while a retry is pending');
    clock.advance(1);
    await until(() => calls === 3 && clock.pending === 1, 'third attempt');
    clock.advance(20);
    await until(() => idle, 'idle after the success');
    assert.equal(calls, 4);
    assert.deepEqual(lines, [
      'controller taskrun: reconcile default/a failed, retry 1',
      'controller taskrun: reconcile default/a failed, retry 2',
      'controller taskrun: reconcile default/a failed, retry 3',
    ]);
    ctl.enqueue({ namespace: 'default', name: 'a' });
    await ctl.idle();
    assert.equal(calls, 5);
    assert.equal(clock.pending, 0, 'success forgets the backoff');
    await ctl.stop();
  });

  it('a TerminalError is logged and not retried', async () => {
    const store = createMemoryStore();
    const clock = createFakeClock();
    const { lines, logger } = captureLogger();
    let calls = 0;
    const ctl = createController({
      name: 'taskrun', store, type: TASKRUNS, clock, logger,
      reconciler: { async reconcile() { calls++; throw new TerminalError('spec.taskRef: not found'); } },
    });
    await ctl.start();
    ctl.enqueue({ namespace: 'default', name: 'a' });
    await ctl.idle();
    assert.equal(calls, 1);
    assert.equal(clock.pending, 0);
    assert.deepEqual(lines, ['controller taskrun: reconcile default/a failed terminally, not retrying']);
    await ctl.stop();
  });

  it('{requeueAfter} reconciles again after that long', async () => {
    const store = createMemoryStore();
    const clock = createFakeClock();
    const results: Result[] = [{ requeueAfter: 1000 }, { requeueAfter: 0 }, undefined];
    let calls = 0;
    const ctl = createController({
      name: 'taskrun', store, type: TASKRUNS, clock,
      reconciler: { async reconcile() { return results[calls++]; } },
    });
    await ctl.start();
    ctl.enqueue({ namespace: 'default', name: 'a' });
    await ctl.idle();
    assert.equal(calls, 1, 'idle does not wait for a timed requeue');
    assert.equal(clock.next, 1000);
    clock.advance(999);
    await flush();
    assert.equal(calls, 1);
    clock.advance(1);
    await until(() => calls === 2, 'the requeue');
    await ctl.idle();
    assert.equal(calls, 2, 'requeueAfter 0 means no requeue');
    assert.equal(clock.pending, 0);
    await ctl.stop();
  });

  it('two workers never reconcile the same key concurrently; a key re-added meanwhile runs once more', async () => {
    const store = createMemoryStore();
    const running = new Map<string, number>();
    const log: string[] = [];
    let maxSameKey = 0;
    let maxTotal = 0;
    const gates = new Map<string, ReturnType<typeof gate>>([['default/a', gate()], ['default/b', gate()]]);
    const ctl = createController({
      name: 'taskrun', store, type: TASKRUNS, workers: 2,
      reconciler: {
        async reconcile(req: Request) {
          const key = requestKey(req);
          running.set(key, (running.get(key) ?? 0) + 1);
          maxSameKey = Math.max(maxSameKey, running.get(key)!);
          maxTotal = Math.max(maxTotal, [...running.values()].reduce((x, y) => x + y, 0));
          log.push(`start ${key}`);
          await gates.get(key)?.opened;
          gates.delete(key);
          log.push(`end ${key}`);
          running.set(key, running.get(key)! - 1);
        },
      },
    });
    await ctl.start();
    ctl.enqueue({ namespace: 'default', name: 'a' });
    ctl.enqueue({ namespace: 'default', name: 'b' });
    await until(() => log.length === 2, 'both keys running');
    for (let i = 0; i < 5; i++) ctl.enqueue({ namespace: 'default', name: 'a' });
    await flush();
    assert.deepEqual(log, ['start default/a', 'start default/b'], 'a is not handed to the idle worker');
    gates.get('default/a')!.open();
    await until(() => log.filter((l) => l === 'start default/a').length === 2, 'a runs again');
    gates.get('default/b')!.open();
    await ctl.idle();
    assert.deepEqual(log, ['start default/a', 'start default/b', 'end default/a', 'start default/a', 'end default/a', 'end default/b']);
    assert.equal(maxSameKey, 1);
    assert.equal(maxTotal, 2);
    await ctl.stop();
  });

  it('watches map child changes to their owner (ownerRequests)', async () => {
    const store = createMemoryStore();
    const run = await store.create(PIPELINERUNS, pr('run'));
    const ref = { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'run', uid: run.metadata.uid!, controller: true };
    const child = await store.create(TASKRUNS, tr('run-t1', { ownerReferences: [ref] }));
    await store.create(TASKRUNS, tr('orphan'));
    const calls: string[] = [];
    const ctl = createController({
      name: 'pipelinerun', store, type: PIPELINERUNS,
      watches: [{ type: TASKRUNS, mapToRequests: ownerRequests(PIPELINERUNS) }],
      reconciler: { async reconcile(req) { calls.push(requestKey(req)); } },
    });
    await ctl.start();
    await ctl.idle();
    assert.deepEqual(calls, ['default/run']);
    calls.length = 0;
    await store.updateStatus(TASKRUNS, { ...child, status: { done: true } });
    await store.updateStatus(TASKRUNS, { ...tr('orphan'), status: { done: true } });
    await ctl.idle();
    assert.deepEqual(calls, ['default/run']);
    await ctl.stop();
  });

  it('stop() waits for in-flight reconciles; nothing runs afterwards', async () => {
    const store = createMemoryStore();
    const g = gate();
    const calls: string[] = [];
    const ctl = createController({
      name: 'taskrun', store, type: TASKRUNS,
      reconciler: { async reconcile(req) { calls.push(`start ${req.name}`); await g.opened; calls.push(`end ${req.name}`); } },
    });
    await ctl.start();
    ctl.enqueue({ namespace: 'default', name: 'a' });
    ctl.enqueue({ namespace: 'default', name: 'b' });
    await until(() => calls.length === 1, 'a running');
    let stopped = false;
    const stopping = ctl.stop().then(() => { stopped = true; });
    await flush();
    assert.equal(stopped, false);
    g.open();
    await stopping;
    assert.deepEqual(calls, ['start a', 'end a'], 'queued b is dropped');
    ctl.enqueue({ namespace: 'default', name: 'c' });
    await store.create(TASKRUNS, tr('d'));
    await flush();
    assert.deepEqual(calls, ['start a', 'end a']);
    await ctl.idle();
  });

  it('keys enqueued before start run once the workers start', async () => {
    const store = createMemoryStore();
    const calls: string[] = [];
    const ctl = createController({
      name: 'taskrun', store, type: TASKRUNS,
      reconciler: { async reconcile(req) { calls.push(requestKey(req)); } },
    });
    ctl.enqueue({ namespace: '', name: 'cluster-thing' });
    await ctl.start();
    await ctl.idle();
    assert.deepEqual(calls, ['/cluster-thing']);
    await ctl.stop();
    await assert.rejects(ctl.start(), /start\(\) called twice/);
  });
});

describe('ownerRequests', () => {
  const obj = (refs: Array<{ kind: string; apiVersion: string; name: string; controller?: boolean }>): KObject => ({
    apiVersion: 'tekton.dev/v1', kind: 'TaskRun',
    metadata: { name: 'x', namespace: 'n1', ownerReferences: refs.map((r) => ({ uid: `uid-${r.name}`, ...r })) },
  });
  const cases = [
    { name: 'no owners', refs: [], owner: 'PipelineRun', opts: {}, want: [] },
    {
      name: 'every owner of the kind',
      refs: [
        { kind: 'PipelineRun', apiVersion: 'tekton.dev/v1', name: 'p1', controller: true },
        { kind: 'PipelineRun', apiVersion: 'tekton.dev/v1', name: 'p2' },
        { kind: 'Other', apiVersion: 'tekton.dev/v1', name: 'o' },
      ],
      owner: 'PipelineRun', opts: {}, want: ['n1/p1', 'n1/p2'],
    },
    {
      name: 'only the controller',
      refs: [
        { kind: 'PipelineRun', apiVersion: 'tekton.dev/v1', name: 'p1' },
        { kind: 'PipelineRun', apiVersion: 'tekton.dev/v1', name: 'p2', controller: true },
      ],
      owner: 'PipelineRun', opts: { onlyController: true }, want: ['n1/p2'],
    },
    {
      name: 'a ResourceType also matches the group',
      refs: [
        { kind: 'PipelineRun', apiVersion: 'tekton.dev/v1beta1', name: 'p1' },
        { kind: 'PipelineRun', apiVersion: 'example.com/v1', name: 'p2' },
      ],
      owner: PIPELINERUNS, opts: {}, want: ['n1/p1'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(ownerRequests(c.owner, c.opts)(obj(c.refs)).map(requestKey), c.want);
    });
  }

  it('requestFromKey inverts requestKey', () => {
    assert.deepEqual(requestFromKey('ns/a'), { namespace: 'ns', name: 'a' });
    assert.deepEqual(requestFromKey('/a'), { namespace: '', name: 'a' });
    assert.deepEqual(requestFromKey('a'), { namespace: '', name: 'a' });
  });
});
