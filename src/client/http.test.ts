// The HTTP client against a real (in-process) server: lists are read page by page.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { KObject } from '../api/meta.ts';
import { createServer } from '../server/server.ts';
import { createMemoryStore } from '../store/memory.ts';
import { createHttpClient, LIST_PAGE_SIZE } from './http.ts';

/** A fetch that answers through `app.inject`, recording each URL asked for. */
function fetchVia(app: FastifyInstance, urls: string[]): typeof fetch {
  return async function injected(input, init) {
    const u = new URL(String(input));
    urls.push(`${u.pathname}${u.search}`);
    const r = await app.inject({ method: (init?.method ?? 'GET') as 'GET', url: `${u.pathname}${u.search}`, headers: init?.headers as Record<string, string>, payload: init?.body as string | undefined });
    return new Response(r.rawPayload, { status: r.statusCode, headers: r.headers as Record<string, string> });
  };
}

describe('HTTP client lists', async () => {
  const store = createMemoryStore();
  const app = createServer({ store });
  const type = { group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
  const count = 2 * LIST_PAGE_SIZE + 3;
  const names = Array.from({ length: count }, (_, i) => `cm-${String(i).padStart(5, '0')}`);
  for (const [i, name] of names.entries()) {
    await store.create(type, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { odd: String(i % 2 === 1) } } } as KObject);
  }

  it(`reads ${LIST_PAGE_SIZE} at a time, following continue, and returns every item in order`, async () => {
    const urls: string[] = [];
    const client = createHttpClient({ server: 'http://kiln.test', fetch: fetchVia(app, urls) });
    const got = await client.list('ConfigMap', 'default');
    assert.deepEqual(got.map((o) => o.metadata.name), names);
    assert.equal(urls.length, 3);
    for (const u of urls) assert.match(u, new RegExp(`[?&]limit=${LIST_PAGE_SIZE}(&|$)`));
    assert.doesNotMatch(urls[0], /continue=/);
    assert.match(urls[1], /continue=/);
    assert.match(urls[2], /continue=/);
  });

  it('keeps the label selector on every page', async () => {
    const urls: string[] = [];
    const client = createHttpClient({ server: 'http://kiln.test', fetch: fetchVia(app, urls) });
    const got = await client.list('ConfigMap', 'default', 'odd=true');
    assert.deepEqual(got.map((o) => o.metadata.name), names.filter((_, i) => i % 2 === 1));
    assert.equal(urls.length, 2);
    for (const u of urls) assert.match(u, /labelSelector=odd%3Dtrue/);
  });
});
