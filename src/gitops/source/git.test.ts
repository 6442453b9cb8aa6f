import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitSource, credentialFor, credentialsFromSecrets } from './index.ts';
import { commit, git, initRepo, serveGitHttp, type GitHttpServer } from './testing.ts';

describe('git source', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kiln-gitsrc-'));
  const work = join(tmp, 'work');
  const cache = join(tmp, 'cache');
  let first = '';
  let second = '';
  let onDev = '';
  let http: GitHttpServer;
  const url = `file://${work}`;

  before(async () => {
    initRepo(work);
    first = commit(work, { 'app/cm.yaml': 'kind: ConfigMap\n' }, 'one');
    git(work, 'tag', 'v1');
    git(work, 'tag', '-a', 'v1-annotated', '-m', 'annotated');
    second = commit(work, { 'app/cm.yaml': 'kind: ConfigMap # two\n' }, 'two');
    git(work, 'checkout', '--quiet', '-b', 'dev');
    onDev = commit(work, { 'dev.txt': 'dev' }, 'dev');
    git(work, 'checkout', '--quiet', 'main');
    // A bare copy served over smart HTTP with basic auth.
    git(tmp, 'clone', '--quiet', '--bare', work, join(tmp, 'srv', 'repo.git'));
    http = await serveGitHttp(join(tmp, 'srv'), { username: 'alice', password: 's3cret' });
  });
  after(async () => {
    await http?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('resolves HEAD, empty, a branch, a tag (light and annotated), full and short SHAs', async () => {
    const src = createGitSource({ cacheDir: cache });
    assert.equal((await src.resolve(url, 'HEAD')).commit, second);
    assert.equal((await src.resolve(url, undefined)).commit, second);
    assert.equal((await src.resolve(url, 'main')).commit, second);
    assert.equal((await src.resolve(url, 'dev')).commit, onDev);
    assert.equal((await src.resolve(url, 'v1')).commit, first);
    assert.equal((await src.resolve(url, 'v1-annotated')).commit, first);
    assert.equal((await src.resolve(url, first)).commit, first);
    assert.equal((await src.resolve(url, first.slice(0, 8))).commit, first);
  });

  it('sees new commits on the next resolve of a branch', async () => {
    const src = createGitSource({ cacheDir: cache });
    const third = commit(work, { 'app/extra.yaml': 'kind: Secret\n' }, 'three');
    assert.equal((await src.resolve(url, 'main')).commit, third);
  });

  it('with a revision cache, a branch resolves without fetching until the cache time passes or a fresh answer is asked', async () => {
    let clock = 1_000_000;
    const src = createGitSource({ cacheDir: join(tmp, 'cache-ttl'), revisionCacheMs: 5000, now: () => clock });
    const before = (await src.resolve(url, 'main')).commit;
    const next = commit(work, { 'ttl.txt': String(clock) }, 'ttl');
    clock += 1000;
    assert.equal((await src.resolve(url, 'main')).commit, before, 'within the cache time: the cached answer');
    assert.equal((await src.resolve(url, 'main', undefined, { fresh: true })).commit, next, 'fresh: fetched');
    const again = commit(work, { 'ttl.txt': 'again' }, 'again');
    clock += 1000;
    assert.equal((await src.resolve(url, 'main')).commit, next);
    src.invalidate(url);
    assert.equal((await src.resolve(url, 'main')).commit, again, 'invalidated: fetched');
    git(work, 'branch', 'brand-new');
    clock += 1000;
    assert.equal((await src.resolve(url, 'brand-new')).commit, again, 'a revision the cached fetch does not know is fetched before it is refused');
    clock += 10_000;
    const last = commit(work, { 'ttl.txt': 'last' }, 'last');
    assert.equal((await src.resolve(url, 'main')).commit, last, 'past the cache time: fetched');
  });


  it('freshAfter: a fetch that started at or after that time answers, so many refreshes of one push share it', async () => {
    let clock = 2_000_000;
    const src = createGitSource({ cacheDir: join(tmp, 'cache-after'), now: () => clock });
    await src.resolve(url, 'main');
    const pushed = commit(work, { 'after.txt': '1' }, 'after one');
    clock += 1000;
    const refreshAsked = clock;
    assert.equal((await src.resolve(url, 'main', undefined, { freshAfter: refreshAsked })).commit, pushed, 'the first refresh fetches');
    const unseen = commit(work, { 'after.txt': '2' }, 'after two');
    clock += 1000;
    assert.equal((await src.resolve(url, 'main', undefined, { freshAfter: refreshAsked })).commit, pushed,
      'a refresh asked before the last fetch started is answered by it (no fetch: the newer commit is not seen)');
    assert.equal((await src.resolve(url, 'main', undefined, { freshAfter: clock })).commit, unseen, 'a refresh asked after it fetches again');
  });
  it('an ssh remote is checked against the known hosts given (argocd-ssh-known-hosts-cm), never against none', async () => {
    // a stand-in ssh on PATH records how git calls it and the known_hosts file it is given, then fails
    const bin = join(tmp, 'fake-ssh-bin');
    const record = join(tmp, 'ssh-record');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\nfor a in "$@"; do case "$a" in UserKnownHostsFile=*) cat "\${a#UserKnownHostsFile=}" >> '${record}' ;; esac; done\nexit 255\n`, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const src = createGitSource({ cacheDir: join(tmp, 'cache-ssh') });
      const hosts = 'git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
      await assert.rejects(src.resolve('ssh://git@git.example.com/repo.git', 'main', { url: 'ssh://git@git.example.com/repo.git', knownHosts: hosts }), /repository ssh:/);
      const seen = readFileSync(record, 'utf8');
      assert.match(seen, /StrictHostKeyChecking=yes/);
      assert.match(seen, /UserKnownHostsFile='?\//);
      assert.ok(seen.includes(hosts), `the known hosts reach ssh: ${seen}`);
      await assert.rejects(src.resolve('ssh://git@git.example.com/repo.git', 'main'), /repository ssh:/);
      assert.match(readFileSync(record, 'utf8'), /UserKnownHostsFile=\/dev\/null/, 'without known hosts no host is trusted');
    } finally {
      process.env.PATH = path;
    }
  });

  it('names the repository and revision when the revision does not exist, and refuses option-like revisions', async () => {
    const src = createGitSource({ cacheDir: cache });
    await assert.rejects(src.resolve(url, 'no-such-branch'), /repository file:.*revision no-such-branch not found/);
    await assert.rejects(src.resolve(url, '--upload-pack=touch /tmp/x'), /is not a revision/);
    await assert.rejects(src.resolve('ext::sh -c touch% /tmp/pwned', 'main'), /not a repository URL/);
  });

  it('checks a commit out once, with its own files (an older commit keeps its content)', async () => {
    const src = createGitSource({ cacheDir: cache });
    const dir = await src.checkout(url, first);
    assert.equal(readFileSync(join(dir, 'app/cm.yaml'), 'utf8'), 'kind: ConfigMap\n');
    assert.equal(await src.checkout(url, first), dir);
    assert.deepEqual(readdirSync(dir).sort(), ['app']);
    const dir2 = await src.checkout(url, second);
    assert.equal(readFileSync(join(dir2, 'app/cm.yaml'), 'utf8'), 'kind: ConfigMap # two\n');
  });

  it('concurrent resolves of one repository share its cache without failing', async () => {
    const src = createGitSource({ cacheDir: join(tmp, 'cache-concurrent') });
    const got = await Promise.all(['main', 'dev', 'v1', 'main', 'HEAD'].map((r) => src.resolve(url, r)));
    assert.deepEqual(got.map((g) => g.commit).slice(1, 3), [onDev, first]);
  });

  it('fetches over HTTP with basic auth from a credential, and fails clearly without it', async () => {
    const src = createGitSource({ cacheDir: join(tmp, 'cache-http') });
    const remote = `${http.url}/repo.git`;
    await assert.rejects(src.resolve(remote, 'main'), /repository http:\/\/127\.0\.0\.1:\d+\/repo\.git: .*(Authentication|could not read|terminal prompts)/i);
    await assert.rejects(src.resolve(remote, 'main', { url: remote, username: 'alice', password: 'wrong' }), /Authentication failed|could not read/i);
    const got = await src.resolve(remote, 'main', { url: remote, username: 'alice', password: 's3cret' });
    assert.equal(got.commit, second);
    const dir = await src.checkout(remote, second, { url: remote, username: 'alice', password: 's3cret' });
    assert.match(readFileSync(join(dir, 'app/cm.yaml'), 'utf8'), /two/);
    // The password is written nowhere in the cache.
    const files = readdirSync(join(tmp, 'cache-http'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.ok(files.length > 5);
    const leaked = files.filter((e) => readFileSync(join(e.parentPath, e.name)).includes('s3cret')).map((e) => e.name);
    assert.deepEqual(leaked, []);
  });
});

describe('repository credentials from Secrets', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const secrets: Array<{ metadata: { labels: Record<string, string> }; data?: Record<string, string>; stringData?: Record<string, string> }> = [
    { metadata: { labels: { 'argocd.argoproj.io/secret-type': 'repository' } }, data: { url: b64('https://git.example/org/app.git'), username: b64('u'), password: b64('p') } },
    { metadata: { labels: { 'argocd.argoproj.io/secret-type': 'repo-creds' } }, stringData: { url: 'https://git.example/', password: 'broad' } },
    { metadata: { labels: { 'argocd.argoproj.io/secret-type': 'repo-creds' } }, stringData: { url: 'https://git.example/org/', sshPrivateKey: 'KEY', insecure: 'true' } },
    { metadata: { labels: { other: 'x' } }, stringData: { url: 'https://git.example/org/app.git', password: 'ignored' } },
  ];
  const creds = credentialsFromSecrets(secrets);

  it('reads repository and repo-creds Secrets only', () => {
    assert.equal(creds.length, 3);
    assert.deepEqual(creds[0], { url: 'https://git.example/org/app.git', prefix: false, username: 'u', password: 'p' });
    assert.deepEqual(creds[2], { url: 'https://git.example/org/', prefix: true, sshPrivateKey: 'KEY', insecure: true });
  });

  it('an exact repository (ignoring .git, case and a trailing slash) wins, else the longest prefix', () => {
    assert.equal(credentialFor('https://GIT.example/org/app', creds)?.password, 'p');
    assert.equal(credentialFor('https://git.example/org/other.git', creds)?.sshPrivateKey, 'KEY');
    assert.equal(credentialFor('https://git.example/else/x.git', creds)?.password, 'broad');
    assert.equal(credentialFor('https://elsewhere/x.git', creds), undefined);
  });
});
