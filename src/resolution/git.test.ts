import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createResolution } from './framework.ts';
import { createGitResolver, gitParams } from './git.ts';
import { makeRepo, startGitDaemon, type GitDaemon, type TestRepo } from './testing.ts';
import type { Param } from '../api/param.types.ts';

const task = (msg: string) => `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: hello
spec:
  steps:
    - name: say
      image: busybox
      script: echo ${msg}
`;

let repo: TestRepo;
let first: string;
let second: string;
let daemon: GitDaemon;

before(async () => {
  repo = makeRepo('catalog.git');
  first = repo.commit({ 'task/hello/hello.yaml': task('one') });
  second = repo.commit({ 'task/hello/hello.yaml': task('two'), 'pipeline.yaml': 'apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  tasks: [{name: a, taskRef: {name: hello}}]\n' });
  repo.git('tag', 'v1', first);
  daemon = await startGitDaemon(dirname(repo.dir));
});
after(() => daemon?.stop());

function resolution(opts: { offline?: boolean; rewrites?: Array<{ from: string; to: string }>; timeoutMs?: number } = {}) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'kiln-gitcache-'));
  return { cacheDir, r: createResolution({ timeoutMs: opts.timeoutMs, resolvers: { git: createGitResolver({ cacheDir, offline: opts.offline, rewrites: opts.rewrites }) } }) };
}

const p = (o: Record<string, string>): Param[] => Object.entries(o).map(([name, value]) => ({ name, value }));
const script = (obj: { spec?: unknown }) => (obj.spec as { steps: Array<{ script: string }> }).steps[0].script;

test('gitParams: Tekton defaults and what is refused', () => {
  const cases: Array<{ name: string; params: Record<string, string>; want?: object; error?: RegExp }> = [
    { name: 'revision defaults to main, leading / of pathInRepo dropped', params: { url: 'https://h/r.git', pathInRepo: '/task/x.yaml' }, want: { url: 'https://h/r.git', revision: 'main', path: 'task/x.yaml' } },
    { name: 'missing pathInRepo', params: { url: 'https://h/r.git' }, error: /missing required git resolver params: pathInRepo/ },
    { name: 'ext transport refused', params: { url: 'ext::sh -c touch% /tmp/x', pathInRepo: 'a' }, error: /only https, http, git, ssh and file URLs/ },
    { name: 'option-like revision refused', params: { url: 'https://h/r.git', pathInRepo: 'a', revision: '--upload-pack=x' }, error: /not a valid git revision/ },
    { name: 'API mode not served', params: { org: 'o', repo: 'r', pathInRepo: 'a' }, error: /API mode/ },
  ];
  for (const c of cases) {
    if (c.error) assert.throws(() => gitParams(new Map(Object.entries(c.params))), c.error, c.name);
    else assert.deepEqual(gitParams(new Map(Object.entries(c.params))), c.want, c.name);
  }
});

test('git://: by branch (the tip), by tag, by commit; provenance names the commit and the path', async () => {
  const { r } = resolution();
  const url = `${daemon.url}/catalog.git`;
  const byBranch = await r.resolve({ resolver: 'git', namespace: 'default', kind: 'Task', params: p({ url, revision: 'main', pathInRepo: '/task/hello/hello.yaml' }) });
  assert.ok(byBranch.ok, JSON.stringify(byBranch));
  assert.equal(script(byBranch.object), 'echo two');
  assert.deepEqual(byBranch.refSource, { uri: `git+${url}`, digest: { sha1: second }, entryPoint: '/task/hello/hello.yaml' });
  const byTag = await r.resolve({ resolver: 'git', namespace: 'default', kind: 'Task', params: p({ url, revision: 'v1', pathInRepo: 'task/hello/hello.yaml' }) });
  assert.ok(byTag.ok && script(byTag.object) === 'echo one' && byTag.refSource.digest.sha1 === first, JSON.stringify(byTag));
  const byCommit = await r.resolve({ resolver: 'git', namespace: 'default', kind: 'Task', params: p({ url, revision: first, pathInRepo: 'task/hello/hello.yaml' }) });
  assert.ok(byCommit.ok && script(byCommit.object) === 'echo one', JSON.stringify(byCommit));
});

