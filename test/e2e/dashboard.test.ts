// End-to-end: the dashboard in Debian's chromium against a real `kiln serve` (TLS + token): sign
// in, watch a run go green with its log, a failure explained at the top, cancel and re-run, and
// nothing of the API reachable through the dashboard's origin without the session.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import { kiln, tempDir } from './helpers.ts';
import { startServe, until, type Served } from './serve-helpers.ts';
import { adminClient, launch, openPage, pipelineRun, screenshot, SKIP } from './dashboard-helpers.ts';

describe('dashboard', { skip: SKIP, timeout: 300_000 }, () => {
  let s: Served;
  let dataDir: string;
  let browser: Browser;
  let admin: ReturnType<typeof adminClient>;
  let page: Page;
  let errors: string[];
  before(async () => {
    dataDir = tempDir('kiln-dash-e2e-');
    s = await startServe(dataDir, []);
    admin = adminClient(s);
    browser = await launch();
    ({ page, errors } = await openPage(browser));
  });
  after(async () => {
    await browser?.close();
    if (s?.child.exitCode === null) await s.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses every API route through its origin without the session, even with the cookie but no CSRF header', async () => {
    const paths = ['/api', '/apis', '/api/v1', '/version', '/openapi/v3', '/metrics', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'];
    const core = await admin.call('GET', '/api/v1');
    for (const r of core.json.resources) if (!r.name.includes('/')) paths.push(`/api/v1/${r.name}`);
    const groups = await admin.call('GET', '/apis');
    for (const g of groups.json.groups) {
      const gv = g.preferredVersion.groupVersion;
      const list = await admin.call('GET', `/apis/${gv}`);
      for (const r of list.json.resources) if (!r.name.includes('/')) paths.push(`/apis/${gv}/${r.name}`, `/apis/${gv}/namespaces/default/${r.name}`);
    }
    assert.ok(paths.length > 20, `found ${paths.length} routes`);
    const { context, page: p } = await openPage(browser);
    try {
      await p.goto(s.url);
      const probe = () => p.evaluate(async (ps) => Promise.all(ps.map(async (x) => [x, (await fetch(x)).status, (await fetch(x, { method: 'POST', body: '{}' })).status] as const)), paths);
      for (const [path, get, post] of await probe()) {
        assert.equal(get, 401, `GET ${path}`);
        assert.equal(post, 401, `POST ${path}`);
      }
      // what a person sees opening an API URL in the browser without the session
      const opened = await p.goto(`${s.url}/apis/tekton.dev/v1/namespaces/default/pipelineruns`);
      assert.equal(opened?.status(), 401);
      await p.getByText('Unauthorized').first().waitFor();
      await screenshot(p, 'api-refused');
      await p.goto(s.url);
      // signed in, the cookie alone (no X-Kiln-CSRF header, as a cross-site form would send) is not enough
      await p.fill('#token', admin.token);
      await p.click('button[type=submit]');
      await p.getByRole('heading', { name: 'PipelineRuns' }).waitFor();
      for (const [path, get] of await probe()) assert.equal(get, 401, `GET ${path} with the cookie only`);
    } finally {
      await context.close();
    }
  });

  it('signs in with the token', async () => {
    await page.goto(s.url);
    await page.getByLabel('API token').waitFor();
    await screenshot(page, 'signin');
    await page.fill('#token', 'not-the-token');
    await page.click('button[type=submit]');
    await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
    await page.fill('#token', admin.token);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'PipelineRuns' }).waitFor();
    errors.length = 0; // the refused attempt above is an expected 401 in the console
  });

  it('shows a running PipelineRun turn green with its log lines arriving', async () => {
    const pr = pipelineRun('green', { build: [[], 'echo building; sleep 8; printf "\\033[32mbuilt\\033[0m\\n"'], test: [['build'], 'echo testing; sleep 1; echo tested'] });
    assert.equal((await admin.call('POST', '/apis/tekton.dev/v1/namespaces/default/pipelineruns', pr)).status, 201);
    await page.getByRole('link', { name: 'green' }).click();
    await page.waitForURL(/#\/runs\/default\/green$/);
    await page.getByTestId('graph').waitFor();
    await page.locator('.node.Running', { hasText: 'build' }).waitFor();
    await page.getByTestId('log').getByText('building').waitFor();
    // the ANSI colour is drawn, not printed
    await page.getByTestId('log').locator('span[style*="color"]', { hasText: 'built' }).waitFor();
    await page.locator('.node.Succeeded', { hasText: 'build' }).waitFor();
    await page.locator('h1 .badge.Succeeded').waitFor({ timeout: 90_000 });
    await page.locator('.node.Succeeded', { hasText: 'test' }).waitFor();
    await screenshot(page, 'run-succeeded');
  });

  it('explains a failing run at the top: task, step, exit code, log tail', async () => {
    const pr = pipelineRun('broken', { compile: [[], 'echo compiling; echo "error: missing semicolon" >&2; exit 3'], ship: [['compile'], 'echo never'] });
    assert.equal((await admin.call('POST', '/apis/tekton.dev/v1/namespaces/default/pipelineruns', pr)).status, 201);
    await page.goto(`${s.url}/#/runs/default/broken`);
    const failure = page.getByTestId('failure');
    await failure.waitFor({ timeout: 90_000 });
    await failure.getByText('compile', { exact: true }).waitFor();
    await failure.getByText('run', { exact: true }).waitFor();
    await failure.getByText('3', { exact: true }).waitFor();
    await failure.getByTestId('tail').getByText('error: missing semicolon').waitFor();
    await screenshot(page, 'run-failed');
  });

  it('cancels a run and re-runs it', async () => {
    const pr = pipelineRun('slow', { wait: [[], 'echo waiting; sleep 120'] });
    assert.equal((await admin.call('POST', '/apis/tekton.dev/v1/namespaces/default/pipelineruns', pr)).status, 201);
    await page.goto(`${s.url}/#/runs/default/slow`);
    await page.getByTestId('log').getByText('waiting').waitFor({ timeout: 90_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('h1 .badge.Cancelled').waitFor({ timeout: 90_000 });
    const got = await admin.call('GET', '/apis/tekton.dev/v1/namespaces/default/pipelineruns/slow');
    assert.equal(got.json.spec.status, 'Cancelled');
    await screenshot(page, 'run-cancelled');
    await page.getByRole('button', { name: 'Re-run' }).click();
    await page.waitForURL(/#\/runs\/default\/slow-[a-z0-9]+$/);
    const rerun = decodeURIComponent(page.url().split('/').pop()!);
    await until('the re-run to start', async () => (await admin.call('GET', `/apis/tekton.dev/v1/namespaces/default/pipelineruns/${rerun}`)).json?.status?.startTime);
    await page.getByTestId('log').getByText('waiting').waitFor({ timeout: 90_000 });
    await admin.call('PATCH', `/apis/tekton.dev/v1/namespaces/default/pipelineruns/${rerun}`, { spec: { status: 'Cancelled' } }, 'application/merge-patch+json');
  });

  it('starts a pipeline from the params form built from its spec', async () => {
    const pipeline = {
      apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name: 'greet', namespace: 'default' },
      spec: {
        params: [{ name: 'who', type: 'string', description: 'whom to greet' }, { name: 'tone', type: 'string', default: 'calm', enum: ['calm', 'loud'] }, { name: 'extras', type: 'array', default: ['a'] }],
        tasks: [{
          name: 'say', params: [{ name: 'who', value: '$(params.who)' }, { name: 'tone', value: '$(params.tone)' }, { name: 'extras', value: ['$(params.extras[*])'] }],
          taskSpec: { params: [{ name: 'who' }, { name: 'tone' }, { name: 'extras', type: 'array' }], steps: [{ name: 'say', image: 'alpine', args: ['$(params.extras[*])'], script: 'echo "hello $(params.who) ($(params.tone)) $*"' }] },
        }],
      },
    };
    const made = await admin.call('POST', '/apis/tekton.dev/v1/namespaces/default/pipelines', pipeline);
    assert.equal(made.status, 201, JSON.stringify(made.json));
    await page.goto(`${s.url}/#/defs/pipelines`);
    await page.getByRole('link', { name: 'greet' }).click();
    await page.getByTestId('graph').waitFor();
    assert.equal(await page.locator('#param-tone').inputValue(), 'calm', 'the default is filled in');
    assert.deepEqual(await page.locator('#param-tone option').allTextContents(), ['calm', 'loud']);
    await page.getByRole('button', { name: 'Start PipelineRun' }).click();
    await page.getByRole('alert').filter({ hasText: 'param who: a value is required' }).waitFor();
    await page.fill('#param-who', 'world');
    await page.selectOption('#param-tone', 'loud');
    await page.fill('#param-extras', 'x\ny');
    await screenshot(page, 'start-form');
    await page.getByRole('button', { name: 'Start PipelineRun' }).click();
    await page.waitForURL(/#\/runs\/default\/greet-run-[a-z0-9]+$/);
    await page.locator('h1 .badge.Succeeded').waitFor({ timeout: 90_000 });
    await page.getByTestId('log').getByText('hello world (loud) x y').waitFor();
    const name = decodeURIComponent(page.url().split('/').pop()!);
    const run = await admin.call('GET', `/apis/tekton.dev/v1/namespaces/default/pipelineruns/${name}`);
    assert.deepEqual(run.json.spec.params, [{ name: 'who', value: 'world' }, { name: 'tone', value: 'loud' }, { name: 'extras', value: ['x', 'y'] }]);
    // the list filtered by pipeline and status (a deep link keeps the filters)
    await page.goto(`${s.url}/#/?pipeline=greet&status=Succeeded`);
    await page.getByRole('link', { name }).waitFor();
    assert.equal(await page.locator('table.runs tbody tr').count(), 1);
    await page.goto(`${s.url}/#/?status=Failed`);
    await page.getByRole('link', { name: 'broken' }).waitFor();
    assert.equal(await page.getByRole('link', { name }).count(), 0);
  });

  it('shows a webhook delivery on the listener page, linked to its run', async () => {
    const applied = await kiln(['apply', '-f', 'examples/triggers/github-push.yaml'], { env: { KILN_HOME: s.dataDir } });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const body = JSON.stringify({ head_commit: { id: 'abc123' }, repository: { clone_url: 'https://example.test/app.git' }, pusher: { name: 'me' } });
    const sig = `sha256=${createHmac('sha256', 'change-me').update(body).digest('hex')}`;
    const res = await admin.raw('POST', '/hooks/default/github', body, { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sig });
    assert.equal(res.status, 202);
    const unsigned = await admin.raw('POST', '/hooks/default/github', body, { 'content-type': 'application/json', 'x-github-event': 'push' });
    assert.equal(unsigned.status, 202);
    await page.goto(`${s.url}/#/defs/eventlisteners`);
    await page.getByRole('link', { name: 'github' }).click();
    await page.getByTestId('webhook-url').filter({ hasText: '/hooks/default/github' }).waitFor();
    const deliveries = page.getByTestId('deliveries');
    await deliveries.getByText('TriggerAccepted').waitFor();
    await deliveries.getByText('TriggerRejected').waitFor();
    await deliveries.getByRole('link', { name: /^build-/ }).waitFor();
    await screenshot(page, 'listener');
    await deliveries.getByRole('link', { name: /^build-/ }).click();
    await page.locator('h1 .badge.Succeeded').waitFor({ timeout: 90_000 });
  });

  it('fits a phone\'s width and switches to the dark theme', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const hash of ['#/', '#/runs/default/broken', '#/defs/pipelines', '#/pipelines/default/greet', '#/listeners/default/github']) {
      await page.goto(`${s.url}/${hash}`);
      await page.locator('main h1').first().waitFor();
      const overflow = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);
      assert.ok(overflow <= 1, `${hash} is ${overflow}px wider than the phone`);
    }
    await page.getByRole('button', { name: 'Toggle theme' }).press('Enter');
    assert.equal(await page.evaluate(() => (globalThis as any).document.documentElement.dataset.theme), 'dark');
    await page.goto(`${s.url}/#/runs/default/broken`);
    await page.getByTestId('tail').waitFor();
    await screenshot(page, 'phone-dark');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('logged no console errors on any page', async () => {
    await screenshot(page, 'last-page');
    assert.deepEqual(errors, []);
  });
});
