// The catalog's Tasks, run by the real CLI: git-clone over file:// (process executor and podman),
// git:// (git daemon) and http:// (git's dumb protocol from a static server), at a branch's head
// or an older commit, shallow or whole; buildah building a Dockerfile with build arguments and
// pushing it to a real registry (podman, privileged), refused without --allow-privileged.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, createReadStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, normalize } from 'node:path';
import { kiln, tempDir } from './helpers.ts';
import { hostAddress, type Registry } from './registry.ts';
import { containerSkip, ensureImages, podmanWith, registryWithBase, startGitDaemon, type GitDaemon } from './container-setup.ts';

const GIT_CLONE = 'catalog/git-clone/git-clone.yaml';
const BUILDAH = 'catalog/buildah/buildah.yaml';
const base = tempDir('kiln-catalog-');
chmodSync(base, 0o755);
after(() => rmSync(base, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'safe.directory=*', '-c', 'user.email=test@kiln.dev', '-c', 'user.name=kiln test', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** A bare repository `<dir>/repo.git` with two commits on main; returns them, oldest first. */
function twoCommits(dir: string): [string, string] {
  const work = join(dir, 'work');
  mkdirSync(work, { recursive: true });
  git(work, 'init', '-q', '-b', 'main');
  writeFileSync(join(work, 'a.txt'), 'one\n');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'one');
  const first = git(work, 'rev-parse', 'HEAD');
  writeFileSync(join(work, 'b.txt'), 'two\n');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'two');
  git(dir, 'clone', '-q', '--bare', work, join(dir, 'repo.git'));
  git(join(dir, 'repo.git'), 'update-server-info'); // for git's dumb http protocol
  return [first, git(work, 'rev-parse', 'HEAD')];
}

/** A workspace directory steps (nobody on the process executor, root in podman) may write. */
function workspace(name: string): string {
  const d = join(base, name);
  mkdirSync(d, { recursive: true });
  chmodSync(d, 0o777);
  return d;
}

/** `kiln run` of a catalog Task; returns its output and the results it printed. */
async function runTask(file: string, params: string[], ws: string[], extra: string[] = []): Promise<{ code: number | null; out: string; results: Record<string, string> }> {
  const r = await kiln(['run', '-f', file, ...params.flatMap((p) => ['-p', p]), ...ws.flatMap((w) => ['-w', w]), '--data-dir', join(base, 'kiln-data'), ...extra], { timeoutMs: 300_000 });
  const results = Object.fromEntries([...r.stdout.matchAll(/^ {2}result (\S+) = (.*)$/gm)].map((m) => [m[1], m[2]]));
  return { code: r.code, out: r.stdout + r.stderr, results };
}

describe('catalog/git-clone on the process executor', { skip: spawnSync('git', ['--version']).error ? 'git is not installed' : false }, () => {
  const repos = workspace('local');
  let commits: [string, string];
  before(() => {
    mkdirSync(repos, { recursive: true });
    commits = twoCommits(repos);
  });

  it('file://: the head of the default branch, shallow; results name the commit and url', async () => {
    // the remote lies in the workspace the clone goes to: file:// names it as steps see it
    const inside = await runTask(GIT_CLONE, ['url=file:///workspace/output/repo.git', 'subdirectory=src'], [`output=${repos}`]);
    assert.equal(inside.code, 0, inside.out);
    assert.deepEqual(inside.results, { commit: commits[1], url: 'file:///workspace/output/repo.git' });
    assert.equal(git(join(repos, 'src'), 'rev-list', '--count', 'HEAD'), '1', 'depth 1: one commit fetched');
    assert.equal(git(join(repos, 'src'), 'status', '--porcelain'), '', 'a clean checkout');
  });

  it('an older commit; the whole history with depth 0; a revision that does not exist fails the run', async () => {
    const old = await runTask(GIT_CLONE, ['url=file:///workspace/output/repo.git', 'subdirectory=old', `revision=${commits[0]}`], [`output=${repos}`]);
    assert.equal(old.code, 0, old.out);
    assert.equal(old.results.commit, commits[0]);
    assert.equal(git(join(repos, 'old'), 'rev-parse', 'HEAD'), commits[0]);
    const whole = await runTask(GIT_CLONE, ['url=file:///workspace/output/repo.git', 'subdirectory=whole', 'revision=main', 'depth=0'], [`output=${repos}`]);
    assert.equal(whole.code, 0, whole.out);
    assert.equal(whole.results.commit, commits[1]);
    assert.equal(git(join(repos, 'whole'), 'rev-list', '--count', 'HEAD'), '2', 'depth 0: every commit fetched');
    const bad = await runTask(GIT_CLONE, ['url=file:///workspace/output/repo.git', 'subdirectory=bad', 'revision=no-such-branch'], [`output=${repos}`]);
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.out, /no-such-branch/);
  });
});

