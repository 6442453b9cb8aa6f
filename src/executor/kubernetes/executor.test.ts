// The kubernetes executor against a stand-in API whose "kubelet" plays the Pod podspec.ts makes:
// init containers in order with the wrapper's termination messages, logs, the report container.
// (Containers are not run here; the wrapper itself runs for real in wrapper.test.ts.)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionPlan, Executor, PlanContainer } from '../executor.ts';
import { createKubernetesExecutor, podName } from './executor.ts';
import type { PodApi } from './executor.ts';
import type { ContainerStatus, PodStatus } from './status.ts';
import { STOP_MARKER } from './wrapper.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'kiln-k8s-executor-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

/**
 * What a container does in the stand-in kubelet: its exit code and output; `hold` keeps it running
 * until the Pod is deleted; `context` is printed first, then it waits for the annotation `waitFor`
 * (kiln's beforeStep answer) as the wrapper does.
 */
interface Play { code?: number; out?: string; hold?: boolean; context?: string; waitFor?: string }

/** A stand-in API + kubelet: runs each created Pod's init containers in order as the wrapper would. */
function standIn(play: Record<string, Play>, results: Record<string, string> = {}) {
  const pods = new Map<string, { pod: any; status: PodStatus; logs: Map<string, string>; ended: Set<string>; live: Set<string>; deleted: boolean }>();
  const watchers = new Map<string, Set<(s: PodStatus | undefined) => void>>();
  const deleted: string[] = [];
  const secrets = new Map<string, any>();
  const tick = () => new Promise((r) => setTimeout(r, 5));
  const emit = (name: string) => { for (const w of watchers.get(name) ?? []) w(pods.get(name) && structuredClone(pods.get(name)!.status)); };
  async function kubelet(name: string): Promise<void> {
    const p = pods.get(name)!;
    const statuses: ContainerStatus[] = (p.status.initContainerStatuses = []);
    let stop = false;
    for (const c of p.pod.spec.initContainers as any[]) {
      await tick();
      if (p.deleted) return;
      const pl = play[c.name] ?? {};
      const st: ContainerStatus = { name: c.name, state: { running: { startedAt: 't' } } };
      statuses.push(st);
      if (c.restartPolicy === 'Always') { st.started = true; emit(name); continue; }
      emit(name);
      if (pl.hold) return;
      let answer: string | undefined;
      if (pl.context !== undefined) {
        p.logs.set(c.name, pl.context);
        p.live.add(c.name);
        while (!(answer = p.pod.metadata.annotations?.[pl.waitFor!])) {
          await tick();
          if (p.deleted) return;
        }
      }
      await tick();
      const isStep = c.name.startsWith('step-');
      const code = pl.code ?? 0;
      // a step skipped before the Pod was made (beforeStep) says only that
      const skipped = stop || String(c.command[3]).startsWith(`printf '{"skipped":true}'`) || answer === 'skip\n';
      const message = !isStep ? '' : skipped ? '{"skipped":true}' : `{"exitCode":${code},"timedOut":false}`;
      if (isStep && !skipped) p.logs.set(c.name, (pl.context ?? '') + (pl.out ?? ''));
      // as the wrapper: a failure stops the steps after it when its wrapper says so (no onError: continue)
      if (isStep && !skipped && code !== 0 && String(c.command[3]).includes(`: > ${STOP_MARKER}`)) stop = true;
      st.state = { terminated: { exitCode: 0, reason: 'Completed', message } };
      p.ended.add(c.name);
      emit(name);
    }
    p.logs.set('report', Object.entries(results).map(([k, v]) => `kiln-result ${k} ${Buffer.from(v).toString('base64')}`).join('\n'));
    p.ended.add('report');
    p.status.phase = 'Succeeded';
    emit(name);
  }
  const api: PodApi = {
    async create(pod: any) {
      if (pods.has(pod.metadata.name)) throw new Error(`pods "${pod.metadata.name}" already exists`);
      pods.set(pod.metadata.name, { pod, status: { phase: 'Pending' }, logs: new Map(), ended: new Set(), live: new Set(), deleted: false });
      void kubelet(pod.metadata.name);
      return `uid-${pod.metadata.name}`;
    },
    watch(_ns, name, on) {
      const set = watchers.get(name) ?? new Set();
      watchers.set(name, set.add(on));
      queueMicrotask(() => on(pods.get(name) && structuredClone(pods.get(name)!.status)));
      return { stop: () => void set.delete(on) };
    },
    async createSecret(secret: any) {
      secrets.set(secret.metadata.name, secret);
    },
    async deleteSecret(_ns, name) {
      secrets.delete(name);
    },
    async annotate(_ns, name, annotations) {
      const p = pods.get(name);
      if (p) p.pod.metadata.annotations = { ...p.pod.metadata.annotations, ...annotations };
    },
    async delete(_ns, name) {
      deleted.push(name);
      const p = pods.get(name);
      if (p) p.deleted = true;
      pods.delete(name);
      emit(name);
    },
    async log(_ns, name, container, onChunk, signal) {
      let sent = 0;
      for (;;) {
        const p = pods.get(name);
        if (!p || signal.aborted) return;
        const text = p.logs.get(container) ?? '';
        if ((p.live.has(container) || p.ended.has(container)) && text.length > sent) {
          onChunk(Buffer.from(text.slice(sent)));
          sent = text.length;
        }
        if (p.ended.has(container)) return;
        await tick();
      }
    },
  };
  return { api, pods, deleted, secrets, vanish: (name: string) => { pods.delete(name); emit(name); } };
}

