// End-to-end: the dashboard's run lists and logs in Debian's chromium against a real `kiln serve`:
// Pipeline and status filters applied by the server across its pages, new runs arriving through
// the watch, keyboard selection in the graph, and the log's search, first error, times and download.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { tempDir } from './helpers.ts';
import { api, startServe, type Served } from './serve-helpers.ts';
import { launch, openPage, pipelineRun, screenshot, SKIP } from './dashboard-helpers.ts';

const RUNS = '/apis/tekton.dev/v1/namespaces/default/pipelineruns';
const pipeline = (name: string) => ({
  apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name, namespace: 'default' },
  spec: { tasks: [{ name: 'say', taskSpec: { steps: [{ name: 'run', image: 'alpine', script: 'echo released' }] } }] },
});
/** A PipelineRun of a Pipeline: pending ones never start; a missing Pipeline fails at once, running nothing. */
const refRun = (name: string, pipeline: string, pending: boolean, labels: Record<string, string> = {}) => ({
  apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, namespace: 'default', labels },
  spec: { pipelineRef: { name: pipeline }, ...(pending ? { status: 'PipelineRunPending' } : {}) },
});
const rows = (page: Page) => page.locator('table.runs tbody tr');

describe('dashboard: run lists and logs', { skip: SKIP, timeout: 300_000 }, () => {
  let dataDir: string;
  let s: Served;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  before(async () => {
    dataDir = tempDir('kiln-dash-lists-');
    s = await startServe(dataDir);
    browser = await launch();
    ({ page, errors } = await openPage(browser));
    for (const p of ['filler', 'late']) assert.equal((await api(s, 'POST', '/apis/tekton.dev/v1/namespaces/default/pipelines', pipeline(p))).status, 201);
    // 55 pending runs come first in the server's (name) order; the failed one is past its first page
    for (let i = 0; i < 55; i++) assert.equal((await api(s, 'POST', RUNS, refRun(`aa-${String(i).padStart(2, '0')}`, 'filler', true))).status, 201);
    assert.equal((await api(s, 'POST', RUNS, refRun('zz-broken', 'missing', false, { team: 'web' }))).status, 201);
  });
  after(async () => {
    await browser?.close();
    if (s?.child.exitCode === null) await s.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('pages through the server, 50 at a time', async () => {
    await page.goto(`${s.url}/#/`);
    await page.getByRole('link', { name: 'aa-00' }).waitFor();
    assert.equal(await rows(page).count(), 50);
    assert.equal(await page.getByRole('link', { name: 'zz-broken' }).count(), 0);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('link', { name: 'zz-broken' }).waitFor();
    assert.equal(await rows(page).count(), 6);
    await screenshot(page, 'list-page-2');
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByRole('link', { name: 'aa-00' }).waitFor();
  });

  it('filters by status, Pipeline and labels on the server, beyond the first page', async () => {
    for (const q of ['status=Failed', 'pipeline=missing', 'labels=team%3Dweb', 'pipeline=missing&status=Failed']) {
      await page.goto(`${s.url}/#/?${q}`);
      await page.getByRole('link', { name: 'zz-broken' }).waitFor();
      assert.equal(await rows(page).count(), 1, q);
      assert.equal(await page.getByRole('button', { name: 'Next' }).isDisabled(), true, q);
    }
    await page.goto(`${s.url}/#/`);
    await page.getByRole('link', { name: 'aa-00' }).waitFor();
    await page.getByLabel('Pipeline').pressSequentially('missing');
    await page.getByRole('link', { name: 'zz-broken' }).waitFor();
    await rows(page).nth(1).waitFor({ state: 'detached' });
    assert.match(page.url(), /pipeline=missing/);
    await page.goto(`${s.url}/#/?pipeline=filler&status=Failed`);
    await page.getByText('No runs.').waitFor();
    await page.goto(`${s.url}/#/?status=Pending`);
    await page.getByRole('link', { name: 'aa-00' }).waitFor();
    assert.equal(await rows(page).count(), 50);
    await page.getByLabel('Status').selectOption('Failed');
    await page.getByRole('link', { name: 'zz-broken' }).waitFor();
    assert.match(page.url(), /status=Failed/, 'the filter is in the URL');
    await screenshot(page, 'list-filtered');
  });

  it('shows a new run through the watch, and a run that comes to match the status filter', async () => {
    await page.goto(`${s.url}/#/?pipeline=late`);
    await page.getByText('No runs.').waitFor();
    assert.equal((await api(s, 'POST', RUNS, refRun('late-1', 'late', true))).status, 201);
    await page.getByRole('link', { name: 'late-1' }).waitFor();
    await page.locator('tr', { hasText: 'late-1' }).locator('.badge.Pending').waitFor();

    await page.goto(`${s.url}/#/?pipeline=late&status=Succeeded`);
    await page.getByText('No runs.').waitFor();
    // released, it runs and succeeds: it enters the filtered list live
    const res = await fetch(`${s.url}${RUNS}/late-1`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { status: null } }) });
    assert.equal(res.status, 200);
    await page.locator('tr', { hasText: 'late-1' }).locator('.badge.Succeeded').waitFor({ timeout: 90_000 });
    assert.equal(await rows(page).count(), 1);
    await screenshot(page, 'list-live');
  });

  it('selects a task of the graph with the keyboard, and explains a failed TaskRun on its own page', async () => {
    const pr = pipelineRun('keys', {
      first: [[], 'echo one'],
      second: [['first'], 'printf "compiling\\n\\033[31merror\\033[0m: bad input\\nmore\\n"; exit 2'],
    });
    assert.equal((await api(s, 'POST', RUNS, pr)).status, 201);
    await page.goto(`${s.url}/#/runs/default/keys`);
    await page.getByTestId('failure').waitFor({ timeout: 90_000 });
    await page.locator('.panel h2', { hasText: 'second' }).waitFor();
    await page.locator('.react-flow__node[data-id=first]').focus();
    await page.keyboard.press('Enter');
    await page.locator('.panel h2', { hasText: 'first' }).waitFor();
    await page.getByTestId('log').getByText('one').waitFor();
    assert.match(page.url(), /#\/runs\/default\/keys\?task=first$/, 'the selected task is in the URL');
    await page.reload();
    await page.locator('.panel h2', { hasText: 'first' }).waitFor();
    await page.locator('.react-flow__node[data-id=second]').focus();
    await page.keyboard.press(' ');
    await page.locator('.panel h2', { hasText: 'second' }).waitFor();
    await page.locator('.panel h2 a').click();
    await page.waitForURL(/#\/taskruns\/default\/keys-second/);
    const failure = page.getByTestId('failure');
    await failure.getByText('exit code').waitFor();
    await failure.getByTestId('tail').getByText('error: bad input').waitFor();
    await screenshot(page, 'taskrun-failed');
  });

  it('searches the log, jumps to the first error, shows when each line was written and downloads it', async () => {
    const script = 'for i in $(seq 1 3000); do echo "line $i fine"; done; sleep 1; echo "Error: disk full"; for i in $(seq 1 3000); do echo "after $i"; done';
    assert.equal((await api(s, 'POST', RUNS, pipelineRun('long', { work: [[], script] }))).status, 201);
    await page.goto(`${s.url}/#/runs/default/long`);
    const log = page.getByTestId('log');
    await page.locator('h1 .badge.Succeeded').waitFor({ timeout: 90_000 });
    // opened again well after the run: the times shown are when the lines were written, not loaded
    await new Promise((r) => setTimeout(r, 1500));
    const reopened = Date.now();
    await page.reload();
    await page.getByText('6001 lines', { exact: true }).waitFor();
    await page.getByLabel('Follow').uncheck();
    await log.evaluate((el) => { el.scrollTop = 0; });
    assert.equal(await log.getByText('Error: disk full').count(), 0, 'virtualised: far lines are not drawn');
    await page.getByRole('button', { name: 'First error' }).click();
    await log.getByText('Error: disk full').waitFor();
    await log.evaluate((el) => { el.scrollTop = 0; });
    const search = page.getByLabel('Search the log');
    await search.fill('after 2999');
    await search.press('Enter');
    await page.getByText('1/1', { exact: true }).waitFor();
    await log.locator('.logline.hit', { hasText: 'after 2999' }).waitFor();
    await page.getByLabel('Times').check();
    // the log is fetched again with its times
    await page.getByText('6001 lines', { exact: true }).waitFor();
    await log.locator('.ts').first().waitFor();
    assert.match(await log.locator('.ts').first().innerText(), /^\d\d:\d\d:\d\d\.\d{3}$/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    assert.equal(download.suggestedFilename(), `${await page.locator('.panel h2 a').innerText()}.log`);
    const text = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    assert.equal(text.length, 6001);
    assert.match(text[3000], /^\S+Z \[run\] Error: disk full$/);
    const times = [text[0], text[3000], text[6000]].map((l) => Date.parse(l.split(' ')[0]));
    assert.ok(times[0] <= times[1] && times[1] <= times[2], `in order: ${times}`);
    assert.ok(times[1] - times[0] >= 900, `the line after a second's sleep is dated a second later: ${times}`);
    assert.ok(times[2] < reopened - 1000, `written before the page was opened again: ${new Date(times[2]).toISOString()} vs ${new Date(reopened).toISOString()}`);
    await screenshot(page, 'log-search');
  });

  it('logged no console errors on any page', async () => {
    await screenshot(page, 'lists-last-page');
    assert.deepEqual(errors, []);
  });
});
