import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ComparisonError, createRenderCache, globToRegExp, render, sourcesOf, which } from './index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kiln-render-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function repo(name: string, files: Record<string, string>): string {
  const root = join(tmp, name);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
const names = (r: { manifests: Array<{ object: Record<string, unknown> }> }) => r.manifests.map((m) => (m.object.metadata as { name: string }).name);

describe('render: plain directories', () => {
  const root = repo('dir', {
    'app/a.yaml': `# leading comment\n${cm('a')}---\n---\n${cm('a2')}`,
    'app/b.json': JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'b' } }),
    'app/list.yml': `apiVersion: v1\nkind: List\nitems:\n- ${cm('in-list').replace(/\n(?=.)/g, '\n  ')}`,
    'app/README.md': 'not a manifest',
    'app/sub/c.yaml': cm('c'),
    'app/sub/deeper/d.yaml': cm('d'),
    'other/x.yaml': cm('x'),
  });

  it('reads YAML and JSON, every document, Lists expanded, each with its file and line', async () => {
    const r = await render(root, { repoURL: 'r', path: 'app' }, { appName: 'demo' });
    assert.equal(r.type, 'Directory');
    assert.deepEqual(names(r), ['a', 'a2', 'b', 'in-list']);
    assert.deepEqual(r.manifests.slice(0, 2).map((m) => [m.file, m.line]), [['app/a.yaml', 2], ['app/a.yaml', 8]]);
  });

  it('recurses when asked, with include and exclude globs over the path', async () => {
    assert.deepEqual(names(await render(root, { repoURL: 'r', path: 'app', directory: { recurse: true } }, { appName: 'x' })), ['a', 'a2', 'b', 'in-list', 'c', 'd']);
    assert.deepEqual(names(await render(root, { repoURL: 'r', path: 'app', directory: { recurse: true, include: '*.yaml' } }, { appName: 'x' })), ['a', 'a2', 'c', 'd']);
    assert.deepEqual(names(await render(root, { repoURL: 'r', path: 'app', directory: { recurse: true, exclude: '{sub/deeper/*,*.json}' } }, { appName: 'x' })), ['a', 'a2', 'in-list', 'c']);
  });

  it('globs as Argo CD compiles them', () => {
    assert.ok(globToRegExp('*.yaml').test('sub/x.yaml'));
    assert.ok(globToRegExp('{config.json,env-usw2/*}').test('env-usw2/a.yaml'));
    assert.ok(!globToRegExp('{config.json,env-usw2/*}').test('env-use1/a.yaml'));
    assert.ok(globToRegExp('file?.[jy]*').test('file1.json'));
  });

  it('a bad document is a ComparisonError naming file:line', async () => {
    const bad = repo('bad', { 'a.yaml': `${cm('ok')}---\nkind: ConfigMap\nmetadata: [unclosed\n` });
    await assert.rejects(render(bad, { repoURL: 'r' }, { appName: 'x' }), (e: Error) => e instanceof ComparisonError && /^a\.yaml:\d+: /.test(e.message));
    const noKind = repo('nokind', { 'a.yaml': `${cm('ok')}---\napiVersion: v1\nmetadata: {name: x}\n` });
    await assert.rejects(render(noKind, { repoURL: 'r' }, { appName: 'x' }), /^ComparisonError: a\.yaml:6: kind is missing|a\.yaml:6: kind is missing/);
  });

  it('refuses paths and links that leave the repository', async () => {
    const outside = repo('outside', { 'secret.yaml': cm('host-secret') });
    const r = repo('hostile', { 'app/ok.yaml': cm('ok') });
    symlinkSync(join(outside, 'secret.yaml'), join(r, 'app', 'leak.yaml'));
    symlinkSync(outside, join(r, 'escape'));
    await assert.rejects(render(r, { repoURL: 'r', path: 'app' }, { appName: 'x' }), /app\/leak\.yaml: a link out of the repository/);
    await assert.rejects(render(r, { repoURL: 'r', path: 'escape' }, { appName: 'x' }), /leads out of the repository/);
    await assert.rejects(render(r, { repoURL: 'r', path: '../outside' }, { appName: 'x' }), /leaves the repository/);
    await assert.rejects(render(r, { repoURL: 'r', path: 'nope' }, { appName: 'x' }), /no such directory/);
  });

  it('a link inside the repository is read', async () => {
    const r = repo('inner-link', { 'app/real.yaml': cm('real'), 'shared/s.yaml': cm('shared') });
    symlinkSync(join(r, 'shared', 's.yaml'), join(r, 'app', 's.yaml'));
    assert.deepEqual(names(await render(r, { repoURL: 'r', path: 'app' }, { appName: 'x' })), ['real', 'shared']);
  });

  it('caches by commit + path + options, not by repository URL or revision name', async () => {
    const cache = createRenderCache(2);
    const a = cache.render('c1', root, { repoURL: 'r', targetRevision: 'main', path: 'app' }, { appName: 'x' });
    assert.equal(cache.render('c1', root, { repoURL: 'r', targetRevision: 'HEAD', path: 'app' }, { appName: 'x' }), a);
    assert.notEqual(cache.render('c1', root, { repoURL: 'r', path: 'other' }, { appName: 'x' }), a);
    assert.deepEqual(names(await a), ['a', 'a2', 'b', 'in-list']);
    cache.render('c2', root, { repoURL: 'r', path: 'app' }, { appName: 'x' });
    assert.equal(cache.size, 2);
    const again = cache.render('c2', root, { repoURL: 'r', path: 'app' }, { appName: 'x' });
    assert.notEqual(cache.render('c2', root, { repoURL: 'r', path: 'app' }, { appName: 'x' }, true), again, 'a hard refresh renders again');
  });

  it('sources (several) or source', () => {
    assert.deepEqual(sourcesOf({ source: { repoURL: 'a' } }), [{ repoURL: 'a' }]);
    assert.deepEqual(sourcesOf({ source: { repoURL: 'a' }, sources: [{ repoURL: 'b' }, { repoURL: 'c' }] }).map((s) => s.repoURL), ['b', 'c']);
    assert.deepEqual(sourcesOf({}), []);
  });
});

