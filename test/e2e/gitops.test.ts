// End-to-end: an Argo CD Application applied with the real kubectl to a real `kiln serve`, synced from a
// git repository into kiln's own API (the in-cluster destination, reached through @kubernetes/client-node
// with the server's token and CA): automated sync, health, self-heal of a kubectl change, pruning of a
// deleted file, a bad manifest named by file:line, and a destination outside the AppProject refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, tempDir } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { commit, initRepo } from '../../src/gitops/source/testing.ts';
import { cm as waveCm, presyncHook } from './gitops-fixtures.ts';

/** `kubectl apply -f -` of `doc` (YAML text or an object) against the kiln whose data dir is `dataDir`. */
function kubectlApply(dataDir: string, cacheDir: string, doc: string | object): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', join(dataDir, 'kubeconfig'), '--cache-dir', cacheDir, 'apply', '-f', '-'], { env: { ...process.env, KUBECONFIG: '' } },
      (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr }));
    child.stdin!.end(typeof doc === 'string' ? doc : JSON.stringify(doc));
  });
}

const cm = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  greeting: ${value}\n`;
const deploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;
const svc = `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n`;

describe('GitOps end to end: Application → kiln\'s own API', { skip: existsSync('/usr/bin/kubectl') ? false : 'kubectl is not installed', timeout: 170_000 }, () => {
  const dir = tempDir('kiln-gitops-');
  const repo = join(dir, 'repo');
  let served: Served;

  function kubectl(...args: string[]): Promise<{ code: number; out: string }> {
    return kubectlOn('data', ...args);
  }
  function kubectlOn(data: string, ...args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      execFile('kubectl', ['--kubeconfig', join(dir, data, 'kubeconfig'), '--cache-dir', join(dir, 'kube-cache'), ...args], { timeout: 30_000, env: { ...process.env, KUBECONFIG: '' } },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` }));
    });
  }
  async function getJson(...args: string[]): Promise<any> {
    return getJsonOn('data', ...args);
  }
  async function getJsonOn(data: string, ...args: string[]): Promise<any> {
    const r = await kubectlOn(data, 'get', ...args, '-o', 'json');
    return r.code === 0 ? JSON.parse(r.out) : undefined;
  }
  const app = () => getJson('applications.argoproj.io', 'guestbook', '-n', 'argocd');

  before(async () => {
    initRepo(repo);
    // a Secret too: kiln's API leaves Secrets' values out of lists, and the comparison must still see them
    commit(repo, { 'app/cm.yaml': cm('hello'), 'app/deploy.yaml': deploy, 'app/svc.yaml': svc, 'app/secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  token: t1\n' }, 'first');
    served = await startServe(join(dir, 'data'), ['--app-resync', '1']);
  });
  after(async () => {
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an automated Application syncs the repository into its destination namespace and reports Synced', async () => {
    const application = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: guestbook
  namespace: argocd
spec:
  project: default
  source:
    repoURL: file://${repo}
    targetRevision: main
    path: app
  destination:
    server: https://kubernetes.default.svc
    namespace: demo
  syncPolicy:
    automated: {prune: true, selfHeal: true}
`;
    const applied = await kubectlApply(join(dir, 'data'), join(dir, 'kube-cache'), application);
    assert.equal(applied.code, 0, applied.out);
    const synced = await until('the Application to be synced', async () => {
      const a = await app();
      return a?.status?.operationState?.phase === 'Succeeded' && a.status.sync?.status === 'Synced' ? a : undefined;
    }, 60_000);
    assert.match(synced.status.sync.revision, /^[0-9a-f]{40}$/);
    const got = await getJson('configmap', 'settings', '-n', 'demo');
    assert.equal(got.data.greeting, 'hello');
    assert.equal(got.metadata.labels['app.kubernetes.io/instance'], 'guestbook');
    assert.ok(await getJson('service', 'web', '-n', 'demo'));
    // a Deployment without a workload controller stays Progressing until its status says otherwise
    assert.equal(synced.status.resources.find((r: any) => r.kind === 'Deployment').health.status, 'Progressing');
    const patched = await kubectl('patch', 'deployment', 'web', '-n', 'demo', '--subresource=status', '--type=merge', '-p',
      JSON.stringify({ status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 } }));
    assert.equal(patched.code, 0, patched.out);
    await until('the Application to be Healthy', async () => ((await app())?.status?.health?.status === 'Healthy' ? true : undefined), 30_000);
    const table = await kubectl('get', 'applications', '-n', 'argocd');
    assert.match(table.out, /SYNC STATUS\s+HEALTH STATUS/);
    assert.match(table.out, /guestbook\s+Synced\s+Healthy/);
    assert.equal((await app()).status.history.length, 1);
    // Argo CD's `default` project, stored when an Application first names it: everything allowed
    assert.equal((await getJson('appprojects.argoproj.io', 'default', '-n', 'argocd'))?.spec?.clusterResourceWhitelist?.[0]?.kind, '*');
    assert.deepEqual((await app()).status.summary, { images: ['nginx:1.27'] });
  });

  it('a change made with kubectl is reverted by self-heal', async () => {
    const edit = await kubectl('patch', 'configmap', 'settings', '-n', 'demo', '--type=merge', '-p', '{"data":{"greeting":"drifted"}}');
    assert.equal(edit.code, 0, edit.out);
    await until('self-heal to restore the ConfigMap', async () => ((await getJson('configmap', 'settings', '-n', 'demo'))?.data?.greeting === 'hello' ? true : undefined), 60_000);
  });

  it('a commit that deletes a file prunes its object and applies the changed one', async () => {
    const sha = commit(repo, { 'app/svc.yaml': null, 'app/cm.yaml': cm('second') }, 'second');
    await until('the new revision synced', async () => {
      const a = await app();
      return a?.status?.sync?.revision === sha && a.status.operationState?.phase === 'Succeeded' && a.status.sync.status === 'Synced' ? true : undefined;
    }, 60_000);
    assert.equal((await getJson('configmap', 'settings', '-n', 'demo')).data.greeting, 'second');
    assert.equal(await getJson('service', 'web', '-n', 'demo'), undefined);
    const pruned = (await app()).status.operationState.syncResult.resources.find((r: any) => r.kind === 'Service');
    assert.equal(pruned.status, 'Pruned');
  });

  it('a bad manifest is a ComparisonError naming the file and line', async () => {
    commit(repo, { 'app/broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: [oops\n' }, 'broken');
    const a = await until('a ComparisonError', async () => {
      const got = await app();
      return got?.status?.conditions?.find((c: any) => c.type === 'ComparisonError') ? got : undefined;
    }, 30_000);
    assert.match(a.status.conditions[0].message, /app\/broken\.yaml:\d+: /);
    commit(repo, { 'app/broken.yaml': null }, 'fixed');
  });

  it('a second kiln registered as an external cluster through a cluster Secret is synced through its own API', async () => {
    const second = await startServe(join(dir, 'data2'), []);
    try {
      const kc = parse(readFileSync(join(dir, 'data2', 'kubeconfig'), 'utf8'));
      const server = kc.clusters[0].cluster.server as string;
      const caData = kc.clusters[0].cluster['certificate-authority-data'] as string;
      const token = kc.users[0].user.token as string;
      assert.ok(server && caData && token, 'the second kiln\'s kubeconfig names its server, CA and token');
      const b64 = (v: string) => Buffer.from(v).toString('base64');
      const objects = [
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cluster-second', namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'cluster' } },
          data: { name: b64('second'), server: b64(server), config: b64(JSON.stringify({ bearerToken: token, tlsClientConfig: { caData } })) } },
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'remote', namespace: 'argocd' },
          spec: { source: { repoURL: `file://${repo}`, path: 'app', targetRevision: 'main' }, destination: { name: 'second', namespace: 'remote' }, syncPolicy: { automated: { prune: true } } } },
      ];
      for (const o of objects) {
        const r = await kubectlApply(join(dir, 'data'), join(dir, 'kube-cache'), o);
        assert.equal(r.code, 0, r.out);
      }
      await until('the remote Application synced', async () => {
        const a = await getJson('applications.argoproj.io', 'remote', '-n', 'argocd');
        return a?.status?.operationState?.phase === 'Succeeded' ? a : undefined;
      }, 60_000);
      const there = await getJsonOn('data2', 'configmap', 'settings', '-n', 'remote');
      assert.equal(there.data.greeting, 'second');
      assert.equal(await getJson('configmap', 'settings', '-n', 'remote'), undefined, 'nothing lands on the first kiln');
    } finally {
      await second.stop();
    }
  });

  it('a destination outside the AppProject is refused', async () => {
    const project = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'narrow', namespace: 'argocd' }, spec: { sourceRepos: ['*'], destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'team-a' }] } };
    const refused = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'outside', namespace: 'argocd' }, spec: { project: 'narrow', source: { repoURL: `file://${repo}`, path: 'app' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'team-b' } } };
    for (const o of [project, refused]) {
      const r = await kubectlApply(join(dir, 'data'), join(dir, 'kube-cache'), o);
      assert.equal(r.code, 0, r.out);
    }
    const got = await until('the refusal', async () => {
      const a = await getJson('applications.argoproj.io', 'outside', '-n', 'argocd');
      return a?.status?.conditions?.length ? a : undefined;
    }, 30_000);
    assert.equal(got.status.conditions[0].type, 'InvalidSpecError');
    assert.match(got.status.conditions[0].message, /destination .*team-b.* is not permitted in project 'narrow'/);
    assert.equal(await getJson('configmap', 'settings', '-n', 'team-b'), undefined);
  });

  it('a kind the AppProject blacklists fails the sync, naming the resource', async () => {
    const project = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'noconfigmaps', namespace: 'argocd' }, spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], namespaceResourceBlacklist: [{ group: '', kind: 'ConfigMap' }] } };
    const application = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'noconfigmaps', namespace: 'argocd' }, spec: { project: 'noconfigmaps', source: { repoURL: `file://${repo}`, path: 'app' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'team-c' }, syncPolicy: { automated: {} } } };
    for (const o of [project, application]) {
      const r = await kubectlApply(join(dir, 'data'), join(dir, 'kube-cache'), o);
      assert.equal(r.code, 0, r.out);
    }
    let last: any;
    const got = await until('the failed sync', async () => {
      last = await getJson('applications.argoproj.io', 'noconfigmaps', '-n', 'argocd');
      // refused when the sync is planned, before anything is applied (and retried, as automated syncs are)
      return /not valid, reason: ConfigMap\/settings: app\/cm\.yaml:\d+: resource :ConfigMap is not permitted in project noconfigmaps/.test(last?.status?.operationState?.message ?? '') ? last : undefined;
    }, 30_000).catch((e) => { throw new Error(`${e.message}: ${JSON.stringify(last?.status)}`); });
    const results = got.status.operationState.syncResult.resources as Array<{ kind: string; status: string; message?: string }>;
    const refused = results.find((r) => r.kind === 'ConfigMap');
    assert.ok(refused, JSON.stringify(results));
    assert.equal(refused.status, 'SyncFailed');
    assert.match(refused.message!, /resource :ConfigMap is not permitted in project noconfigmaps/);
    assert.equal(await getJson('deployment', 'web', '-n', 'team-c'), undefined);
    assert.equal(await getJson('configmap', 'settings', '-n', 'team-c'), undefined);
  });
});

