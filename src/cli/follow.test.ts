import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import type { ClientWatch, ClientWatchEvent, KilnClient, LogLine } from '../client/client.ts';
import { follow } from './follow.ts';
import type { Reporter } from './reporter.ts';

/** A client whose watches the test feeds; logs give one line per step of a TaskRun. */
function fakeClient() {
  const feeds = new Map<string, Array<(e: ClientWatchEvent) => void>>();
  const objects = new Map<string, KObject>();
  const client = {
    watch(kind: string): ClientWatch {
      const queue: ClientWatchEvent[] = [];
      let wake: (() => void) | undefined;
      let stopped = false;
      const push = (e: ClientWatchEvent) => { queue.push(e); wake?.(); };
      feeds.set(kind, [...(feeds.get(kind) ?? []), push]);
      return {
        stop() { stopped = true; wake?.(); },
        async *[Symbol.asyncIterator]() {
          while (!stopped) {
            const e = queue.shift();
            if (e) yield e;
            else await new Promise<void>((r) => (wake = r));
          }
        },
      };
    },
    async get(kind: string, _ns: string, name: string) {
      const o = objects.get(`${kind}/${name}`);
      if (!o) throw new Error('not found');
      return o;
    },
    async list(kind: string, _ns: string, selector?: string) {
      const [k, v] = (selector ?? '').split('=');
      return [...objects.values()].filter((o) => o.kind === kind && (!k || o.metadata.labels?.[k] === v));
    },
    async *logs(_ns: string, taskRun: string): AsyncIterable<LogLine> {
      yield { taskRun, step: 'echo', line: `hello from ${taskRun}` };
    },
  } as unknown as KilnClient;
  return {
    client,
    emit(o: KObject) {
      objects.set(`${o.kind}/${o.metadata.name}`, o);
      for (const push of feeds.get(o.kind) ?? []) push({ type: 'MODIFIED', object: o });
    },
    /** stores an object the watches never deliver (an event still in flight when the run ends) */
    store(o: KObject) { objects.set(`${o.kind}/${o.metadata.name}`, o); },
  };
}

const done = { conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }], startTime: 't0' };
const pr = (name: string, labels: Record<string, string> = {}, status?: object): KObject => ({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, labels }, spec: {}, status });
const tr = (name: string, pipelineRun: string, task: string): KObject => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'TaskRun',
  metadata: { name, labels: { 'tekton.dev/pipelineRun': pipelineRun, 'tekton.dev/pipelineTask': task } },
  spec: {},
  status: { startTime: 't0', logDir: '/logs' },
});
const tick = () => new Promise((r) => setImmediate(r));

test('follow: TaskRuns of a child PipelineRun (and deeper) stream, prefixed by the tasks leading to them', async () => {
  const { client, emit } = fakeClient();
  const logs: string[] = [];
  const taskUpdates: string[] = [];
  const prUpdates: string[] = [];
  const reporter: Reporter = {
    onNotice() {}, onRunStart() {}, onRunEnd() {}, onAllEnd() {},
    onLog: (prefix, line) => logs.push(`[${prefix}] ${line}`),
    onTaskRunUpdate: (o) => taskUpdates.push(`${o.kind}/${o.metadata.name}`),
    onPipelineRunUpdate: (o) => prUpdates.push(o.metadata.name!),
  };
  const f = follow(client, { namespace: 'default', runs: [{ kind: 'PipelineRun', name: 'run' }], reporter });
  emit(pr('run'));
  emit(tr('run-build', 'run', 'build'));
  // the grandchild's TaskRun may be seen before its PipelineRun
  emit(tr('run-child-hello', 'run-child', 'hello'));
  await tick();
  emit(pr('run-child', { 'tekton.dev/pipelineRun': 'run', 'tekton.dev/pipelineTask': 'child' }, { startTime: 't0' }));
  emit(pr('run-child-inner', { 'tekton.dev/pipelineRun': 'run-child', 'tekton.dev/pipelineTask': 'inner' }));
  emit(tr('run-child-inner-deep', 'run-child-inner', 'deep'));
  emit(pr('unrelated'));
  emit(tr('unrelated-x', 'unrelated', 'x'));
  await tick();
  emit(pr('run-child', { 'tekton.dev/pipelineRun': 'run', 'tekton.dev/pipelineTask': 'child' }, done));
  emit(pr('run', {}, done));
  const [final] = await f.wait();
  assert.equal(final.metadata.name, 'run');
  assert.deepEqual(logs.sort(), [
    '[build/echo] hello from run-build',
    '[child/hello/echo] hello from run-child-hello',
    '[child/inner/deep/echo] hello from run-child-inner-deep',
  ]);
  assert.deepEqual(prUpdates, ['run', 'run'], 'only the followed PipelineRun updates its view');
  assert.deepEqual(taskUpdates, ['TaskRun/run-build', 'PipelineRun/run-child', 'PipelineRun/run-child'], 'the direct child shows as its task');
});

test('follow: a TaskRun whose events had not arrived when its PipelineRun ended (a finally task) still streams', async () => {
  const { client, emit, store } = fakeClient();
  const logs: string[] = [];
  const none = () => {};
  const reporter: Reporter = { onNotice: none, onRunStart: none, onRunEnd: none, onAllEnd: none, onTaskRunUpdate: none, onLog: (prefix, line) => logs.push(`[${prefix}] ${line}`) };
  const f = follow(client, { namespace: 'default', runs: [{ kind: 'PipelineRun', name: 'run' }], reporter });
  emit(tr('run-build', 'run', 'build'));
  store(tr('run-cleanup', 'run', 'cleanup'));
  emit(pr('run', {}, done));
  await f.wait();
  assert.deepEqual(logs.sort(), ['[build/echo] hello from run-build', '[cleanup/echo] hello from run-cleanup']);
});

test('follow: a TaskRun that ran before the watch took hold streams while it runs, not when its next event comes', async () => {
  const { client, emit, store } = fakeClient();
  const logs: string[] = [];
  const none = () => {};
  const reporter: Reporter = { onNotice: none, onRunStart: none, onRunEnd: none, onAllEnd: none, onTaskRunUpdate: none, onLog: (prefix, line) => logs.push(`[${prefix}] ${line}`) };
  const f = follow(client, { namespace: 'default', runs: [{ kind: 'PipelineRun', name: 'run' }], reporter });
  store(pr('run'));
  store(tr('run-first', 'run', 'first'));
  const ended = f.wait();
  for (let i = 0; i < 5; i++) await tick();
  assert.deepEqual(logs, ['[first/echo] hello from run-first'], 'streamed before the run ended');
  emit(pr('run', {}, done));
  await ended;
});
