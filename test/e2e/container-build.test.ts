// The example pipeline end to end on the podman executor: clone (git://) → tests in a busybox
// image → buildah build → push to a real registry → the pushed image runs in the next task and
// its output is checked; through `kiln run`, and through `kiln serve` with the PipelineRun
// created by kubectl. The images are made on this machine (no registry outside is reachable).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { kiln, ROOT, tempDir } from './helpers.ts';
import { startServe, until, type Served } from './serve-helpers.ts';
import { hostAddress, type Registry } from './registry.ts';
import { appRepository, containerSkip, ensureImages, insecureRegistriesConf, podmanWith, registryWithBase, startGitDaemon, type GitDaemon } from './container-setup.ts';

const EXAMPLE = 'examples/container-build/pipeline.yaml';
const docsOf = (file: string) => parseAllDocuments(readFileSync(join(ROOT, file), 'utf8')).map((d) => d.toJS());

describe('examples/container-build: the catalog Tasks it holds are the catalog\'s', () => {
  it('git-clone and buildah are copies of catalog/git-clone and catalog/buildah', () => {
    const tasks = docsOf(EXAMPLE).filter((d) => d.kind === 'Task');
    assert.deepEqual(tasks.map((t) => t.metadata.name), ['git-clone', 'buildah']);
    assert.deepEqual(tasks[0], docsOf('catalog/git-clone/git-clone.yaml')[0]);
    assert.deepEqual(tasks[1], docsOf('catalog/buildah/buildah.yaml')[0]);
  });
});

const base = tempDir('kiln-container-build-');
after(() => rmSync(base, { recursive: true, force: true }));
const podman = podmanWith(join(base, 'podman-data'));
const SKIP = containerSkip(join(base, 'podman-data'));
if (SKIP) console.log(`# container-build tests skipped: ${SKIP}`);

describe('examples/container-build on podman', { skip: SKIP }, () => {
  let registry: Registry;
  let baseImage: string;
  let daemon: GitDaemon;
  let commit: string;
  const servers: Served[] = [];
  const env: Record<string, string> = {};

  before(async () => {
    ensureImages(podman);
    ({ registry, base: baseImage } = await registryWithBase(podman));
    commit = appRepository(join(base, 'repos'));
    daemon = await startGitDaemon(join(base, 'repos'), hostAddress()!, 'app.git');
    // the host's podman pulls the built image from the plain-HTTP registry
    env.CONTAINERS_REGISTRIES_CONF = insecureRegistriesConf(base, registry);
  });

  after(async () => {
    for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL');
    daemon?.stop();
    if (registry) {
      // the images pulled from this run's registry go with it
      const listed = spawnSync(podman.bin, ['images', '--format', '{{.ID}} {{.Repository}}'], { env: podman.env, encoding: 'utf8' }).stdout ?? '';
      const ids = listed.split('\n').filter((l) => l.includes(` ${registry.host}/`)).map((l) => l.split(' ')[0]);
      if (ids.length) spawnSync(podman.bin, ['rmi', '--force', ...new Set(ids)], { env: podman.env });
      await registry.stop();
    }
  });

  /** The manifest digest the registry holds for `repo:tag`. */
  async function pushedDigest(repo: string, tag: string): Promise<string | null> {
    const r = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    return r.headers.get('docker-content-digest');
  }

  const params = (image: string) => [
    `repo-url=${daemon.url}/app.git`, `image=${image}`, `base-image=${baseImage}`, 'tlsverify=false',
  ];

  it('kiln run --executor podman: clone, test, build, push, run the pushed image', async () => {
    const image = `${registry.host}/kiln-example/app:run`;
    const ws = join(base, 'run-ws');
    const r = await kiln(['run', '--executor', 'podman', '--allow-privileged', '-f', EXAMPLE, ...params(image).flatMap((p) => ['-p', p]),
      '-w', `source=${ws}`, '--data-dir', join(base, 'run-data')], { env, timeoutMs: 600_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\[test\/unit-tests\] PASS default greeting/);
    assert.match(r.stdout, /\[run\/check\] the image printed 'hello from kiln'/);
    assert.match(r.stdout, new RegExp(`result commit = ${commit}`));
    const digest = await pushedDigest('kiln-example/app', 'run');
    assert.match(digest ?? '', /^sha256:[0-9a-f]{64}$/, 'the registry holds the pushed image');
    assert.match(r.stdout, new RegExp(`result image = ${image.replace(/[.]/g, '\\.')}@${digest}`));
    assert.ok(existsSync(join(ws, 'Dockerfile')), 'the clone is in the workspace');
  });

  it('kiln serve --executor podman: the PipelineRun created by kubectl succeeds with the same results', async () => {
    Object.assign(process.env, env); // kiln serve inherits this process's environment
    const dataDir = join(base, 'serve-data');
    mkdirSync(dataDir);
    const s = await startServe(dataDir, ['--insecure-loopback-only', '--executor', 'podman', '--allow-privileged']);
    servers.push(s);
    const kubectl = (args: string[]) => promisify(execFile)('kubectl', ['--server', s.url, ...args], { env: { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig' }, timeout: 60_000 });
    await kubectl(['apply', '-f', join(ROOT, EXAMPLE)]);
    const image = `${registry.host}/kiln-example/app:serve`;
    const run = join(dataDir, 'run.yaml');
    writeFileSync(run, JSON.stringify({
      apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'container-build-1' },
      spec: {
        pipelineRef: { name: 'container-build' },
        params: params(image).map((p) => ({ name: p.slice(0, p.indexOf('=')), value: p.slice(p.indexOf('=') + 1) })),
        workspaces: [{ name: 'source', volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } }],
      },
    }));
    await kubectl(['create', '-f', run]);
    const pr = await until('the PipelineRun to finish', async () => {
      const got = JSON.parse((await kubectl(['get', 'pipelinerun', 'container-build-1', '-o', 'json'])).stdout);
      return got.status?.conditions?.some((c: { status: string }) => c.status !== 'Unknown') ? got : undefined;
    }, 600_000);
    const cond = pr.status.conditions[0];
    assert.equal(cond.status, 'True', `${cond.reason}: ${cond.message}`);
    const results = Object.fromEntries(pr.status.results.map((x: { name: string; value: string }) => [x.name, x.value]));
    const digest = await pushedDigest('kiln-example/app', 'serve');
    assert.match(digest ?? '', /^sha256:/);
    assert.deepEqual(results, { commit, image: `${image}@${digest}`, output: 'hello from kiln\n' });
    assert.equal(await s.stop('SIGTERM'), 0);
  });
});