describe('GitOps end to end: waves, a PreSync hook PipelineRun, manual sync, history and rollback', { skip: existsSync('/usr/bin/kubectl') ? false : 'kubectl is not installed', timeout: 170_000 }, () => {
  const dir = tempDir('kiln-gitops-waves-');
  const repo = join(dir, 'repo');
  let served: Served;
  function kubectl(...args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      const child = execFile('kubectl', ['--kubeconfig', join(dir, 'data', 'kubeconfig'), '--cache-dir', join(dir, 'kube-cache'), ...args], { timeout: 30_000, env: { ...process.env, KUBECONFIG: '' } },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` }));
      child.stdin!.end();
    });
  }
  async function apply(obj: object): Promise<void> {
    const r = await kubectlApply(join(dir, 'data'), join(dir, 'kube-cache'), obj);
    assert.equal(r.code, 0, r.out);
  }
  async function getJson(...args: string[]): Promise<any> {
    const r = await kubectl('get', ...args, '-o', 'json');
    return r.code === 0 ? JSON.parse(r.out) : undefined;
  }
  const app = () => getJson('applications.argoproj.io', 'waves', '-n', 'argocd');
  async function syncOp(sync: object): Promise<void> {
    const r = await kubectl('patch', 'applications.argoproj.io', 'waves', '-n', 'argocd', '--type=merge', '-p', JSON.stringify({ operation: { sync, initiatedBy: { username: 'e2e' } } }));
    assert.equal(r.code, 0, r.out);
  }
  async function finished(startedAfter: string): Promise<any> {
    return until('the operation to finish', async () => {
      const a = await app();
      const st = a?.status?.operationState;
      return st && st.startedAt >= startedAfter && (st.phase === 'Succeeded' || st.phase === 'Failed' || st.phase === 'Error') ? a : undefined;
    }, 90_000);
  }

  before(async () => {
    initRepo(repo);
    commit(repo, { 'a-first.yaml': waveCm('first', 'v1', '0'), 'b-second.yaml': waveCm('second', 'v1', '1'), 'hook.yaml': presyncHook }, 'one');
    served = await startServe(join(dir, 'data'), ['--app-resync', '1']);
    await apply({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'waves', namespace: 'argocd' },
      spec: { source: { repoURL: `file://${repo}`, targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'waves' } } });
  });
  after(async () => {
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a manual Application stays OutOfSync until a sync is requested', async () => {
    const a = await until('the first comparison', async () => ((await app())?.status?.sync?.status === 'OutOfSync' ? app() : undefined), 30_000);
    assert.equal(a.status.operationState, undefined);
    assert.equal(await getJson('configmap', 'first', '-n', 'waves'), undefined);
  });

  it('a sync runs the PreSync hook PipelineRun to success first, then wave 0, then wave 1', async () => {
    const t0 = new Date().toISOString();
    await syncOp({ prune: true });
    const a = await finished(t0);
    assert.equal(a.status.operationState.phase, 'Succeeded', a.status.operationState.message);
    const pr = await getJson('pipelineruns.tekton.dev', 'migrate', '-n', 'waves');
    assert.equal(pr.status.conditions[0].reason, 'Succeeded');
    const first = await getJson('configmap', 'first', '-n', 'waves');
    const second = await getJson('configmap', 'second', '-n', 'waves');
    assert.ok(first.metadata.creationTimestamp >= pr.status.completionTime, `wave 0 (${first.metadata.creationTimestamp}) after the hook finished (${pr.status.completionTime})`);
    assert.ok(Date.parse(second.metadata.creationTimestamp) >= Date.parse(first.metadata.creationTimestamp) + 1000, 'wave 1 after wave 0 (2 s apart)');
    const hookResult = a.status.operationState.syncResult.resources.find((r: any) => r.kind === 'PipelineRun');
    assert.equal(hookResult.hookType, 'PreSync');
    assert.equal(hookResult.hookPhase, 'Succeeded');
    assert.equal(a.status.history.length, 1);
  });

  it('a second revision synced, then rolled back to the first from history', async () => {
    const v2 = commit(repo, { 'a-first.yaml': waveCm('first', 'v2', '0') }, 'two');
    await until('the new revision compared', async () => ((await app())?.status?.sync?.revision === v2 ? true : undefined), 30_000);
    const t1 = new Date().toISOString();
    await syncOp({ prune: true, syncStrategy: { apply: {} } });
    const synced = await finished(t1);
    assert.equal(synced.status.operationState.phase, 'Succeeded', synced.status.operationState.message);
    assert.equal((await getJson('configmap', 'first', '-n', 'waves')).data.value, 'v2');
    const history = synced.status.history;
    assert.equal(history.length, 2);
    const t2 = new Date().toISOString();
    await syncOp({ revision: history[0].revision, prune: true, syncStrategy: { apply: {} } });
    const rolled = await finished(t2);
    assert.equal(rolled.status.operationState.phase, 'Succeeded', rolled.status.operationState.message);
    assert.equal(rolled.status.operationState.syncResult.revision, history[0].revision);
    assert.equal((await getJson('configmap', 'first', '-n', 'waves')).data.value, 'v1');
    await until('OutOfSync again (Git says v2)', async () => ((await app())?.status?.sync?.status === 'OutOfSync' ? true : undefined), 30_000);
  });
});