const podman = podmanWith(join(base, 'podman-data'));
const SKIP = containerSkip(join(base, 'podman-data'));
if (SKIP) console.log(`# catalog tests on podman skipped: ${SKIP}`);

/** A static file server for git's dumb http protocol. */
function staticServer(root: string, host: string): Promise<{ url: string; server: Server }> {
  const server = createServer(function serve(req, res) {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(root) || !statSync(path, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, host, () => resolve({ url: `http://${host}:${(server.address() as { port: number }).port}`, server })));
}

describe('catalog Tasks on podman', { skip: SKIP }, () => {
  const repos = join(base, 'served');
  let commits: [string, string];
  let daemon: GitDaemon;
  let http: { url: string; server: Server };
  let registry: Registry;
  before(async () => {
    ensureImages(podman);
    mkdirSync(repos, { recursive: true });
    commits = twoCommits(repos);
    daemon = await startGitDaemon(repos, hostAddress()!, 'repo.git');
    http = await staticServer(repos, hostAddress()!);
    ({ registry } = await registryWithBase(podman));
  });
  after(async () => {
    daemon?.stop();
    http?.server.close();
    await registry?.stop();
  });

  const remotes = () => [
    { name: 'git://', url: `${daemon.url}/repo.git` },
    { name: 'http:// (dumb protocol: no shallow fetch, no fetch by commit)', url: `${http.url}/repo.git` },
  ];
  for (const i of [0, 1]) {
    it(`git-clone over ${['git://', 'http://'][i]}: the head, then an older commit`, async () => {
      const { url } = remotes()[i];
      const ws = workspace(`podman-${i}`);
      const head = await runTask(GIT_CLONE, [`url=${url}`], [`output=${ws}`], ['--executor', 'podman']);
      assert.equal(head.code, 0, head.out);
      assert.deepEqual(head.results, { commit: commits[1], url });
      const old = await runTask(GIT_CLONE, [`url=${url}`, `revision=${commits[0]}`], [`output=${ws}`], ['--executor', 'podman']);
      assert.equal(old.code, 0, old.out);
      assert.equal(old.results.commit, commits[0]);
      assert.equal(git(ws, 'rev-parse', 'HEAD'), commits[0]);
    });
  }

  it('buildah: builds DOCKERFILE in CONTEXT with BUILD_EXTRA_ARGS and pushes; IMAGE_DIGEST is what the registry holds', async () => {
    const ws = workspace('build');
    mkdirSync(join(ws, 'ctx'));
    writeFileSync(join(ws, 'ctx', 'msg'), 'built\n');
    writeFileSync(join(ws, 'Containerfile'), `ARG BASE\nFROM $BASE\nARG WORD\nCOPY msg /msg\nRUN echo "$WORD" >> /msg\nCMD ["cat", "/msg"]\n`);
    const image = `${registry.host}/catalog/buildah:t1`;
    const params = [`IMAGE=${image}`, 'DOCKERFILE=./Containerfile', 'CONTEXT=ctx', 'TLSVERIFY=false',
      `BUILD_EXTRA_ARGS=--build-arg BASE=${registry.host}/library/busybox:1.36 --build-arg WORD=extra`];
    const refused = await runTask(BUILDAH, params, [`source=${ws}`], ['--executor', 'podman']);
    assert.equal(refused.code, 2, refused.out);
    assert.match(refused.out, /spec\.steps\[0\]\.securityContext\.privileged: .*--allow-privileged/);
    const r = await runTask(BUILDAH, params, [`source=${ws}`], ['--executor', 'podman', '--allow-privileged']);
    assert.equal(r.code, 0, r.out);
    const got = await fetch(`${registry.url}/v2/catalog/buildah/manifests/t1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(got.status, 200);
    assert.deepEqual(r.results, { IMAGE_DIGEST: got.headers.get('docker-content-digest'), IMAGE_URL: image });
    assert.match(r.out, /STEP \d\/\d: RUN echo "\$WORD" >> \/msg/);
  });
});
