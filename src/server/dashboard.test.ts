import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createMemoryStore } from '../store/memory.ts';
import { createServer } from './server.ts';
import { isDashboardPublic, SESSION_COOKIE } from './dashboard.ts';

const TOKEN = 'admin-token';
const HOST = 'kiln.test';
const ORIGIN = `http://${HOST}`;

describe('isDashboardPublic', () => {
  const cases = [
    { path: '/', want: true },
    { path: '/index.html', want: true },
    { path: '/assets/index-abc.js', want: true },
    { path: '/dashboard/session', want: true },
    { path: '/assets/../apis/tekton.dev/v1/tasks', want: false },
    { path: '/assets/%2e%2e/x', want: false },
    { path: '/api/v1/namespaces', want: false },
    { path: '/version', want: false },
    { path: '/dashboard/other', want: false },
  ];
  for (const c of cases) it(c.path, () => assert.equal(isDashboardPublic(c.path), c.want));
});

describe('dashboard serving and sessions', () => {
  let root: string;
  let app: FastifyInstance;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'kiln-dash-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><p>kiln</p>');
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    app = createServer({ store: createMemoryStore(), token: TOKEN, lookup: (t) => (t === 'viewer' ? { name: 'v', role: 'viewer', namespaces: [] } : undefined), dashboard: { root } });
    await app.ready();
  });
  after(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });
  const inject = (method: string, url: string, headers: Record<string, string> = {}, body?: unknown) =>
    app.inject({ method: method as 'GET', url, headers: { host: HOST, ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, payload: body ? JSON.stringify(body) : undefined });
  async function signIn(token = TOKEN): Promise<{ cookie: string; csrf: string }> {
    const res = await inject('POST', '/dashboard/session', { origin: ORIGIN }, { token });
    assert.equal(res.statusCode, 200, res.body);
    const set = String(res.headers['set-cookie']);
    assert.match(set, /HttpOnly/);
    assert.match(set, /SameSite=Strict/);
    return { cookie: set.split(';')[0], csrf: res.json().csrf };
  }

  it('serves the page and its assets without a token', async () => {
    assert.equal((await inject('GET', '/')).body, '<!doctype html><p>kiln</p>');
    const js = await inject('GET', '/assets/app.js');
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.equal((await inject('GET', '/assets/missing.js')).statusCode, 404);
  });
  it('refuses the API without a session or token', async () => {
    for (const path of ['/api/v1/namespaces', '/apis/tekton.dev/v1/pipelineruns', '/version', '/openapi/v3', '/apis']) {
      assert.equal((await inject('GET', path)).statusCode, 401, path);
    }
  });
  it('reports a signed-out page as signed out', async () => {
    assert.deepEqual((await inject('GET', '/dashboard/session')).json(), { auth: true, signedIn: false });
  });
  it('refuses a wrong token and a sign-in from another origin', async () => {
    assert.equal((await inject('POST', '/dashboard/session', { origin: ORIGIN }, { token: 'nope' })).statusCode, 401);
    assert.equal((await inject('POST', '/dashboard/session', { origin: 'http://evil.test' }, { token: TOKEN })).statusCode, 403);
    assert.equal((await inject('POST', '/dashboard/session', { origin: ORIGIN, 'content-type': 'application/json' })).statusCode, 400);
  });
  it('accepts the cookie only with the CSRF header, and writes only from the same origin', async () => {
    const { cookie, csrf } = await signIn();
    assert.equal((await inject('GET', '/api/v1/namespaces', { cookie })).statusCode, 401, 'cookie without CSRF header');
    assert.equal((await inject('GET', '/api/v1/namespaces', { cookie, 'x-kiln-csrf': 'wrong' })).statusCode, 401);
    assert.equal((await inject('GET', '/api/v1/namespaces', { cookie, 'x-kiln-csrf': csrf })).statusCode, 200);
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
    assert.equal((await inject('POST', '/api/v1/namespaces', { cookie, 'x-kiln-csrf': csrf, origin: 'http://evil.test' }, ns)).statusCode, 401);
    assert.equal((await inject('POST', '/api/v1/namespaces', { cookie, 'x-kiln-csrf': csrf }, ns)).statusCode, 401, 'no Origin on a write');
    assert.equal((await inject('POST', '/api/v1/namespaces', { cookie, 'x-kiln-csrf': csrf, origin: ORIGIN }, ns)).statusCode, 201);
    assert.equal((await inject('GET', '/dashboard/session', { cookie })).json().csrf, csrf);
  });
  it('keeps a named token\'s role', async () => {
    const { cookie, csrf } = await signIn('viewer');
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } };
    assert.equal((await inject('POST', '/api/v1/namespaces', { cookie, 'x-kiln-csrf': csrf, origin: ORIGIN }, ns)).statusCode, 403);
  });
  it('signs out', async () => {
    const { cookie, csrf } = await signIn();
    assert.equal((await inject('DELETE', '/dashboard/session', { cookie })).statusCode, 403, 'sign-out needs the CSRF header');
    const out = await inject('DELETE', '/dashboard/session', { cookie, 'x-kiln-csrf': csrf, origin: ORIGIN });
    assert.equal(out.statusCode, 204);
    assert.match(String(out.headers['set-cookie']), new RegExp(`${SESSION_COOKIE}=;.*Max-Age=0`));
    assert.equal((await inject('GET', '/api/v1/namespaces', { cookie, 'x-kiln-csrf': csrf })).statusCode, 401);
  });
});

describe('dashboard without auth (--insecure-loopback-only)', () => {
  it('needs no sign-in and says the page is not built when it is not', async () => {
    const app = createServer({ store: createMemoryStore(), dashboard: { root: join(tmpdir(), 'kiln-no-such-dashboard') } });
    try {
      assert.deepEqual((await app.inject({ url: '/dashboard/session' })).json(), { auth: false, signedIn: true });
      const page = await app.inject({ url: '/' });
      assert.equal(page.statusCode, 503);
      assert.match(page.body, /npm run build:dashboard/);
      assert.equal((await app.inject({ url: '/api/v1/namespaces' })).statusCode, 200);
    } finally {
      await app.close();
    }
  });
});