describe('GitOps end to end: a signed push to /api/webhook refreshes the Applications it concerns', { timeout: 120_000 }, () => {
  const dir = tempDir('kiln-gitops-hook-');
  const repo = join(dir, 'repo');
  let served: Served;
  const secret = 'hook-secret';

  before(async () => {
    initRepo(repo);
    commit(repo, { 'cm.yaml': cm('one') }, 'one');
    // a long poll: only the webhook can bring the new commit in time
    served = await startServe(join(dir, 'data'), ['--insecure-loopback-only', '--app-resync', '600']);
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    for (const [path, body] of [
      ['/api/v1/namespaces/argocd/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'argocd-secret', namespace: 'argocd' }, data: { 'webhook.github.secret': b64(secret) } }],
      ['/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'hooked', namespace: 'argocd' },
        spec: { source: { repoURL: `file://${repo}`, targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'hooked' }, syncPolicy: { automated: {} } } }],
    ] as const) {
      const r = await api(served, 'POST', path, body);
      assert.ok(r.status === 201, `${path}: ${r.status} ${JSON.stringify(r.json)}`);
    }
  });
  after(async () => {
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const appNow = async () => (await api(served, 'GET', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/hooked')).json;
  const push = (sig: string | undefined) => fetch(`${served.url}/api/webhook`, {
    method: 'POST', body: payload,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...(sig ? { 'x-hub-signature-256': sig } : {}) },
  });
  let payload = '';

  it('commit → webhook → refreshed, OutOfSync seen and synced at the new revision within seconds; a bad signature is refused', async () => {
    await until('the first sync', async () => ((await appNow())?.status?.operationState?.phase === 'Succeeded' ? true : undefined), 30_000);
    const sha = commit(repo, { 'cm.yaml': cm('two') }, 'two');
    payload = JSON.stringify({ ref: 'refs/heads/main', after: sha, repository: { html_url: `file://${repo}`, clone_url: `file://${repo}.git`, default_branch: 'main' } });
    const bad = await push('sha256=' + '0'.repeat(64));
    assert.equal(bad.status, 401);
    assert.match(await bad.text(), /github webhook refused: payload signature check failed/);
    const { createHmac } = await import('node:crypto');
    const good = await push(`sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`);
    assert.equal(good.status, 200);
    assert.deepEqual(((await good.json()) as { refreshed: string[] }).refreshed, ['argocd/hooked']);
    await until('the pushed revision synced', async () => {
      const a = await appNow();
      return a?.status?.sync?.revision === sha && a.status.operationState?.syncResult?.revision === sha && a.status.operationState.phase === 'Succeeded' ? true : undefined;
    }, 15_000);
    const live = await api(served, 'GET', '/api/v1/namespaces/hooked/configmaps/settings');
    assert.equal(live.json.data.greeting, 'two');
    assert.equal((await appNow()).metadata.annotations?.['argocd.argoproj.io/refresh'], undefined, 'the refresh annotation is removed once done');
  });

  it('a change to a synced object in kiln\'s own store is seen at once (a watch), not at the next resync', async () => {
    const path = '/api/v1/namespaces/hooked/configmaps/settings';
    const live = (await api(served, 'GET', path)).json;
    const put = await api(served, 'PUT', path, { ...live, data: { greeting: 'edited' } });
    assert.equal(put.status, 200, JSON.stringify(put.json));
    // --app-resync is 600 s here: only the destination's watched cache can report this within the wait
    const a = await until('the drift reported', async () => {
      const got = await appNow();
      return got?.status?.sync?.status === 'OutOfSync' ? got : undefined;
    }, 15_000);
    const entry = (a.status.resources as Array<{ kind: string; status: string; diff?: string }>).find((r) => r.kind === 'ConfigMap');
    assert.equal(entry?.status, 'OutOfSync');
    assert.match(entry!.diff!, /-\s+greeting: edited\n\+\s+greeting: two/);
  });
});

describe('GitOps end to end: the kiln app CLI', { timeout: 150_000 }, () => {
  const dir = tempDir('kiln-gitops-cli-');
  const repo = join(dir, 'repo');
  let served: Served;
  let first = '';
  const app = (...args: string[]) => kiln(['app', ...args, '--server', served.url], { timeoutMs: 60_000 });

  before(async () => {
    initRepo(repo);
    first = commit(repo, { 'cm.yaml': cm('one') }, 'one');
    served = await startServe(join(dir, 'data'), ['--insecure-loopback-only', '--app-resync', '1']);
  });
  after(async () => {
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('create, get, diff, sync (followed), history, rollback, and the refusals', async () => {
    const created = await app('create', 'cli', '--repo', `file://${repo}`, '--revision', 'main', '--dest-server', 'https://kubernetes.default.svc', '--dest-namespace', 'cli');
    assert.equal(created.code, 0, created.stderr);
    await until('compared', async () => ((await app('get', 'cli')).stdout.includes('Sync Status:        OutOfSync') ? true : undefined), 30_000);
    const diff = await app('diff', 'cli');
    assert.equal(diff.code, 1, 'argocd app diff exits 1 when something differs');
    assert.match(diff.stdout, /===== \/ConfigMap cli\/settings ======/);
    const synced = await app('sync', 'cli', '--prune');
    assert.equal(synced.code, 0, synced.stdout + synced.stderr);
    assert.match(synced.stdout, /Sync\s+ConfigMap\s+cli\/settings\s+Synced/);
    assert.match(synced.stdout, /Phase: Succeeded/);
    const list = await app('list');
    assert.match(list.stdout, /NAME\s+CLUSTER\s+NAMESPACE\s+PROJECT\s+STATUS\s+HEALTH/);
    assert.match(list.stdout, /argocd\/cli\s+https:\/\/kubernetes\.default\.svc\s+cli\s+default\s+Synced\s+Healthy\s+Manual/);
    assert.equal((await app('diff', 'cli')).code, 0);
    const second = commit(repo, { 'cm.yaml': cm('two') }, 'two');
    await until('the new commit compared', async () => ((await app('get', 'cli', '-o', 'json')).stdout.includes(second) ? true : undefined), 30_000);
    assert.equal((await app('sync', 'cli')).code, 0);
    const history = await app('history', 'cli');
    assert.match(history.stdout, new RegExp(`0\\s+\\S+\\s+main \\(${first}\\)`));
    assert.match(history.stdout, new RegExp(`1\\s+\\S+\\s+main \\(${second}\\)`));
    const rolled = await app('rollback', 'cli');
    assert.equal(rolled.code, 0, rolled.stdout + rolled.stderr);
    const live = await api(served, 'GET', '/api/v1/namespaces/cli/configmaps/settings');
    assert.equal(live.json.data.greeting, 'one');
    // refusals: a bad --resource, rollback of an automated app, a missing history entry
    assert.equal((await app('sync', 'cli', '--resource', 'nonsense')).code, 2);
    assert.equal((await app('rollback', 'cli', '99')).code, 1);
    assert.equal((await app('create', 'auto', '--repo', `file://${repo}`, '--dest-server', 'https://kubernetes.default.svc', '--dest-namespace', 'auto', '--sync-policy', 'automated')).code, 0);
    const refused = await app('rollback', 'auto');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /rollback cannot be initiated when auto-sync is enabled/);
  });

  it('Lua health checks from argocd-cm count; deleting an Application with the resources finalizer deletes its objects', async () => {
    const lua = 'hs = {}\nif obj.data ~= nil and obj.data.greeting == "one" then\n  hs.status = "Degraded"\n  hs.message = "greeting is still one"\nelse\n  hs.status = "Healthy"\nend\nreturn hs\n';
    const cmRes = await api(served, 'POST', '/api/v1/namespaces/argocd/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' }, data: { 'resource.customizations.health.ConfigMap': lua } });
    assert.equal(cmRes.status, 201, JSON.stringify(cmRes.json));
    await until('the Lua check applied', async () => {
      const a = (await api(served, 'GET', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/cli')).json;
      return a?.status?.health?.status === 'Degraded' && /greeting is still one/.test(JSON.stringify(a.status.resources)) ? true : undefined;
    }, 30_000);
    const res = await fetch(`${served.url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/cli`, {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { finalizers: ['resources-finalizer.argocd.argoproj.io'] } }),
    });
    assert.equal(res.status, 200);
    assert.equal((await app('delete', 'cli')).code, 0);
    await until('the Application and its ConfigMap gone', async () => {
      const a = await api(served, 'GET', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/cli');
      const c = await api(served, 'GET', '/api/v1/namespaces/cli/configmaps/settings');
      return a.status === 404 && c.status === 404 ? true : undefined;
    }, 30_000);
  });
});
