// conformance/remotes.ts: the stand-ins for the resolver examples' remotes answer the git, http,
// hub and bundles resolvers (offline, through the config it writes) with the same git-clone Task.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GIT_CLONE_BUNDLE, startRemotes } from '../../conformance/remotes.ts';
import { registryUnusable } from '../../src/executor/podman/registry.ts';
import { createKilnResolution } from '../../src/resolution/index.ts';
import type { RemoteResolution, ResolutionRequest } from '../../src/resolution/resolver.ts';
import { createMemoryStore } from '../../src/store/memory.ts';

const root = mkdtempSync(join(tmpdir(), 'kiln-standins-'));
let remotes: Awaited<ReturnType<typeof startRemotes>>;
let resolution: RemoteResolution;
let config: { rewrites: Array<{ from: string; to: string }>; hub: { artifact: string; tekton: string }; bundles?: Array<{ from: string; to: string }> };
const notes: string[] = [];

before(async () => {
  remotes = await startRemotes(join(root, 'remotes'), (s) => notes.push(s));
  config = remotes.config as typeof config;
  resolution = createKilnResolution({ store: createMemoryStore(), dataDir: join(root, 'data'), offline: true, rewrites: config.rewrites, hub: config.hub, bundles: config.bundles });
});
after(async () => {
  await remotes.stop();
  rmSync(root, { recursive: true, force: true });
});

function resolve(resolver: string, params: Record<string, string>) {
  const req: ResolutionRequest = { resolver, namespace: 'ns', kind: 'Task', params: Object.entries(params).map(([name, value]) => ({ name, value })) };
  return resolution.resolve(req);
}

test('git, http and hub resolve the examples\' references to the stand-in git-clone 0.10', async () => {
  const results = await Promise.all([
    resolve('git', { url: 'https://github.com/tektoncd/catalog.git', pathInRepo: '/task/git-clone/0.10/git-clone.yaml', revision: 'main' }),
    resolve('http', { url: 'https://raw.githubusercontent.com/tektoncd/catalog/main/task/git-clone/0.10/git-clone.yaml' }),
    resolve('hub', { type: 'artifact', kind: 'task', name: 'git-clone', version: '0.10' }),
    resolve('hub', { type: 'tekton', name: 'git-clone', version: '>= 0.9' }),
  ]);
  for (const r of results) {
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.object.metadata.name, 'git-clone');
    assert.equal(r.object.metadata.labels?.['app.kubernetes.io/version'], '0.10');
  }
  const [git, http, hub] = results;
  assert.ok(git.ok && git.refSource.uri === 'git+https://github.com/tektoncd/catalog.git', JSON.stringify(git.ok && git.refSource));
  assert.ok(http.ok && hub.ok && http.refSource.digest.sha256 === hub.refSource.digest.sha256, 'the raw file and the hub\'s manifest are the same content');
  const missing = await resolve('hub', { name: 'git-clone', version: '0.3' });
  assert.ok(!missing.ok && !missing.unsupported && /not found on hub/.test(missing.message), JSON.stringify(missing));
});

const NO_REGISTRY = registryUnusable();

test('without docker-registry the bundle stand-in is left out with a note', { skip: !NO_REGISTRY && 'docker-registry is installed' }, () => {
  assert.equal(config.bundles, undefined);
  assert.deepEqual(notes, [`remotes: no bundle stand-in: ${NO_REGISTRY}`]);
});

test('bundles: the example\'s digest-pinned reference resolves to the stand-in git-clone 0.10 in a loopback registry', { skip: NO_REGISTRY ?? false }, async () => {
  assert.deepEqual(notes, []);
  assert.equal(config.bundles?.length, 1);
  assert.equal(config.bundles[0].from, GIT_CLONE_BUNDLE);
  assert.match(config.bundles[0].to, /^127\.0\.0\.1:\d+\/tektoncd\/catalog\/upstream\/tasks\/git-clone:0\.10$/);
  const [bundle, git] = await Promise.all([
    resolve('bundles', { bundle: GIT_CLONE_BUNDLE, name: 'git-clone', kind: 'task' }),
    resolve('git', { url: 'https://github.com/tektoncd/catalog.git', pathInRepo: '/task/git-clone/0.10/git-clone.yaml', revision: 'main' }),
  ]);
  assert.ok(bundle.ok && git.ok, JSON.stringify(bundle));
  assert.deepEqual(bundle.object, git.object, 'the same Task as the git stand-in serves');
  assert.match(bundle.refSource.uri, /^127\.0\.0\.1:\d+\/tektoncd\/catalog\/upstream\/tasks\/git-clone$/);
  const other = await resolve('bundles', { bundle: GIT_CLONE_BUNDLE.replace(/.{4}$/, '0000'), name: 'git-clone' });
  assert.ok(!other.ok && other.unsupported, 'only the exact reference is mapped');
});
