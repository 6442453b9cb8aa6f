// End-to-end: named tokens on a real `kiln serve` (TLS), made with `kiln token` while it runs, used by
// the real kubectl (auth can-i, get, create, delete) and kiln's own client; revoked without a restart.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kiln, tempDir } from './helpers.ts';
import { startServe, type Served } from './serve-helpers.ts';

const run = promisify(execFile);
const servers: Served[] = [];
after(async () => { for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL'); });

const TASK = `apiVersion: tekton.dev/v1
kind: Task
metadata: {name: hello}
spec:
  steps: [{name: hi, image: alpine, script: "echo hi"}]
`;

describe('tokens and roles on kiln serve', { skip: existsSync('/usr/bin/kubectl') ? false : 'kubectl is not installed' }, () => {
  const home = tempDir('kiln-authz-home-');
  async function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; out: string }> {
    try {
      // a fresh HOME: no discovery cache shared with anything else
      const r = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000, env: { ...process.env, HOME: home, KUBECONFIG: '' } });
      return { code: 0, out: r.stdout + r.stderr };
    } catch (e) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      return { code: x.code ?? 1, out: (x.stdout ?? '') + (x.stderr ?? '') };
    }
  }

  it('a runner token in one namespace: can-i, create, forbidden elsewhere, revoked at once; a viewer reads only', async () => {
    const dataDir = tempDir('kiln-authz-');
    const s = await startServe(dataDir, []);
    servers.push(s);
    // tokens made while the server runs, straight on the data dir
    const clientHome = tempDir('kiln-authz-client-');
    const runnerKc = join(clientHome, 'kubeconfig'); // where kiln's own client looks with KILN_HOME=clientHome
    const made = await kiln(['token', 'create', 'ci', '--role', 'runner', '-n', 'team', '--data-dir', dataDir, '--kubeconfig', runnerKc]);
    assert.equal(made.code, 0, made.stderr);
    const viewerMade = await kiln(['token', 'create', 'watcher', '--role', 'viewer', '-n', 'team', '--data-dir', dataDir]);
    assert.equal(viewerMade.code, 0, viewerMade.stderr);
    const viewerToken = viewerMade.stdout.trim();
    assert.match(viewerToken, /^kiln_[A-Za-z0-9_-]{43}$/);
    assert.ok(!readFileSync(join(dataDir, 'tokens.json'), 'utf8').includes(viewerToken), 'only the hash is stored');
    const listed = await kiln(['token', 'list', '--data-dir', dataDir]);
    assert.match(listed.stdout, /^ci\s+runner\s+team\s+\S+$/m);
    assert.match(listed.stdout, /^watcher\s+viewer\s+team\s+\S+$/m);

    // kubectl auth can-i with the runner's kubeconfig
    const canI = async (...args: string[]) => kubectl(runnerKc, ['auth', 'can-i', ...args]);
    assert.deepEqual(await canI('create', 'pipelineruns', '-n', 'team'), { code: 0, out: 'yes\n' });
    assert.deepEqual(await canI('patch', 'pipelineruns', '-n', 'team'), { code: 0, out: 'yes\n' });
    assert.deepEqual(await canI('get', 'secrets', '-n', 'team'), { code: 0, out: 'yes\n' });
    const elsewhere = await canI('create', 'pipelineruns', '-n', 'other');
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.out, /^no - token "ci" has no role in namespace "other"/);
    assert.equal((await canI('create', 'namespaces')).code, 1);
    assert.equal((await canI('update', 'taskruns', '--subresource=status', '-n', 'team')).code, 1);

    // the runner creates in its namespace, is forbidden elsewhere with kube-apiserver's words
    const taskFile = join(clientHome, 'task.yaml');
    writeFileSync(taskFile, TASK);
    const created = await kubectl(runnerKc, ['create', '-n', 'team', '-f', taskFile]);
    assert.equal(created.code, 0, created.out);
    assert.match(created.out, /task\.tekton\.dev\/hello created/);
    const refused = await kubectl(runnerKc, ['get', 'pipelineruns', '-n', 'other']);
    assert.equal(refused.code, 1);
    assert.match(refused.out, /Error from server \(Forbidden\): pipelineruns\.tekton\.dev is forbidden: User "ci" cannot list resource "pipelineruns" in API group "tekton\.dev" in the namespace "other"/);
    // kiln's own client reads the same kubeconfig
    const got = await kiln(['get', 'tasks', '-n', 'team'], { env: { KILN_HOME: clientHome } });
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /^hello\b/m);

    // the viewer reads but cannot delete or read Secrets
    const viewerKc = join(clientHome, 'viewer.kubeconfig');
    writeFileSync(viewerKc, readFileSync(runnerKc, 'utf8').replace(/token: \S+/, `token: ${viewerToken}`));
    const seen = await kubectl(viewerKc, ['get', 'tasks', '-n', 'team']);
    assert.equal(seen.code, 0, seen.out);
    assert.match(seen.out, /^hello\s/m);
    const notDeleted = await kubectl(viewerKc, ['delete', 'task', 'hello', '-n', 'team']);
    assert.equal(notDeleted.code, 1);
    assert.match(notDeleted.out, /tasks\.tekton\.dev "hello" is forbidden: User "watcher" cannot delete resource "tasks" in API group "tekton\.dev" in the namespace "team"/);
    assert.equal((await kubectl(viewerKc, ['auth', 'can-i', 'get', 'secrets', '-n', 'team'])).code, 1);

    // the operator's kubeconfig may do anything
    const operator = await kubectl(join(dataDir, 'kubeconfig'), ['auth', 'can-i', 'create', 'namespaces']);
    assert.equal(operator.code, 0);
    assert.match(operator.out, /^yes\n/); // then kubectl's warning that namespaces are not namespace scoped

    // revoked while the server runs: refused from the next request on
    const revoked = await kiln(['token', 'revoke', 'ci', '--data-dir', dataDir]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const after = await kubectl(runnerKc, ['get', 'tasks', '-n', 'team']);
    assert.equal(after.code, 1);
    assert.match(after.out, /You must be logged in to the server \(Unauthorized\)|Unauthorized/);
    assert.equal((await kubectl(viewerKc, ['get', 'tasks', '-n', 'team'])).code, 0, 'the other token still works');
    assert.equal(await s.stop('SIGTERM'), 0);
  });

  it('--insecure-loopback-only has no auth: every request and every can-i is allowed', async () => {
    const dataDir = tempDir('kiln-authz-insecure-');
    const s = await startServe(dataDir);
    servers.push(s);
    const r = await run('kubectl', ['--server', s.url, 'auth', 'can-i', 'create', 'namespaces'], { env: { ...process.env, HOME: home, KUBECONFIG: '' } });
    assert.equal(r.stdout, 'yes\n');
    assert.equal(await s.stop('SIGTERM'), 0);
  });
});
