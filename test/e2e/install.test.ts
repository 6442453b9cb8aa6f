// End-to-end: `kiln manifests`, `kiln install` and `kiln uninstall` as real processes against a
// Kubernetes API — `kiln serve` on loopback, which speaks the protocol and stores CRDs, RBAC,
// Deployments and Services as a cluster does — checked with the real kubectl.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kiln, tempDir } from './helpers.ts';
import { startServe, type Served } from './serve-helpers.ts';

const run = promisify(execFile);
const servers: Served[] = [];
after(async () => { for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL'); });

/** `cmd args` with `input` on stdin: exit code and output. */
function piped(cmd: string, args: string[], input: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(input);
  });
}

describe('kiln install on a Kubernetes API', { skip: existsSync('/usr/bin/kubectl') ? false : 'kubectl is not installed', timeout: 240_000 }, () => {
  it('manifests pass kubectl\'s client dry run; install, re-install (upgrade), uninstall', async () => {
    const dataDir = tempDir('kiln-install-');
    const s = await startServe(dataDir, []);
    servers.push(s);
    const kubeconfig = join(dataDir, 'kubeconfig');
    const env = { ...process.env, KUBECONFIG: '' };
    const cacheDir = join(dataDir, 'kube-cache');
    async function kubectl(...args: string[]): Promise<{ code: number; out: string }> {
      try {
        const r = await run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { timeout: 30_000, env, maxBuffer: 64 << 20 });
        return { code: 0, out: r.stdout + r.stderr };
      } catch (e) {
        const x = e as { code?: number; stdout?: string; stderr?: string };
        return { code: x.code ?? 1, out: (x.stdout ?? '') + (x.stderr ?? '') };
      }
    }

    // kubectl's client dry run still asks the API what each kind is (discovery): kiln's API answers
    const printed = await kiln(['manifests']);
    assert.equal(printed.code, 0, printed.stderr);
    const dry = await piped('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, 'apply', '--dry-run=client', '-f', '-'], printed.stdout, env);
    assert.equal(dry.code, 0, dry.out);
    assert.match(dry.out, /customresourcedefinition\.apiextensions\.k8s\.io\/pipelineruns\.tekton\.dev created \(dry run\)/);
    assert.match(dry.out, /clusterrole\.rbac\.authorization\.k8s\.io\/kiln-controller created \(dry run\)/);
    assert.match(dry.out, /deployment\.apps\/kiln-controller created \(dry run\)/);
    assert.match((await kubectl('get', 'deploy', '-A')).out, /No resources found/, 'a dry run changes nothing');

    const first = await kiln(['install', '--kubeconfig', kubeconfig, '--image', 'registry.example.com/kiln:test']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /customresourcedefinition\.apiextensions\.k8s\.io\/tasks\.tekton\.dev created/);
    assert.match(first.stderr, /deployment\.apps\/kiln-controller -n kiln created/);
    assert.match(first.stderr, /kiln installed in namespace kiln on https:\/\/127\.0\.0\.1:\d+/);

    const again = await kiln(['install', '--kubeconfig', kubeconfig, '--image', 'registry.example.com/kiln:test2', '--replicas', '2']);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, / created$/m, 'an upgrade creates nothing new');
    assert.match(again.stderr, /deployment\.apps\/kiln-controller -n kiln configured/);

    const crds = await kubectl('get', 'crds', '-l', 'app.kubernetes.io/managed-by=kiln-install', '-o', 'name');
    assert.equal(crds.code, 0, crds.out);
    for (const n of ['tasks.tekton.dev', 'pipelineruns.tekton.dev', 'eventlisteners.triggers.tekton.dev', 'applications.argoproj.io', 'cdevents.kiln.dev']) {
      assert.match(crds.out, new RegExp(`customresourcedefinition.apiextensions.k8s.io/${n.replace(/\./g, '\\.')}\\n`), n);
    }
    const schema = await kubectl('get', 'crd', 'tasks.tekton.dev', '-o', 'jsonpath={.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.params.items.properties.default}');
    assert.match(schema.out, /"x-kubernetes-preserve-unknown-fields":true/, 'the schema arrives whole, markers included');
    const deploys = await kubectl('get', 'deploy', '-n', 'kiln', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.replicas} {.spec.template.spec.containers[0].image}{"\\n"}{end}');
    assert.equal(deploys.out.trim(), 'kiln-controller 2 registry.example.com/kiln:test2', 'one Deployment, upgraded');
    assert.match((await kubectl('get', 'svc', '-n', 'kiln')).out, /kiln-webhooks/);
    assert.equal((await kubectl('get', 'clusterrole', 'kiln-controller')).code, 0);

    const gone = await kiln(['uninstall', '--kubeconfig', kubeconfig]);
    assert.equal(gone.code, 0, gone.stderr);
    assert.match(gone.stderr, /deployment\.apps\/kiln-controller -n kiln deleted/);
    assert.match(gone.stderr, /kept: the \d+ CustomResourceDefinitions[\s\S]*kept: namespace kiln and its volume kiln-data/);
    assert.match((await kubectl('get', 'deploy,svc', '-n', 'kiln')).out, /No resources found/);
    assert.notEqual((await kubectl('get', 'clusterrole', 'kiln-controller')).code, 0);
    assert.equal((await kubectl('get', 'crd', 'pipelineruns.tekton.dev')).code, 0, 'CRDs (and every run) are kept');
    assert.equal((await kubectl('get', 'pvc', 'kiln-data', '-n', 'kiln')).code, 0, 'the data volume is kept');
  });

  it('a missing kubeconfig or context is one clear error', async () => {
    const dir = tempDir('kiln-install-cfg-');
    const missing = await kiln(['install', '--kubeconfig', join(dir, 'nope')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /error: --kubeconfig .*nope/);
    const file = join(dir, 'config');
    writeFileSync(file, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: here, context: {cluster: c, user: u}}]\ncurrent-context: here\n');
    const ctx = await kiln(['uninstall', '--kubeconfig', file, '--context', 'there']);
    assert.equal(ctx.code, 2);
    assert.match(ctx.stderr, /error: --context there: not in .* \(its contexts: here\)/);
    const down = await kiln(['install', '--kubeconfig', file]);
    assert.equal(down.code, 1, down.stderr);
    assert.match(down.stderr, /^error: http:\/\/127\.0\.0\.1:1: /m, 'an unreachable API: the server named, no stack trace');
    const bad = await kiln(['manifests', '--replicas', 'two']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--replicas: Invalid value/);
  });
});
