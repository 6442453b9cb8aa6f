// End to end, one scenario against every kind of destination: a repository served over smart HTTP
// (`git http-backend` on loopback), Applications kept in one `kiln serve` (resync 10 min, so only the
// webhook and the destination's watch can explain what happens within the waits), synced into
//   - kiln's own API (in-cluster),
//   - a second `kiln serve` registered as an external cluster through a cluster Secret,
//   - the cluster KILN_TEST_KUBECONFIG points at (skipped, saying so, when it is not set).
// Each run: commit → webhook → synced and Healthy at the new revision; a kubectl change reverted by
// self-heal; a deleted file pruned; a bad manifest named by file and line; a manifest the API refuses
// failing the sync, named by file and field; a destination outside the
// AppProject refused; waves after a PreSync hook PipelineRun (where the destination serves Tekton's
// kinds); rollback to the previous revision from history.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parse } from 'yaml';
import { tempDir } from './helpers.ts';
import { cm, presyncHook } from './gitops-fixtures.ts';
import { startServe, until, type Served } from './serve-helpers.ts';
import { commit, git, initRepo, serveGitHttp, type GitHttpServer } from '../../src/gitops/source/testing.ts';

const HAS_KUBECTL = existsSync('/usr/bin/kubectl');
const REAL = process.env.KILN_TEST_KUBECONFIG;

