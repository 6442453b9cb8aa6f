// Driving the dashboard in Debian's chromium (playwright-core) against a real `kiln serve`.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './helpers.ts';
import type { Served } from './serve-helpers.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test/e2e/screenshots');
/** Why the dashboard tests cannot run here, or false. */
export const SKIP: string | false = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed (.ci/run installs Debian's chromium)`
  : !existsSync(join(ROOT, 'dashboard/dist/index.html')) ? 'the dashboard is not built (npm run build:dashboard)' : false;

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    timeout: 60_000,
  });
}

/** A page whose console errors and uncaught exceptions are collected in `errors`. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  page.setDefaultTimeout(60_000);
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The admin token and a fetch trusting the server's CA, for setting things up through the API. */
export function adminClient(s: Served) {
  const token = readFileSync(join(s.dataDir, 'token'), 'utf8').trim();
  const dispatcher = new Agent({ connect: { ca: readFileSync(join(s.dataDir, 'tls/ca.crt'), 'utf8') } });
  return {
    token,
    async raw(method: string, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
      const res = await undiciFetch(`${s.url}${path}`, { method, dispatcher, headers, body });
      return { status: res.status, text: await res.text() };
    },
    async call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: any }> {
      const res = await undiciFetch(`${s.url}${path}`, { method, dispatcher, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': contentType } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
  };
}

/** An embedded PipelineRun: tasks given as name → [runAfter, script]. */
export function pipelineRun(name: string, tasks: Record<string, [string[], string]>, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name, namespace: 'default' },
    spec: {
      ...extra,
      pipelineSpec: {
        tasks: Object.entries(tasks).map(([t, [after, script]]) => ({ name: t, runAfter: after, taskSpec: { steps: [{ name: 'run', image: 'alpine', script }] } })),
      },
    },
  };
}
