// The server's host policy (api/hostpolicy.ts through checkWrite and the webhook sinks): without
// `--allow-host-path` every hostPath is refused at create and update time with a 422 naming the
// field; with it only paths beneath the allowed directories once links are resolved; privileged
// containers only with `--allow-privileged`. Resources triggers create are held to the same.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { HostPolicy } from '../api/hostpolicy.ts';
import type { KObject } from '../api/meta.ts';
import { findKind } from '../api/registry.ts';
import { createMemoryStore } from '../store/memory.ts';
import type { Store } from '../store/store.ts';
import type { TriggerOutcome } from '../triggers/process.ts';
import { resolveHostPath } from './hostpaths.ts';
import { createServer } from './server.ts';

const TEKTON = '/apis/tekton.dev/v1/namespaces/default';
const TASKRUN = findKind('TaskRun', 'tekton.dev')!;
const PIPELINERUN = findKind('PipelineRun', 'tekton.dev')!;
const EL = findKind('EventListener', 'triggers.tekton.dev')!;
const NOT_ALLOWED = 'Forbidden: hostPath is not allowed on this server (kiln serve --allow-host-path)';

interface Reply { status: number; body: any }

function setup(hostPolicy?: HostPolicy, onProcessed?: (id: string, o: TriggerOutcome[]) => void): { app: FastifyInstance; store: Store } {
  const store = createMemoryStore();
  return { app: createServer({ store, hostPolicy, hooks: { interceptors: {}, onProcessed } }), store };
}

async function send(app: FastifyInstance, method: 'POST' | 'PUT' | 'PATCH', url: string, body: unknown, type = 'application/json'): Promise<Reply> {
  const res = await app.inject({ method, url, payload: JSON.stringify(body), headers: { 'content-type': type } });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

const causes = (r: Reply) => (r.body.details?.causes ?? []).map((c: { reason: string; field: string; message: string }) => `${c.reason} ${c.field}: ${c.message}`);

const steps = [{ name: 'build', image: 'alpine', script: 'true' }];
function taskRunWith(path: string): object {
  return { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'r' }, spec: { workspaces: [{ name: 'src', hostPath: { path } }], taskSpec: { workspaces: [{ name: 'src' }], steps } } };
}
function pipelineRunWith(path: string): object {
  return {
    apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'pr' },
    spec: {
      workspaces: [{ name: 'src', hostPath: { path } }],
      pipelineSpec: { workspaces: [{ name: 'src' }], tasks: [{ name: 't', workspaces: [{ name: 'src', workspace: 'src' }], taskSpec: { workspaces: [{ name: 'src' }], steps } }] },
    },
  };
}