test('file://: default revision main', async () => {
  const { r, cacheDir } = resolution();
  const res = await r.resolve({ resolver: 'git', namespace: 'default', kind: 'Task', params: p({ url: `file://${repo.dir}`, pathInRepo: 'task/hello/hello.yaml' }) });
  assert.ok(res.ok && res.refSource.digest.sha1 === second, JSON.stringify(res));
  assert.equal(readdirSync(cacheDir).length, 1, 'one bare repository per URL under the cache dir');
});

test('a wrong revision fails naming it; a wrong path names the path and commit; a Pipeline where a Task is asked for', async () => {
  const { r } = resolution();
  const url = `${daemon.url}/catalog.git`;
  const wrong = await r.resolve({ resolver: 'git', namespace: 'ns', kind: 'Task', params: p({ url, revision: 'no-such-branch', pathInRepo: 'task/hello/hello.yaml' }) });
  assert.ok(!wrong.ok);
  assert.match(wrong.message, /^error requesting remote resource: error getting "Git" "ns\/git-[0-9a-f]{32}": revision "no-such-branch" not found in git:\/\/127\.0\.0\.1:\d+\/catalog\.git/);
  const path = await r.resolve({ resolver: 'git', namespace: 'ns', kind: 'Task', params: p({ url, pathInRepo: 'nope.yaml' }) });
  assert.ok(!path.ok);
  assert.match(path.message, new RegExp(`path "nope.yaml" not found in .* at ${second}`));
  const kind = await r.resolve({ resolver: 'git', namespace: 'ns', kind: 'Task', params: p({ url, pathInRepo: 'pipeline.yaml' }) });
  assert.ok(!kind.ok);
  assert.match(kind.message, new RegExp(`catalog\\.git@${second}:pipeline\\.yaml holds a Pipeline "p", not a Task`));
});