const step = (name: string, more: Partial<PlanContainer> = {}): PlanContainer => ({ name, containerName: `step-${name}`, image: 'alpine', env: [], mounts: [], command: ['true'], ...more });
let n = 0;
const plan = (more: Partial<ExecutionPlan> = {}): ExecutionPlan => { n++; return { id: `ns/tr${n}/0`, namespace: 'ns', taskRunName: `tr${n}`, steps: [step('a'), step('b')], sidecars: [], volumes: [], results: ['digest'], ...more }; };
const ex = (api: PodApi) => createKubernetesExecutor({ api, dataDir, toolsImage: 'busybox' });

test('a Pod runs the steps; their logs are kept (masked) and the results read from the report; the Pod is deleted', async () => {
  const k = standIn({ 'step-a': { out: 'hello s3cr3t-value\n' }, 'step-b': { out: 'b\n' } }, { digest: 'sha256:1', other: 'x' });
  const p = plan({ secrets: ['s3cr3t-value'] });
  const snap = await ex(k.api).start(p, () => {}).done;
  assert.deepEqual(snap.outcome, { status: 'succeeded' });
  assert.deepEqual(snap.steps.map((s) => [s.name, s.reason, s.exitCode]), [['a', 'Completed', 0], ['b', 'Completed', 0]]);
  assert.deepEqual(snap.results, { digest: 'sha256:1' }, 'only declared results');
  assert.equal(readFileSync(snap.steps[0].logFile, 'utf8'), 'hello ***\n');
  assert.equal(readFileSync(snap.steps[1].logFile, 'utf8'), 'b\n');
  assert.deepEqual(k.deleted, [podName(p)]);
});

test('a failing step fails the attempt and the next is skipped (no log of its own)', async () => {
  const k = standIn({ 'step-a': { code: 3, out: 'boom\n' } });
  const snap = await ex(k.api).start(plan(), () => {}).done;
  assert.deepEqual(snap.outcome, { status: 'failed', reason: 'StepFailed', message: '"step-a" exited with code 3', step: 'a' });
  assert.deepEqual(snap.steps.map((s) => s.reason), ['Error', 'Skipped']);
  assert.equal(readFileSync(snap.steps[0].logFile, 'utf8'), 'boom\n');
});

test('cancel deletes the Pod at once: the running step is Cancelled, the rest skipped', async () => {
  const k = standIn({ 'step-a': { hold: true } });
  const p = plan();
  const h = ex(k.api).start(p, () => {});
  while (h.snapshot().steps[0].phase !== 'running') await new Promise((r) => setTimeout(r, 5));
  h.cancel('cancelled', 'TaskRun cancelled by the user');
  const snap = await h.done;
  assert.deepEqual(snap.outcome, { status: 'cancelled', message: 'TaskRun cancelled by the user' });
  assert.deepEqual(snap.steps.map((s) => s.reason), ['Cancelled', 'Skipped']);
  assert.equal(k.deleted[0], podName(p));
  assert.ok(!k.pods.has(podName(p)));
});