describe('render: kustomize and helm', () => {
  it('kustomize through kubectl, with the Application\'s options as an overlay', async (t) => {
    if (!(await which('kubectl'))) { t.skip('kubectl is not installed'); return; }
    const root = repo('kust', {
      'base/kustomization.yaml': 'resources:\n- cm.yaml\n- deploy.yaml\n',
      'base/cm.yaml': cm('settings'),
      'base/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n',
    });
    const plain = await render(root, { repoURL: 'r', path: 'base' }, { appName: 'x' });
    assert.equal(plain.type, 'Kustomize');
    assert.deepEqual(names(plain).sort(), ['settings', 'web']);
    const opts = await render(root, { repoURL: 'r', path: 'base', kustomize: { namePrefix: 'p-', commonLabels: { team: 'a' }, images: ['nginx:1.27'] } }, { appName: 'x' });
    assert.deepEqual(names(opts).sort(), ['p-settings', 'p-web']);
    const dep = opts.manifests.find((m) => m.object.kind === 'Deployment')!.object as { metadata: { labels: Record<string, string> }; spec: { template: { spec: { containers: Array<{ image: string }> } } } };
    assert.equal(dep.metadata.labels.team, 'a');
    assert.equal(dep.spec.template.spec.containers[0].image, 'nginx:1.27');
    const broken = repo('kust-bad', { 'kustomization.yaml': 'resources:\n- missing.yaml\n' });
    await assert.rejects(render(broken, { repoURL: 'r' }, { appName: 'x' }), (e: Error) => e instanceof ComparisonError && /missing\.yaml/.test(e.message));
  });

  it('a chart without helm installed is a ComparisonError naming what is missing', async (t) => {
    if (await which('helm')) { t.skip('helm is installed here'); return; }
    const root = repo('chart', { 'Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n' });
    await assert.rejects(render(root, { repoURL: 'r' }, { appName: 'x' }), /Helm chart needs helm .*not installed/);
  });
});