test('an invalid Task is reported with the repository, commit, path, line and field path', async () => {
  const bad = makeRepo('bad');
  const c = bad.commit({ 't.yaml': 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n    - name: s\n      script: echo\n' });
  const { r } = resolution();
  const res = await r.resolve({ resolver: 'git', namespace: 'default', kind: 'Task', params: p({ url: `file://${bad.dir}`, pathInRepo: 't.yaml' }) });
  assert.ok(!res.ok);
  assert.match(res.message, new RegExp(`invalid Task: file://${bad.dir}@${c}:t\\.yaml:\\d+:\\d+: spec\\.steps\\[0\\]\\.image`));
});

test('by commit, a second resolution is served from the cache; by branch it is fetched again and sees a new commit', async () => {
  const moving = makeRepo('moving');
  const c1 = moving.commit({ 't.yaml': task('v1') });
  const { r } = resolution();
  const url = `file://${moving.dir}`;
  const byCommit = { resolver: 'git', namespace: 'default', kind: 'Task' as const, params: p({ url, revision: c1, pathInRepo: 't.yaml' }) };
  assert.ok((await r.resolve(byCommit)).ok);
  moving.git('update-ref', '-d', 'refs/heads/main'); // the commit is gone from the remote: only the cache has it
  const cached = await r.resolve(byCommit);
  assert.ok(cached.ok && script(cached.object) === 'echo v1', JSON.stringify(cached));
  moving.git('checkout', '-q', '-b', 'main');
  moving.commit({ 't.yaml': task('v2') });
  const byBranch = await r.resolve({ ...byCommit, params: p({ url, revision: 'main', pathInRepo: 't.yaml' }) });
  assert.ok(byBranch.ok && script(byBranch.object) === 'echo v2', JSON.stringify(byBranch));
});

test('offline: a remote host is unsupported; a stand-in mapping serves it from the loopback daemon', async () => {
  const remote = 'https://github.com/tektoncd/catalog.git';
  const off = resolution({ offline: true }).r;
  const refused = await off.resolve({ resolver: 'git', namespace: 'default', kind: 'Task', params: p({ url: remote, pathInRepo: 'task/hello/hello.yaml' }) });
  assert.ok(!refused.ok && refused.unsupported, JSON.stringify(refused));
  assert.match(refused.message, /needs the network/);
  const stood = resolution({ offline: true, rewrites: [{ from: 'https://github.com/tektoncd/', to: `${daemon.url}/` }] }).r;
  const ok = await stood.resolve({ resolver: 'git', namespace: 'default', kind: 'Task', params: p({ url: remote, pathInRepo: 'task/hello/hello.yaml' }) });
  assert.ok(ok.ok, JSON.stringify(ok));
  assert.equal(ok.refSource.uri, `git+${remote}`, 'provenance keeps the URL the run named');
});

test('a repository on this machine only where localRepository allows it (kiln serve: --allow-host-path)', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'kiln-gitcache-'));
  const seen: string[] = [];
  const localRepository = (path: string) => (seen.push(path), path.startsWith(dirname(repo.dir)) ? undefined : 'not beneath an allowed directory');
  const r = createResolution({ resolvers: { git: createGitResolver({ cacheDir, localRepository }) } });
  const ok = await r.resolve({ resolver: 'git', namespace: 'default', kind: 'Task', params: p({ url: `file://${repo.dir}`, pathInRepo: 'task/hello/hello.yaml' }) });
  assert.ok(ok.ok, JSON.stringify(ok));
  for (const url of ['file:///etc/secret-repo', '/etc/secret-repo']) {
    const refused = await r.resolve({ resolver: 'git', namespace: 'default', kind: 'Task', params: p({ url, pathInRepo: 'x.yaml' }) });
    assert.ok(!refused.ok && /not beneath an allowed directory/.test(refused.message), JSON.stringify(refused));
  }
  // a remote is no repository on this machine: not asked about
  await r.resolve({ resolver: 'git', namespace: 'default', kind: 'Task', params: p({ url: `${daemon.url}/catalog.git`, pathInRepo: 'task/hello/hello.yaml' }) });
  assert.deepEqual(seen, [repo.dir, '/etc/secret-repo', '/etc/secret-repo']);
});

test('without ambient credentials git sees an empty home, no ssh agent and no ssh identities of kiln\'s user', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-gitenv-'));
  const out = join(dir, 'env');
  const fakeGit = join(dir, 'git');
  writeFileSync(fakeGit, `#!/bin/sh\nprintf 'HOME=%s\\nSSH_AUTH_SOCK=%s\\nGIT_CONFIG_GLOBAL=%s\\nGIT_SSH_COMMAND=%s\\n' "$HOME" "$SSH_AUTH_SOCK" "$GIT_CONFIG_GLOBAL" "$GIT_SSH_COMMAND" > ${out}\nexit 1\n`, { mode: 0o755 });
  const prev = process.env.SSH_AUTH_SOCK;
  process.env.SSH_AUTH_SOCK = '/run/user/0/agent.sock';
  try {
    const cacheDir = join(dir, 'cache');
    const r = createResolution({ resolvers: { git: createGitResolver({ cacheDir, git: fakeGit, ambientCredentials: false }) } });
    await r.resolve({ resolver: 'git', namespace: 'default', kind: 'Task', params: p({ url: 'https://example.invalid/r.git', pathInRepo: 'a.yaml' }) });
    const env = Object.fromEntries(readFileSync(out, 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(env.HOME, join(cacheDir, '.home'));
    assert.equal(env.SSH_AUTH_SOCK, '');
    assert.equal(env.GIT_CONFIG_GLOBAL, '/dev/null');
    assert.match(env.GIT_SSH_COMMAND, /-F \/dev\/null .*IdentityAgent=none .*IdentityFile=\/dev\/null/);
  } finally {
    if (prev === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = prev;
  }
});