describe('kiln serve without --allow-host-path or --allow-privileged', () => {
  const { app } = setup();

  it('a TaskRun binding a workspace to a host directory: 422 naming spec.workspaces[0].hostPath', async () => {
    const r = await send(app, 'POST', `${TEKTON}/taskruns`, taskRunWith('/tmp/x'));
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.reason, 'Invalid');
    assert.equal(r.body.message, `TaskRun.tekton.dev "r" is invalid: spec.workspaces[0].hostPath: ${NOT_ALLOWED}`);
    assert.deepEqual(causes(r), [`FieldValueForbidden spec.workspaces[0].hostPath: ${NOT_ALLOWED}`]);
  });

  it('a PipelineRun binding a workspace to a host directory: 422', async () => {
    const r = await send(app, 'POST', `${TEKTON}/pipelineruns`, pipelineRunWith('/tmp/x'));
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.deepEqual(causes(r), [`FieldValueForbidden spec.workspaces[0].hostPath: ${NOT_ALLOWED}`]);
  });

  it('a Task with a hostPath volume and privileged step, stepTemplate and sidecar: 422 with every field', async () => {
    const task = {
      apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 't' },
      spec: {
        volumes: [{ name: 'v', hostPath: { path: '/etc' } }],
        stepTemplate: { securityContext: { privileged: true } },
        steps: [{ ...steps[0], securityContext: { privileged: true } }],
        sidecars: [{ name: 'db', image: 'pg', securityContext: { privileged: true } }],
      },
    };
    const r = await send(app, 'POST', `${TEKTON}/tasks`, task);
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.deepEqual(r.body.details.causes.map((c: { field: string }) => c.field), [
      'spec.volumes[0].hostPath', 'spec.steps[0].securityContext.privileged', 'spec.stepTemplate.securityContext.privileged', 'spec.sidecars[0].securityContext.privileged',
    ]);
    assert.match(r.body.message, /spec\.steps\[0\]\.securityContext\.privileged: Forbidden: step "build" asks for privileged, which is not allowed here \(kiln serve --allow-privileged/);
  });

  it('a v1beta1 PipelineRun whose podTemplate mounts a host directory: 422 naming the field as it was written', async () => {
    const pr = { apiVersion: 'tekton.dev/v1beta1', kind: 'PipelineRun', metadata: { name: 'old' }, spec: { podTemplate: { volumes: [{ name: 'd', hostPath: { path: '/var/run/docker.sock' } }] }, pipelineSpec: { tasks: [{ name: 't', taskSpec: { steps } }] } } };
    const r = await send(app, 'POST', '/apis/tekton.dev/v1beta1/namespaces/default/pipelineruns', pr);
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.deepEqual(r.body.details.causes.map((c: { field: string }) => c.field), ['spec.podTemplate.volumes[0].hostPath']);
  });

  it('an update that adds a hostPath (PUT, merge PATCH): 422; the stored object is unchanged', async () => {
    const task = { apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'ok' }, spec: { steps } };
    assert.equal((await send(app, 'POST', `${TEKTON}/tasks`, task)).status, 201);
    const volumes = [{ name: 'v', hostPath: { path: '/' } }];
    const put = await send(app, 'PUT', `${TEKTON}/tasks/ok`, { ...task, spec: { steps, volumes } });
    assert.equal(put.status, 422, JSON.stringify(put.body));
    const patch = await send(app, 'PATCH', `${TEKTON}/tasks/ok`, { spec: { volumes } }, 'application/merge-patch+json');
    assert.equal(patch.status, 422, JSON.stringify(patch.body));
    assert.deepEqual(causes(patch), [`FieldValueForbidden spec.volumes[0].hostPath: ${NOT_ALLOWED}`]);
    const got = await app.inject({ method: 'GET', url: `${TEKTON}/tasks/ok` });
    assert.equal(JSON.parse(got.body).spec.volumes, undefined);
  });

  it('a status write is not refused for a spec stored before the policy', async () => {
    const { app: a, store } = setup();
    await store.create(TASKRUN, taskRunWith('/srv') as KObject);
    const stored = await store.get(TASKRUN, 'default', 'r');
    const r = await send(a, 'PUT', `${TEKTON}/taskruns/r/status`, { ...stored, status: { podName: 'p' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });
});

describe('kiln serve --allow-host-path=DIR', () => {
  let root: string;
  let app: FastifyInstance;
  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'kiln-allow-')));
    mkdirSync(join(root, 'allowed/src'), { recursive: true });
    symlinkSync('/etc', join(root, 'allowed/link'));
    symlinkSync(join(root, 'allowed/src'), join(root, 'allowed/inside'));
    app = setup({ allowHostPath: [join(root, 'allowed')], allowPrivileged: false, resolvePath: resolveHostPath }).app;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const cases: Array<{ name: string; kind: 'taskruns' | 'pipelineruns'; path: (root: string) => string; want: number; message?: RegExp }> = [
    { name: 'a TaskRun beneath the allowed dir', kind: 'taskruns', path: (r) => `${r}/allowed/src`, want: 201 },
    { name: 'a TaskRun at a path that does not exist yet beneath it', kind: 'taskruns', path: (r) => `${r}/allowed/new/dir`, want: 201 },
    { name: 'a TaskRun through a link that stays inside', kind: 'taskruns', path: (r) => `${r}/allowed/inside/x`, want: 201 },
    { name: 'a PipelineRun beneath the allowed dir', kind: 'pipelineruns', path: (r) => `${r}/allowed/src`, want: 201 },
    { name: 'a TaskRun through a link leaving it (allowed/link -> /etc)', kind: 'taskruns', path: (r) => `${r}/allowed/link`, want: 422, message: /\(it resolves to "\/etc"\) is not beneath a directory this server allows/ },
    { name: 'a PipelineRun through a link leaving it', kind: 'pipelineruns', path: (r) => `${r}/allowed/link/ssl`, want: 422, message: /\(it resolves to "\/etc\/ssl"\)/ },
    { name: 'a TaskRun with .. out of it', kind: 'taskruns', path: (r) => `${r}/allowed/../elsewhere`, want: 422, message: /is not beneath/ },
    { name: 'a TaskRun with a sibling sharing the prefix', kind: 'taskruns', path: (r) => `${r}/allowed2`, want: 422, message: /is not beneath/ },
    { name: 'a TaskRun with a relative path', kind: 'taskruns', path: () => 'allowed/src', want: 422, message: /is not an absolute path/ },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.want}`, async () => {
      const body = c.kind === 'taskruns' ? taskRunWith(c.path(root)) : pipelineRunWith(c.path(root));
      const r = await send(app, 'POST', `${TEKTON}/${c.kind}?dryRun=All`, body);
      assert.equal(r.status, c.want, JSON.stringify(r.body));
      if (c.message) {
        assert.deepEqual(r.body.details.causes.map((x: { field: string }) => x.field), ['spec.workspaces[0].hostPath.path']);
        assert.match(r.body.details.causes[0].message, c.message);
      }
    });
  }

  it('privileged is still refused; with --allow-privileged it is accepted', async () => {
    const task = { apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'p' }, spec: { steps: [{ ...steps[0], securityContext: { privileged: true } }] } };
    assert.equal((await send(app, 'POST', `${TEKTON}/tasks?dryRun=All`, task)).status, 422);
    const allowing = setup({ allowHostPath: [], allowPrivileged: true }).app;
    assert.equal((await send(allowing, 'POST', `${TEKTON}/tasks?dryRun=All`, task)).status, 201);
  });
});

describe('resources created by triggers', () => {
  const listener = {
    apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'el', namespace: 'default' },
    spec: {
      triggers: [{
        name: 'push',
        bindings: [{ name: 'dir', value: '$(body.dir)' }],
        template: {
          spec: {
            params: [{ name: 'dir' }],
            resourcetemplates: [{
              apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'triggered' },
              spec: { workspaces: [{ name: 'src', hostPath: { path: '$(tt.params.dir)' } }], pipelineSpec: { workspaces: [{ name: 'src' }], tasks: [{ name: 't', taskSpec: { steps } }] } },
            }],
          },
        },
      }],
    },
  };

  async function deliver(hostPolicy: HostPolicy | undefined, dir: string): Promise<{ outcomes: TriggerOutcome[]; runs: number }> {
    let resolveDone!: (o: TriggerOutcome[]) => void;
    const done = new Promise<TriggerOutcome[]>((r) => (resolveDone = r));
    const { app, store } = setup(hostPolicy, (_id, o) => resolveDone(o));
    await store.create(EL, listener as unknown as KObject);
    // the sink reads the request's distinct headers, which inject() does not provide: a real socket
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`${base}/hooks/default/el`, { method: 'POST', body: JSON.stringify({ dir }), headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 202, await res.text());
      const outcomes = await done;
      return { outcomes, runs: (await store.list(PIPELINERUN)).items.length };
    } finally {
      await app.close();
    }
  }

  it('a PipelineRun a trigger renders with a hostPath fails the trigger, naming the field; nothing is created', async () => {
    const { outcomes, runs } = await deliver(undefined, '/etc');
    assert.equal(runs, 0);
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0].outcome, 'failed');
    assert.match(outcomes[0].message, /spec\.workspaces\[0\]\.hostPath: Forbidden: hostPath is not allowed on this server \(kiln serve --allow-host-path\)/);
  });

  it('beneath an allowed directory it is created; outside it the trigger fails', async () => {
    const policy: HostPolicy = { allowHostPath: ['/srv/ci'], allowPrivileged: false };
    const inside = await deliver(policy, '/srv/ci/repo');
    assert.deepEqual([inside.outcomes[0].outcome, inside.runs], ['accepted', 1], inside.outcomes[0].message);
    const outside = await deliver(policy, '/srv/ci/../../etc');
    assert.deepEqual([outside.outcomes[0].outcome, outside.runs], ['failed', 0]);
    assert.match(outside.outcomes[0].message, /spec\.workspaces\[0\]\.hostPath\.path: Forbidden: "\/srv\/ci\/\.\.\/\.\.\/etc" \(it resolves to "\/etc"\) is not beneath/);
  });

  it('the dry run (kiln trigger test) reports the refusal the real delivery would meet, and creates nothing', async () => {
    async function dryRun(hostPolicy: HostPolicy | undefined, dir: string): Promise<TriggerOutcome[]> {
      const { app, store } = setup(hostPolicy, () => {});
      await store.create(EL, listener as unknown as KObject);
      try {
        const res = await app.inject({ method: 'POST', url: '/apis/triggers.tekton.dev/v1beta1/namespaces/default/eventlisteners/el/test', payload: { body: JSON.stringify({ dir }), headers: { 'Content-Type': ['application/json'] } } });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal((await store.list(PIPELINERUN)).items.length, 0);
        return res.json().outcomes;
      } finally {
        await app.close();
      }
    }
    const refused = await dryRun(undefined, '/etc');
    assert.equal(refused[0].outcome, 'failed');
    assert.match(refused[0].message, /creating PipelineRun\/triggered would fail: spec\.workspaces\[0\]\.hostPath: Forbidden: hostPath is not allowed on this server/);
    const allowed = await dryRun({ allowHostPath: ['/srv/ci'], allowPrivileged: false }, '/srv/ci/repo');
    assert.equal(allowed[0].outcome, 'accepted', allowed[0].message);
  });
});
