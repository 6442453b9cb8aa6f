import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from './errors.ts';
import { admitHostPath, hostPolicyErrors, loadedHostPolicyErrors, normalizePath, privilegedPaths, RUN_POLICY, SERVE_POLICY, type HostPolicy } from './hostpolicy.ts';
import { loadManifests } from './load.ts';

function mustLoad(yaml: string) {
  const r = loadManifests(yaml, 'f.yaml');
  assert.deepEqual(r.errors, []);
  return r.objects;
}

const obj = (yaml: string) => mustLoad(yaml)[0].object;
const paths = (errs: FieldError[]) => errs.map((e) => e.path);

const TASKRUN_HOST_WS = `apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: r}
spec:
  workspaces: [{name: e, emptyDir: {}}, {name: src, hostPath: {path: /srv/ci/src}}]
  podTemplate: {volumes: [{name: pv, hostPath: {path: /var/run}}]}
  taskSpec:
    workspaces: [{name: src}, {name: e}]
    volumes: [{name: v, hostPath: {path: /etc}}]
    stepTemplate: {securityContext: {privileged: true}}
    steps:
      - {name: build, image: a, script: echo, securityContext: {privileged: true}}
      - {name: ok, image: a, script: echo, securityContext: {privileged: false, runAsUser: 0}}
    sidecars: [{image: a, securityContext: {privileged: true}}]
`;

const PIPELINERUN = `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: pr}
spec:
  workspaces: [{name: src, hostPath: {path: /srv/ci}}]
  taskRunTemplate: {podTemplate: {volumes: [{name: a, hostPath: {path: /a}}]}}
  taskRunSpecs: [{pipelineTaskName: t, podTemplate: {volumes: [{name: b, emptyDir: {}}, {name: c, hostPath: {path: /c}}]}}]
  pipelineSpec:
    workspaces: [{name: src}]
    tasks:
      - name: t
        taskSpec:
          volumes: [{name: v, hostPath: {path: /v}}]
          steps: [{image: a, script: echo, securityContext: {privileged: true}}]
    finally:
      - name: f
        taskSpec: {steps: [{name: last, image: a, script: echo}], sidecars: [{name: db, image: b, securityContext: {privileged: true}}]}
`;

const TASK = `apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
spec:
  volumes: [{name: v, hostPath: {path: /srv/ci/cache}}]
  steps: [{name: s, image: a, script: echo}]
`;

const STEPACTION = `apiVersion: tekton.dev/v1beta1
kind: StepAction
metadata: {name: sa}
spec: {image: a, script: echo, securityContext: {privileged: true}}
`;

