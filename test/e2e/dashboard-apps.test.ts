// End-to-end: an Application in the dashboard (Debian's chromium, real `kiln serve`): OutOfSync
// until synced from the page, OutOfSync again after a commit with the change shown as a diff, and
// Synced/Healthy after Sync.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { commit, initRepo } from '../../src/gitops/source/testing.ts';
import { tempDir } from './helpers.ts';
import { startServe, type Served } from './serve-helpers.ts';
import { adminClient, launch, openPage, screenshot, SKIP } from './dashboard-helpers.ts';

const cm = (greeting: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  greeting: ${greeting}\n`;

describe('dashboard: Applications', { skip: SKIP, timeout: 240_000 }, () => {
  const dir = tempDir('kiln-dash-apps-');
  const repo = join(dir, 'repo');
  let s: Served;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  before(async () => {
    initRepo(repo);
    commit(repo, { 'app/cm.yaml': cm('hello') }, 'first');
    s = await startServe(join(dir, 'data'), ['--app-resync', '1']);
    browser = await launch();
    ({ page, errors } = await openPage(browser));
  });
  after(async () => {
    await browser?.close();
    if (s?.child.exitCode === null) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs from the page, shows the diff of a new commit, and syncs it', async () => {
    const admin = adminClient(s);
    await admin.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } });
    const app = {
      apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'guestbook', namespace: 'argocd' },
      spec: { project: 'default', source: { repoURL: `file://${repo}`, targetRevision: 'main', path: 'app' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'demo' } },
    };
    const made = await admin.call('POST', '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', app);
    assert.equal(made.status, 201, JSON.stringify(made.json));

    await page.goto(s.url);
    await page.fill('#token', admin.token);
    await page.click('button[type=submit]');
    await page.getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('link', { name: 'guestbook' }).click();
    const head = page.locator('.runhead');
    await head.locator('.badge', { hasText: 'OutOfSync' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    await head.locator('.badge', { hasText: 'Synced' }).waitFor({ timeout: 60_000 });
    await head.locator('.badge', { hasText: 'Healthy' }).waitFor({ timeout: 60_000 });
    const got = await admin.call('GET', '/api/v1/namespaces/demo/configmaps/settings');
    assert.equal(got.json.data.greeting, 'hello');

    commit(repo, { 'app/cm.yaml': cm('bye') }, 'second');
    await head.locator('.badge', { hasText: 'OutOfSync' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('app-resources').getByRole('button', { name: 'Diff' }).click();
    await page.locator('pre.diff', { hasText: 'bye' }).waitFor();
    await screenshot(page, 'application-diff');
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    await head.locator('.badge', { hasText: 'Synced' }).waitFor({ timeout: 60_000 });
    await head.locator('.badge', { hasText: 'Healthy' }).waitFor();
    assert.equal((await admin.call('GET', '/api/v1/namespaces/demo/configmaps/settings')).json.data.greeting, 'bye');
    await page.getByRole('cell', { name: '1', exact: true }).waitFor(); // the history has both deployments
    await screenshot(page, 'application-synced');
    assert.deepEqual(errors, []);
  });

  it('draws the resource tree: a Deployment, the ReplicaSet it owns, that one\'s Pod, each with its health', async () => {
    const admin = adminClient(s);
    commit(repo, { 'app/cm.yaml': cm('bye'), 'app/deploy.yaml': deployment }, 'third');
    const head = page.locator('.runhead');
    await head.locator('.badge', { hasText: 'OutOfSync' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    await head.locator('.badge', { hasText: 'Synced' }).waitFor({ timeout: 60_000 });
    const deploy = await admin.call('GET', '/apis/apps/v1/namespaces/demo/deployments/web');
    assert.equal(deploy.status, 200);
    const owner = (o: { apiVersion: string; kind: string; metadata: { name: string; uid: string } }) => [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true }];
    const rs = await admin.call('POST', '/apis/apps/v1/namespaces/demo/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-6d4', namespace: 'demo', ownerReferences: owner(deploy.json) }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: deploy.json.spec.template } });
    assert.equal(rs.status, 201, JSON.stringify(rs.json));
    const pod = await admin.call('POST', '/api/v1/namespaces/demo/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-6d4-x1', namespace: 'demo', ownerReferences: owner(rs.json) }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });
    assert.equal(pod.status, 201, JSON.stringify(pod.json));
    const tree = page.getByTestId('app-resources');
    const rsRow = tree.locator('tr[data-depth="2"]', { hasText: 'web-6d4' });
    await rsRow.getByText('ReplicaSet').waitFor();
    await rsRow.locator('.badge', { hasText: 'Progressing' }).waitFor();
    const podRow = tree.locator('tr[data-depth="3"]', { hasText: 'web-6d4-x1' });
    await podRow.locator('.badge', { hasText: 'Progressing' }).waitFor();
    // the Pod comes up: its health changes live
    const up = await admin.call('PUT', '/api/v1/namespaces/demo/pods/web-6d4-x1/status', { ...pod.json, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
    assert.equal(up.status, 200, JSON.stringify(up.json));
    await podRow.locator('.badge', { hasText: 'Healthy' }).waitFor();
    const order = await tree.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-depth')} ${tr.children[1]?.textContent}`));
    const at = (text: string) => order.findIndex((o) => o.includes(text));
    assert.ok(at('Deployment') < at('ReplicaSet') && at('ReplicaSet') < at('Pod'), order.join('\n'));
    await screenshot(page, 'application-tree');
    assert.deepEqual(errors, []);
  });
});

const deployment = `apiVersion: apps/v1
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
        image: nginx
`;
