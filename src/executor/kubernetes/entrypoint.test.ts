// The kubernetes executor with the entrypoint lookup: a step naming no command runs its image's
// ENTRYPOINT (+ CMD, or its args) read before the Pod is made; a lookup that fails fails the
// attempt with its message, and no Pod is made.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionPlan, PlanContainer } from '../executor.ts';
import { createKubernetesExecutor } from './executor.ts';
import type { PodApi } from './executor.ts';
import type { EntrypointLookup } from './imageconfig.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'kiln-k8s-entrypoint-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

/** An API that keeps the Pods it is asked to create and refuses them (the attempt ends there). */
function capturing() {
  const pods: any[] = [];
  const api: PodApi = {
    async create(pod) { pods.push(pod); throw new Error('no cluster here'); },
    watch: () => ({ stop() {} }),
    async delete() {},
    async createSecret() {},
    async deleteSecret() {},
    async annotate() {},
    async log() {},
  };
  return { api, pods };
}

const step = (name: string, more: Partial<PlanContainer> = {}): PlanContainer => ({ name, containerName: `step-${name}`, image: 'reg.example/tool:1', env: [], mounts: [], ...more });
let n = 0;
const plan = (steps: PlanContainer[], more: Partial<ExecutionPlan> = {}): ExecutionPlan => { n++; return { id: `ns/ep${n}/0`, namespace: 'ns', taskRunName: `ep${n}`, steps, sidecars: [], volumes: [], results: [], ...more }; };

test('steps without command run their image\'s entrypoint (args replace CMD); each image looked up once, with the run\'s registry auth', async () => {
  const asked: Array<[string, string | undefined]> = [];
  const lookup: EntrypointLookup = async (image, auth) => {
    asked.push([image, auth]);
    return { entrypoint: ['/bin/tool'], cmd: ['run'] };
  };
  const k = capturing();
  const ex = createKubernetesExecutor({ api: k.api, dataDir, toolsImage: 'busybox', entrypointLookup: lookup });
  const p = plan([step('plain'), step('args', { args: ['--fast'] }), step('cmd', { image: 'other', command: ['echo'], args: ['hi'] })], { registryAuth: '{"auths":{}}' });
  assert.deepEqual(ex.check(p), [], 'the entrypoints are read when the attempt starts, not reported unsupported');
  const snap = await ex.start(p, () => {}).done;
  assert.equal(snap.outcome?.status, 'failed');
  assert.match((snap.outcome as { message: string }).message, /cannot create pod .*: no cluster here/);
  assert.deepEqual(asked, [['reg.example/tool:1', '{"auths":{}}']]);
  const argv = (name: string) => {
    const c = k.pods[0].spec.initContainers.find((x: any) => x.name === `step-${name}`).command as string[];
    return c.slice(c.indexOf('kiln-step') + 1);
  };
  assert.deepEqual(argv('plain'), ['/bin/tool', 'run']);
  assert.deepEqual(argv('args'), ['/bin/tool', '--fast']);
  assert.deepEqual(argv('cmd'), ['echo', 'hi']);
});

test('an image with CMD and no ENTRYPOINT: the CMD is the command and the step\'s args follow it (Tekton\'s rule)', async () => {
  const k = capturing();
  const ex = createKubernetesExecutor({ api: k.api, dataDir, toolsImage: 'busybox', entrypointLookup: async () => ({ entrypoint: [], cmd: ['/bin/bash'] }) });
  await ex.start(plan([step('a', { args: ['-c', 'echo', 'hello'] }), step('b')]), () => {}).done;
  const argv = (name: string) => {
    const c = k.pods[0].spec.initContainers.find((x: any) => x.name === `step-${name}`).command as string[];
    return c.slice(c.indexOf('kiln-step') + 1);
  };
  assert.deepEqual(argv('a'), ['/bin/bash', '-c', 'echo', 'hello']);
  assert.deepEqual(argv('b'), ['/bin/bash']);
});

test('a lookup that fails fails the attempt with its message (every image named), and no Pod is made', async () => {
  const lookup: EntrypointLookup = async (image) => {
    if (image === 'good') return { entrypoint: ['/good'], cmd: [] };
    if (image === 'empty') return { entrypoint: [], cmd: [] };
    throw new Error(`cannot read the entrypoint of image ${image}: not found in its registry (404)`);
  };
  const k = capturing();
  const ex = createKubernetesExecutor({ api: k.api, dataDir, toolsImage: 'busybox', entrypointLookup: lookup });
  const snap = await ex.start(plan([step('a', { image: 'good' }), step('b', { image: 'missing:1' }), step('c', { image: 'empty' })]), () => {}).done;
  assert.equal(snap.outcome?.status, 'failed');
  const o = snap.outcome as { reason: string; message: string };
  assert.equal(o.reason, 'ImagePullFailed');
  assert.equal(o.message, 'cannot read the entrypoint of image missing:1: not found in its registry (404); image empty has neither ENTRYPOINT nor CMD: give the step a command or script');
  assert.equal(k.pods.length, 0);
});

test('entrypoints the caller knows (podOptions) are not looked up', async () => {
  const lookup: EntrypointLookup = async (image) => { throw new Error(`asked for ${image}`); };
  const k = capturing();
  const ex = createKubernetesExecutor({ api: k.api, dataDir, toolsImage: 'busybox', entrypointLookup: lookup, podOptions: () => ({ entrypoints: { 'reg.example/tool:1': { entrypoint: ['/known'], cmd: [] } } }) });
  await ex.start(plan([step('a')]), () => {}).done;
  const c = k.pods[0].spec.initContainers.find((x: any) => x.name === 'step-a').command as string[];
  assert.deepEqual(c.slice(c.indexOf('kiln-step') + 1), ['/known']);
});