describe('hostPolicyErrors', () => {
  const ALLOW_CI: HostPolicy = { allowHostPath: ['/srv/ci'], allowPrivileged: false };
  const cases: Array<{ name: string; yaml: string; policy: HostPolicy; want: string[] }> = [
    {
      name: 'kiln serve without flags: every hostPath and privileged container of a TaskRun',
      yaml: TASKRUN_HOST_WS, policy: SERVE_POLICY,
      want: [
        'spec.workspaces[1].hostPath', 'spec.podTemplate.volumes[0].hostPath', 'spec.taskSpec.volumes[0].hostPath',
        'spec.taskSpec.steps[0].securityContext.privileged', 'spec.taskSpec.stepTemplate.securityContext.privileged',
        'spec.taskSpec.sidecars[0].securityContext.privileged',
      ],
    },
    {
      name: 'allowed beneath /srv/ci: the paths outside it (at hostPath.path) and privileged',
      yaml: TASKRUN_HOST_WS, policy: ALLOW_CI,
      want: [
        'spec.podTemplate.volumes[0].hostPath.path', 'spec.taskSpec.volumes[0].hostPath.path',
        'spec.taskSpec.steps[0].securityContext.privileged', 'spec.taskSpec.stepTemplate.securityContext.privileged',
        'spec.taskSpec.sidecars[0].securityContext.privileged',
      ],
    },
    {
      name: 'privileged allowed and every path allowed: nothing',
      yaml: TASKRUN_HOST_WS, policy: { allowHostPath: 'any', allowPrivileged: true }, want: [],
    },
    {
      name: 'kiln run: any hostPath, privileged refused',
      yaml: TASKRUN_HOST_WS, policy: RUN_POLICY,
      want: ['spec.taskSpec.steps[0].securityContext.privileged', 'spec.taskSpec.stepTemplate.securityContext.privileged', 'spec.taskSpec.sidecars[0].securityContext.privileged'],
    },
    {
      name: 'a PipelineRun: bindings, pod templates, inline tasks and finally',
      yaml: PIPELINERUN, policy: SERVE_POLICY,
      want: [
        'spec.workspaces[0].hostPath', 'spec.taskRunTemplate.podTemplate.volumes[0].hostPath', 'spec.taskRunSpecs[0].podTemplate.volumes[1].hostPath',
        'spec.pipelineSpec.tasks[0].taskSpec.volumes[0].hostPath', 'spec.pipelineSpec.tasks[0].taskSpec.steps[0].securityContext.privileged',
        'spec.pipelineSpec.finally[0].taskSpec.sidecars[0].securityContext.privileged',
      ],
    },
    {
      name: 'a PipelineRun allowed beneath /srv/ci: its binding passes',
      yaml: PIPELINERUN, policy: { allowHostPath: ['/srv/ci'], allowPrivileged: true },
      want: ['spec.taskRunTemplate.podTemplate.volumes[0].hostPath.path', 'spec.taskRunSpecs[0].podTemplate.volumes[1].hostPath.path', 'spec.pipelineSpec.tasks[0].taskSpec.volumes[0].hostPath.path'],
    },
    { name: 'a Task volume', yaml: TASK, policy: SERVE_POLICY, want: ['spec.volumes[0].hostPath'] },
    { name: 'a Task volume beneath an allowed dir', yaml: TASK, policy: ALLOW_CI, want: [] },
    { name: 'a StepAction', yaml: STEPACTION, policy: SERVE_POLICY, want: ['spec.securityContext.privileged'] },
    { name: 'a StepAction allowed', yaml: STEPACTION, policy: { ...SERVE_POLICY, allowPrivileged: true }, want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(paths(hostPolicyErrors(obj(c.yaml), c.policy)), c.want));

  it('messages say what is refused and which flag allows it', () => {
    const errs = hostPolicyErrors(obj(TASKRUN_HOST_WS), SERVE_POLICY);
    assert.equal(errs[0].message, 'Forbidden: hostPath is not allowed on this server (kiln serve --allow-host-path)');
    assert.equal(errs[3].message, 'Forbidden: step "build" asks for privileged, which is not allowed here (kiln serve --allow-privileged; steps never get capabilities)');
    assert.match(errs[5].message, /^Forbidden: sidecar 0 asks for privileged/);
    const run = hostPolicyErrors(obj(TASKRUN_HOST_WS), RUN_POLICY);
    assert.match(run[0].message, /\(kiln run --allow-privileged;/);
  });
});

describe('admitHostPath', () => {
  // a resolver standing for the file system: /srv/ci/link → /etc, /srv/ci/up → /srv (links resolved)
  const links: Record<string, string> = { '/srv/ci/link': '/etc', '/srv/ci/up': '/srv' };
  const resolvePath = (p: string) => {
    const n = normalizePath(p);
    for (const [from, to] of Object.entries(links)) if (n === from || n.startsWith(`${from}/`)) return to + n.slice(from.length);
    return n;
  };
  const policy: HostPolicy = { allowHostPath: ['/srv/ci'], allowPrivileged: false, resolvePath };
  const cases: Array<{ name: string; path: unknown; want: string | RegExp }> = [
    { name: 'the allowed dir itself', path: '/srv/ci', want: '/srv/ci' },
    { name: 'beneath it', path: '/srv/ci/a/b', want: '/srv/ci/a/b' },
    { name: '`.` and `..` normalised inside', path: '/srv/ci/a/../b/./c', want: '/srv/ci/b/c' },
    { name: '`..` out of it', path: '/srv/ci/../x', want: /"\/srv\/ci\/\.\.\/x" \(it resolves to "\/srv\/x"\) is not beneath/ },
    { name: 'a sibling sharing the prefix', path: '/srv/cix', want: /is not beneath a directory this server allows \(kiln serve --allow-host-path: \/srv\/ci\)/ },
    { name: 'a link leaving it', path: '/srv/ci/link/passwd', want: /resolves to "\/etc\/passwd"/ },
    { name: 'a link to a parent', path: '/srv/ci/up', want: /resolves to "\/srv"/ },
    { name: 'a relative path', path: 'ci/x', want: /"ci\/x" is not an absolute path/ },
    { name: 'no path', path: undefined, want: /"" is not an absolute path/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = admitHostPath(c.path, policy);
      if (typeof c.want === 'string') assert.deepEqual(got, { path: c.want, within: '/srv/ci' });
      else {
        assert.ok('problem' in got, `expected a refusal, got ${JSON.stringify(got)}`);
        assert.equal(got.field, 'hostPath.path');
        assert.match(got.problem, c.want);
      }
    });
  }
  it('allowed directories are resolved too (a link naming one admits its target)', () => {
    assert.deepEqual(admitHostPath('/etc/x', { ...policy, allowHostPath: ['/srv/ci/link'] }), { path: '/etc/x', within: '/etc' });
  });
  it('/ allows every absolute path', () => assert.deepEqual(admitHostPath('/a/b', { allowHostPath: ['/'], allowPrivileged: false }), { path: '/a/b', within: '/' }));
  it('a resolver that throws refuses', () => {
    const got = admitHostPath('/srv/ci/x', { ...policy, resolvePath: () => { throw new Error('ELOOP: too many symbolic links'); } });
    assert.deepEqual(got, { field: 'hostPath.path', problem: 'Forbidden: "/srv/ci/x" cannot be resolved: ELOOP: too many symbolic links' });
  });
  it("'any' admits the path as given, without resolving it", () => {
    assert.deepEqual(admitHostPath('rel/../x', { allowHostPath: 'any', allowPrivileged: false, resolvePath: () => assert.fail('resolved') }), { path: 'rel/../x' });
  });
});

describe('normalizePath', () => {
  const cases = [
    { name: 'root', p: '/', want: '/' },
    { name: 'above root stays at root', p: '/../..', want: '/' },
    { name: 'dots and slashes', p: '//a/./b//../c/', want: '/a/c' },
    { name: 'relative keeps leading ..', p: '../a/../../b', want: '../../b' },
    { name: 'relative empty', p: 'a/..', want: '.' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(normalizePath(c.p), c.want));
});

describe('privilegedPaths and loaded objects', () => {
  it('lists privileged fields only', () => {
    assert.deepEqual(privilegedPaths(obj(PIPELINERUN)), ['spec.pipelineSpec.tasks[0].taskSpec.steps[0].securityContext.privileged', 'spec.pipelineSpec.finally[0].taskSpec.sidecars[0].securityContext.privileged']);
  });
  it('names the file, line and the field as a v1beta1 file spells it', () => {
    const errs = loadedHostPolicyErrors(mustLoad(STEPACTION), RUN_POLICY);
    assert.deepEqual(errs.map((e) => [e.file, e.line, e.path]), [['f.yaml', 4, 'spec.securityContext.privileged']]);
  });
});