test('the API refusing the Pod, or the Pod vanishing, fails the attempt with the reason', async () => {
  const k = standIn({ 'step-a': { hold: true } });
  const refusing: PodApi = { ...k.api, create: async () => { throw new Error('pods is forbidden: exceeded quota'); } };
  const snap = await ex(refusing).start(plan(), () => {}).done;
  assert.equal(snap.outcome?.status, 'failed');
  assert.match((snap.outcome as any).message, /^cannot create pod tr\d+-pod: pods is forbidden: exceeded quota$/);
  const p = plan();
  const h = ex(k.api).start(p, () => {});
  while (h.snapshot().steps[0].phase !== 'running') await new Promise((r) => setTimeout(r, 5));
  k.vanish(podName(p));
  assert.deepEqual((await h.done).outcome, { status: 'failed', reason: 'PodCreationFailed', message: `pod ${podName(p)} was deleted before the attempt ended` });
});

test('check names what a Pod cannot run; podName follows Tekton (-pod, -pod-retryN) within 63 characters', () => {
  const k = standIn({});
  const e = ex(k.api);
  const bad = plan({ volumes: [{ name: 'h', source: { type: 'hostDir', path: '/srv' } }], steps: [step('a', { args: ['$(steps.b.results.x)'] })] });
  assert.deepEqual(e.check(bad).map((u) => u.what), ['volume h']);
  const later = plan({ stepWhen: ['b'], reportFiles: [{ volume: 'ws-src', pattern: '*.xml', mountPath: '/workspace/src' }] });
  assert.deepEqual(e.check(later), [], 'step when and report files are run on a Pod too');
  assert.deepEqual(e.check(plan()), []);
  assert.equal(podName({ ...plan(), id: 'ns/build/0', taskRunName: 'build' }), 'build-pod');
  assert.equal(podName({ ...plan(), id: 'ns/build/2', taskRunName: 'build' }), 'build-pod-retry2');
  const long = podName({ ...plan(), id: 'ns/x/1', taskRunName: 'a'.repeat(100) });
  assert.equal(long.length, 63);
  assert.ok(long.endsWith('-pod-retry1'));
});