function kubectlWith(kubeconfig: string, cacheDir: string, args: string[], input?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { timeout: 30_000, env: { ...process.env, KUBECONFIG: '' } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` }));
    child.stdin!.end(input ?? '');
  });
}

/** Argo CD's cluster Secret `config` for the current context of `kubeconfig` (token, client certificate, CA). */
async function clusterConfigOf(kubeconfig: string, cacheDir: string): Promise<{ server: string; config: object }> {
  const r = await kubectlWith(kubeconfig, cacheDir, ['config', 'view', '--raw', '--minify', '--flatten', '-o', 'json']);
  assert.equal(r.code, 0, r.out);
  const kc = JSON.parse(r.out);
  const cluster = kc.clusters[0].cluster;
  const user = kc.users?.[0]?.user ?? {};
  return {
    server: cluster.server,
    config: {
      ...(user.token ? { bearerToken: user.token } : {}),
      tlsClientConfig: {
        ...(cluster['certificate-authority-data'] ? { caData: cluster['certificate-authority-data'] } : {}),
        ...(user['client-certificate-data'] ? { certData: user['client-certificate-data'], keyData: user['client-key-data'] } : {}),
        ...(cluster['insecure-skip-tls-verify'] ? { insecure: true } : {}),
      },
    },
  };
}

const svc = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n';
const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  token: t1\n';

interface Target { id: string; kubeconfig: () => string; register?: () => Promise<{ name: string }>; skip: string | false }

describe('GitOps end to end, one scenario per destination', { skip: HAS_KUBECTL ? false : 'kubectl is not installed', timeout: 600_000 }, () => {
  const dir = tempDir('kiln-gitops-dest-');
  const work = join(dir, 'work');
  const cache = join(dir, 'kube-cache');
  let control: Served;
  let second: Served;
  let http: GitHttpServer;
  let repoURL = '';
  const kubectl = (args: string[], input?: string) => kubectlWith(join(dir, 'control', 'kubeconfig'), cache, args, input);
  const apply = async (o: object) => { const r = await kubectl(['apply', '-f', '-'], JSON.stringify(o)); assert.equal(r.code, 0, r.out); };
  const getApp = async (name: string) => {
    const r = await kubectl(['get', 'applications.argoproj.io', name, '-n', 'argocd', '-o', 'json']);
    return r.code === 0 ? JSON.parse(r.out) : undefined;
  };
  /** commits `files` in the work repository and pushes them to the served one */
  const push = (files: Record<string, string | null>, message: string) => {
    const sha = commit(work, files, message);
    git(work, 'push', '--quiet', join(dir, 'served', 'apps.git'), 'main');
    return sha;
  };
  /** a GitHub push of `sha` to the control kiln's /api/webhook (over its TLS, trusting its CA) */
  const webhook = async (sha: string) => {
    const kc = parse(readFileSync(join(dir, 'control', 'kubeconfig'), 'utf8'));
    const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
    const body = JSON.stringify({ ref: 'refs/heads/main', after: sha, repository: { html_url: repoURL, clone_url: repoURL, default_branch: 'main' } });
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${control.url}/api/webhook`, { method: 'POST', ca, headers: { 'content-type': 'application/json', 'x-github-event': 'push' } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(status, 200, text);
  };

  before(async () => {
    initRepo(work);
    commit(work, { 'README.md': 'apps\n' }, 'start');
    mkdirSync(join(dir, 'served'), { recursive: true });
    git(dir, 'clone', '--quiet', '--bare', work, join(dir, 'served', 'apps.git'));
    http = await serveGitHttp(join(dir, 'served'));
    repoURL = `${http.url}/apps.git`;
    control = await startServe(join(dir, 'control'), ['--app-resync', '600']);
    second = await startServe(join(dir, 'second'), []);
  });
  after(async () => {
    await control?.stop();
    await second?.stop();
    await http?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const targets: Target[] = [
    { id: 'incluster', kubeconfig: () => join(dir, 'control', 'kubeconfig'), skip: false },
    {
      id: 'second', kubeconfig: () => join(dir, 'second', 'kubeconfig'), skip: false,
      async register() {
        const kc = parse(readFileSync(join(dir, 'second', 'kubeconfig'), 'utf8'));
        const c = kc.clusters[0].cluster;
        return registerCluster('second', c.server, { bearerToken: kc.users[0].user.token, tlsClientConfig: { caData: c['certificate-authority-data'] } });
      },
    },
    {
      id: 'real', kubeconfig: () => REAL!, skip: REAL ? false : 'KILN_TEST_KUBECONFIG is not set (point it at a cluster to run this scenario there)',
      async register() {
        const c = await clusterConfigOf(REAL!, cache);
        return registerCluster('real', c.server, c.config);
      },
    },
  ];
  async function registerCluster(name: string, server: string, config: object): Promise<{ name: string }> {
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    await apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `cluster-${name}`, namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'cluster' } },
      data: { name: b64(name), server: b64(server), config: b64(JSON.stringify(config)) } });
    return { name };
  }

  for (const t of targets) {
    describe(`destination: ${t.id}`, { skip: t.skip }, () => {
      const ns = `kiln-e2e-${t.id}`;
      let destination: Record<string, string> = {};
      const there = (args: string[], input?: string) => kubectlWith(t.kubeconfig(), cache, args, input);
      const liveJson = async (...args: string[]) => {
        const r = await there(['get', ...args, '-n', ns, '-o', 'json']);
        return r.code === 0 ? JSON.parse(r.out) : undefined;
      };
      const synced = async (name: string, sha: string) => {
        let last: any;
        try {
          return await until(`${name} synced at ${sha.slice(0, 8)}`, async () => {
            const a = (last = await getApp(name));
            const op = a?.status?.operationState;
            return a?.status?.sync?.revision === sha && a.status.sync.status === 'Synced' && op?.phase === 'Succeeded' && op.syncResult?.revision === sha ? a : undefined;
          }, 60_000);
        } catch (e) {
          throw new Error(`${(e as Error).message}; the Application's status: ${JSON.stringify(last?.status)}`.slice(0, 3000));
        }
      };

      before(async () => {
        destination = t.register ? { name: (await t.register()).name, namespace: ns } : { server: 'https://kubernetes.default.svc', namespace: ns };
      });
      after(async () => {
        if (t.id === 'real') await there(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']);
      });

      it('commit → webhook → synced and Healthy; self-heal; prune; bad manifests named by file, line and field', async () => {
        const app = `auto-${t.id}`;
        const first = push({ [`${t.id}/auto/cm.yaml`]: cm('settings', 'one'), [`${t.id}/auto/svc.yaml`]: svc, [`${t.id}/auto/secret.yaml`]: secret }, `${t.id}: auto`);
        await apply({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: app, namespace: 'argocd' },
          spec: { source: { repoURL, path: `${t.id}/auto`, targetRevision: 'main' }, destination, syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] } } });
        const a1 = await synced(app, first);
        assert.equal(a1.status.health.status, 'Healthy');
        assert.equal((await liveJson('configmap', 'settings')).data.value, 'one');

        // a new commit announced by the webhook: refreshed, synced at the new revision (resync is 10 min away)
        const second = push({ [`${t.id}/auto/cm.yaml`]: cm('settings', 'two') }, `${t.id}: two`);
        await webhook(second);
        const a2 = await synced(app, second);
        // an automated sync starts only for an Application found OutOfSync at a revision it has not synced
        assert.equal(a2.status.operationState.operation.initiatedBy.automated, true);
        assert.equal(a2.status.health.status, 'Healthy');
        assert.equal((await liveJson('configmap', 'settings')).data.value, 'two');

        // self-heal: a change made with kubectl in the destination is reverted
        const edit = await there(['patch', 'configmap', 'settings', '-n', ns, '--type=merge', '-p', '{"data":{"value":"edited"}}']);
        assert.equal(edit.code, 0, edit.out);
        await until('self-heal', async () => ((await liveJson('configmap', 'settings'))?.data?.value === 'two' ? true : undefined), 30_000);

        // a deleted file: its object is pruned
        const third = push({ [`${t.id}/auto/svc.yaml`]: null }, `${t.id}: no service`);
        await webhook(third);
        await synced(app, third);
        await until('the Service pruned', async () => ((await there(['get', 'service', 'web', '-n', ns])).code !== 0 ? true : undefined), 30_000);

        // a bad manifest: a ComparisonError naming the file and line, and nothing applied
        const bad = push({ [`${t.id}/auto/broken.yaml`]: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n' }, `${t.id}: broken`);
        await webhook(bad);
        const failed = await until('a ComparisonError', async () => {
          const a = await getApp(app);
          return a?.status?.conditions?.find((c: { type: string }) => c.type === 'ComparisonError');
        }, 30_000);
        assert.match(failed.message, new RegExp(`${t.id}/auto/broken\\.yaml:\\d+`));
        const fixed = push({ [`${t.id}/auto/broken.yaml`]: null }, `${t.id}: fixed`);
        await webhook(fixed);
        const a3 = await until('compared again without the error', async () => {
          const a = await getApp(app);
          return a?.status?.sync?.revision === fixed && !a.status.conditions?.some((c: { type: string }) => c.type === 'ComparisonError') ? a : undefined;
        }, 15_000); // the push's refresh, not the 30 s retry of a failed comparison
        assert.equal(a3.status.sync.status, 'Synced');

        // a manifest the destination's API refuses: the sync fails naming the file and the field
        const badField = push({ [`${t.id}/bad/cm.yaml`]: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: numbers\ndata:\n  count: 1\n' }, `${t.id}: bad field`);
        await apply({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: `bad-${t.id}`, namespace: 'argocd' },
          spec: { source: { repoURL, path: `${t.id}/bad`, targetRevision: 'main' }, destination, syncPolicy: { syncOptions: ['CreateNamespace=true'] } } });
        await until('compared', async () => ((await getApp(`bad-${t.id}`))?.status?.sync?.revision === badField ? true : undefined), 30_000);
        const op = await kubectl(['patch', 'applications.argoproj.io', `bad-${t.id}`, '-n', 'argocd', '--type=merge', '-p', JSON.stringify({ operation: { sync: {}, initiatedBy: { username: 'e2e' } } })]);
        assert.equal(op.code, 0, op.out);
        const failedSync = await until('the sync failed', async () => {
          const st = (await getApp(`bad-${t.id}`))?.status?.operationState;
          return st?.phase === 'Failed' ? st : undefined;
        }, 30_000);
        assert.match(failedSync.message, new RegExp(`${t.id}/bad/cm\\.yaml:\\d+: .*data\\.count`), failedSync.message);
      });

      it('a destination outside the AppProject is refused', async () => {
        await apply({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: `only-${t.id}`, namespace: 'argocd' },
          spec: { sourceRepos: ['*'], destinations: [{ ...('name' in destination ? { name: destination.name } : { server: destination.server }), namespace: `${ns}-allowed` }] } });
        await apply({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: `refused-${t.id}`, namespace: 'argocd' },
          spec: { project: `only-${t.id}`, source: { repoURL, path: `${t.id}/auto`, targetRevision: 'main' }, destination, syncPolicy: { automated: {} } } });
        const cond = await until('the refusal', async () => (await getApp(`refused-${t.id}`))?.status?.conditions?.find((c: { type: string }) => c.type === 'InvalidSpecError'), 30_000);
        assert.match(cond.message, new RegExp(`destination \\{.*${ns}\\} is not permitted in project 'only-${t.id}'`));
      });

      it('waves after a PreSync hook PipelineRun, then rollback to the previous revision', async (ctx) => {
        const tekton = await there(['api-resources', '--api-group=tekton.dev', '-o', 'name']);
        if (!/pipelineruns/.test(tekton.out)) { ctx.skip('the destination does not serve tekton.dev PipelineRuns'); return; }
        const app = `waves-${t.id}`;
        const v1 = push({ [`${t.id}/waves/a.yaml`]: cm('first', 'v1', '0'), [`${t.id}/waves/b.yaml`]: cm('second', 'v1', '1'), [`${t.id}/waves/hook.yaml`]: presyncHook }, `${t.id}: waves`);
        await apply({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: app, namespace: 'argocd' },
          spec: { source: { repoURL, path: `${t.id}/waves`, targetRevision: 'main' }, destination, syncPolicy: { syncOptions: ['CreateNamespace=true'] } } });
        const sync = async (revision?: string) => {
          const r = await kubectl(['patch', 'applications.argoproj.io', app, '-n', 'argocd', '--type=merge', '-p',
            JSON.stringify({ operation: { sync: { prune: true, ...(revision ? { revision } : {}) }, initiatedBy: { username: 'e2e' } } })]);
          assert.equal(r.code, 0, r.out);
        };
        await webhook(v1);
        await until('compared', async () => ((await getApp(app))?.status?.sync?.revision === v1 ? true : undefined), 30_000);
        await sync();
        const a1 = await synced(app, v1);
        const pr = await liveJson('pipelineruns.tekton.dev', 'migrate');
        assert.equal(pr.status.conditions[0].reason, 'Succeeded');
        const first = await liveJson('configmap', 'first');
        const secondCm = await liveJson('configmap', 'second');
        assert.ok(first.metadata.creationTimestamp >= pr.status.completionTime, 'wave 0 after the hook finished');
        assert.ok(Date.parse(secondCm.metadata.creationTimestamp) >= Date.parse(first.metadata.creationTimestamp) + 1000, 'wave 1 after wave 0');
        assert.equal(a1.status.operationState.syncResult.resources.find((r: { kind: string }) => r.kind === 'PipelineRun').hookPhase, 'Succeeded');

        const v2 = push({ [`${t.id}/waves/a.yaml`]: cm('first', 'v2', '0') }, `${t.id}: waves v2`);
        await webhook(v2);
        await until('v2 compared', async () => ((await getApp(app))?.status?.sync?.revision === v2 ? true : undefined), 30_000);
        await sync();
        const a2 = await synced(app, v2);
        assert.equal((await liveJson('configmap', 'first')).data.value, 'v2');
        assert.equal(a2.status.history.length, 2);
        await sync(a2.status.history[0].revision);
        await until('rolled back to v1', async () => {
          const a = await getApp(app);
          const op = a?.status?.operationState;
          return op?.phase === 'Succeeded' && op.syncResult?.revision === v1 ? a : undefined;
        }, 60_000);
        assert.equal((await liveJson('configmap', 'first')).data.value, 'v1');
      });
    });
  }
});