test('credentials: their Secret is made right after the Pod, owned by it, and deleted with it; a Secret the API refuses fails the attempt', async () => {
  const k = standIn({});
  let made: any;
  const api: PodApi = { ...k.api, createSecret: async (x) => { made = x; return k.api.createSecret(x); } };
  const p = plan({ credentials: { '.gitconfig': '[user]\n' } });
  const snap = await ex(api).start(p, () => {}).done;
  assert.deepEqual(snap.outcome, { status: 'succeeded' });
  assert.deepEqual(made.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Pod', name: podName(p), uid: `uid-${podName(p)}` }]);
  assert.equal(k.secrets.size, 0);
  const refusing: PodApi = { ...k.api, createSecret: async () => { throw new Error('secrets is forbidden'); } };
  const q = plan({ credentials: { '.gitconfig': '' } });
  assert.deepEqual((await ex(refusing).start(q, () => {}).done).outcome, { status: 'failed', reason: 'PodCreationFailed', message: `cannot create secret ${podName(q)}-creds (the credentials): secrets is forbidden` });
  assert.ok(k.deleted.includes(podName(q)), 'the Pod made before it is deleted');
});

test('beforeStep: decided up front for step 0, skipped steps carry its message', async () => {
  const k = standIn({});
  const p = plan({ beforeStep: (i, s) => (i === 0 ? { skip: 'when expressions were evaluated to false' } : { step: s }), beforeStepReads: [] });
  const snap = await ex(k.api).start(p, () => {}).done;
  assert.deepEqual(snap.steps.map((s) => [s.reason, s.message]), [['Skipped', 'when expressions were evaluated to false'], ['Completed', undefined]]);
});

test('beforeStep at run time: the context a waiting step prints reaches beforeStep (not its log); the answer goes on the Pod', async () => {
  const context = `kiln-context-result step-a/r ${Buffer.from('v1').toString('base64')}\nkiln-context-end\n`;
  const k = standIn({ 'step-b': { context, waitFor: 'kiln.dev/before-step-1', out: 'own\n' }, 'step-c': { context, waitFor: 'kiln.dev/before-step-2', out: 'never\n' } });
  const seen: unknown[] = [];
  const p = plan({
    steps: [step('a', { results: ['r'] }), step('b', { args: ['$(r)'] }), step('c')],
    beforeStepReads: ['b', 'c'],
    beforeStep(i, s, ctx) {
      seen.push([i, ctx.stepResults]);
      return i === 2 ? { skip: 'when expressions evaluated to false' } : { step: { ...s, args: s.args?.map((a) => a.replace('$(r)', ctx.stepResults.a?.r ?? '')) } };
    },
  });
  let pod: any;
  const api: PodApi = { ...k.api, create: async (x) => { pod = x; return k.api.create(x); } };
  let early: unknown;
  let h: ReturnType<Executor['start']> | undefined;
  h = ex(api).start(p, () => { early ??= h?.snapshot().steps[0].results; });
  const snap = await h.done;
  assert.deepEqual(early, { r: 'v1' }, "step a's results show while the attempt runs, once a later step printed them");
  assert.deepEqual(seen, [[0, {}], [1, { a: { r: 'v1' } }], [2, { a: { r: 'v1' } }]]);
  assert.deepEqual(snap.outcome, { status: 'succeeded' });
  assert.deepEqual(snap.steps.map((s) => [s.reason, s.message]), [['Completed', undefined], ['Completed', undefined], ['Skipped', 'when expressions evaluated to false']]);
  assert.equal(readFileSync(snap.steps[1].logFile, 'utf8'), 'own\n', 'the context is not part of the log');
  const answer = pod.metadata.annotations['kiln.dev/before-step-1'].trim().split('\n').map((l: string) => (l[1] === ' ' ? Buffer.from(l.slice(2), 'base64').toString() : l));
  assert.deepEqual(answer, ['run', 'true', 'v1']);
  assert.equal(pod.metadata.annotations['kiln.dev/before-step-2'], 'skip\n');
});

test('an answer the API refuses fails the attempt and deletes its Pod', async () => {
  const context = 'kiln-context-end\n';
  const k = standIn({ 'step-b': { context, waitFor: 'kiln.dev/before-step-1' } });
  const api: PodApi = { ...k.api, annotate: async () => { throw new Error('pods "x" is forbidden'); } };
  const p = plan({ beforeStep: (_i, s) => ({ step: s }) });
  const snap = await ex(api).start(p, () => {}).done;
  assert.deepEqual(snap.outcome, { status: 'failed', reason: 'PodCreationFailed', message: `cannot answer step "b" (beforeStep) through pod ${podName(p)}: pods "x" is forbidden` });
  assert.deepEqual(snap.steps.map((s) => s.reason), ['Completed', 'Cancelled']);
  assert.ok(k.deleted.includes(podName(p)));
});

test("abandon deletes a lost attempt's Pod and its credentials' Secret (a replica that died cannot); nothing there is no error", async () => {
  const k = standIn({ 'step-a': { hold: true } });
  const p = plan({ credentials: { '.gitconfig': '' } });
  const h = ex(k.api).start(p, () => {});
  while (h.snapshot().steps[0].phase !== 'running') await new Promise((r) => setTimeout(r, 5));
  assert.equal(k.secrets.size, 1);
  // another executor (the replica taking over) abandons the attempt
  await ex(k.api).abandon!(p.id, p.taskRunName);
  assert.ok(k.deleted.includes(podName(p)));
  assert.ok(!k.pods.has(podName(p)));
  assert.equal(k.secrets.size, 0);
  assert.equal((await h.done).outcome?.status, 'failed', 'the first executor sees its Pod go');
  await ex(k.api).abandon!('ns/gone/1', 'gone');
  assert.ok(k.deleted.includes('gone-pod-retry1'));
});
