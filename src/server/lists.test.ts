// Lists over HTTP: limit/continue pages in every response form, lists streamed item by item,
// the gate that bounds how many are written at once, and responses cut when the client stalls.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { KObject } from '../api/meta.ts';
import { createMemoryStore } from '../store/memory.ts';
import type { ResourceType, Store } from '../store/store.ts';
import { createGate, gateOf, LIST_CHUNK, MAX_PAGE, parseLimit, slices, streamList, type ListShape } from './lists.ts';
import { createServer } from './server.ts';

const CONFIGMAPS: ResourceType = { group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const CM = '/api/v1/namespaces/default/configmaps';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const PARTIAL = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io';

const cm = (name: string, data: Record<string, string> = { k: 'v' }, namespace = 'default'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });

function setup(): { app: FastifyInstance; store: Store } {
  const store = createMemoryStore();
  return { app: createServer({ store }), store };
}

async function get(app: FastifyInstance, url: string, accept = 'application/json'): Promise<{ status: number; body: any }> {
  const res = await app.inject({ method: 'GET', url, headers: { accept } });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

/** Follows continue from `url` (which has a limit) and returns each page's names and metadata. */
async function pages(app: FastifyInstance, url: string, accept?: string): Promise<Array<{ names: string[]; meta: any }>> {
  const out: Array<{ names: string[]; meta: any }> = [];
  let token = '';
  do {
    const { status, body } = await get(app, token ? `${url}&continue=${encodeURIComponent(token)}` : url, accept);
    assert.equal(status, 200, JSON.stringify(body));
    const rows = body.kind === 'Table' ? body.rows.map((r: any) => r.object) : body.items;
    out.push({ names: rows.map((o: KObject) => o.metadata.name), meta: body.metadata });
    token = body.metadata.continue ?? '';
    assert.ok(out.length < 50, 'pages end');
  } while (token);
  return out;
}

describe('list pages over HTTP', async () => {
  const { app, store } = setup();
  for (const n of ['g', 'c', 'a', 'e', 'b', 'f', 'd']) await store.create(CONFIGMAPS, cm(n));
  await store.create(CONFIGMAPS, cm('other', {}, 'elsewhere'));
  const whole = (await get(app, CM)).body;

  it('limit and continue page a list in name order, as kube-apiserver', async () => {
    const got = await pages(app, `${CM}?limit=3`);
    assert.deepEqual(got.map((p) => p.names), [['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
    assert.deepEqual(got.map((p) => p.meta.remainingItemCount), [4, 1, undefined]);
    assert.ok(got[0].meta.continue && got[1].meta.continue && !got[2].meta.continue);
    assert.deepEqual(got.map((p) => p.meta.resourceVersion), Array(3).fill(whole.metadata.resourceVersion));
    assert.deepEqual(got.flatMap((p) => p.names), whole.items.map((o: KObject) => o.metadata.name));
    const first = (await get(app, `${CM}?limit=3`)).body;
    assert.deepEqual([first.kind, first.apiVersion], ['ConfigMapList', 'v1']);
  });

  it('pages the Table form (kubectl get) and PartialObjectMetadataList alike', async () => {
    const table = await pages(app, `${CM}?limit=4`, TABLE);
    assert.deepEqual(table.map((p) => p.names), [['a', 'b', 'c', 'd'], ['e', 'f', 'g']]);
    const firstTable = (await get(app, `${CM}?limit=4`, TABLE)).body;
    assert.deepEqual(firstTable.columnDefinitions.map((c: any) => c.name), ['Name', 'Data', 'Age']);
    assert.deepEqual(firstTable.rows[0].cells.slice(0, 2), ['a', 1]);
    const partial = await pages(app, `${CM}?limit=5`, PARTIAL);
    assert.deepEqual(partial.map((p) => p.names), [['a', 'b', 'c', 'd', 'e'], ['f', 'g']]);
  });

  it('pages across namespaces and with selectors', async () => {
    const all = await pages(app, '/api/v1/configmaps?limit=7');
    assert.deepEqual(all.map((p) => p.names), [['a', 'b', 'c', 'd', 'e', 'f', 'g'], ['other']]);
    assert.deepEqual((await pages(app, `${CM}?limit=1&fieldSelector=metadata.name%21%3Da`)).flatMap((p) => p.names), ['b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('no limit, 0 or a negative one gives the whole list; a large one no continue', async () => {
    for (const q of ['', '?limit=0', '?limit=-1', '?limit=100']) {
      const { body } = await get(app, `${CM}${q}`);
      assert.equal(body.items.length, 7, q);
      assert.equal(body.metadata.continue, undefined, q);
    }
  });

  const bad: Array<{ name: string; url: string; message: RegExp }> = [
    { name: 'a limit that is not an integer', url: `${CM}?limit=ten`, message: /^invalid limit "ten": expected an integer$/ },
    { name: 'a fractional limit', url: `${CM}?limit=1.5`, message: /^invalid limit "1.5"/ },
    { name: 'a continue token that is not one', url: `${CM}?limit=1&continue=bm90IGEgdG9rZW4`, message: /^invalid continue token: not an encoded JSON document$/ },
    { name: 'continue with a resourceVersion', url: `${CM}?limit=1&continue=x&resourceVersion=5`, message: /^specifying resource version is not allowed when using continue$/ },
  ];
  for (const c of bad) {
    it(`400 for ${c.name}`, async () => {
      const { status, body } = await get(app, c.url);
      assert.equal(status, 400);
      assert.deepEqual([body.kind, body.reason], ['Status', 'BadRequest']);
      assert.match(body.message, c.message);
    });
  }

  it('secrets in pages carry no data', async () => {
    for (const n of ['s1', 's2']) await store.create({ group: '', plural: 'secrets', kind: 'Secret', namespaced: true }, { apiVersion: 'v1', kind: 'Secret', metadata: { name: n }, data: { a: 'Yg==' } } as KObject);
    const { body } = await get(app, '/api/v1/namespaces/default/secrets?limit=1');
    assert.equal(body.items.length, 1);
    assert.equal(body.items[0].data, undefined);
    assert.ok(body.metadata.continue);
  });
});

describe('large lists', async () => {
  const { app, store } = setup();
  const count = MAX_PAGE + 2;
  const names = Array.from({ length: count }, (_, i) => `cm-${String(i).padStart(4, '0')}`);
  for (const n of names) await store.create(CONFIGMAPS, cm(n));

  it(`a limit above ${MAX_PAGE} gets ${MAX_PAGE} items and a continue`, async () => {
    const { body } = await get(app, `${CM}?limit=100000`);
    assert.equal(body.items.length, MAX_PAGE);
    assert.equal(body.metadata.remainingItemCount, 2);
    const rest = (await get(app, `${CM}?limit=100000&continue=${body.metadata.continue}`)).body;
    assert.deepEqual(rest.items.map((o: KObject) => o.metadata.name), names.slice(MAX_PAGE));
  });

  it(`a list without a limit is read ${LIST_CHUNK} at a time and comes whole, in order`, async () => {
    const { body } = await get(app, CM);
    assert.deepEqual(body.items.map((o: KObject) => o.metadata.name), names);
    assert.deepEqual(Object.keys(body.metadata), ['resourceVersion']);
    const table = (await get(app, CM, TABLE)).body;
    assert.equal(table.rows.length, count);
  });
});

const plain: ListShape = { envelope: (metadata) => ({ kind: 'ConfigMapList', apiVersion: 'v1', metadata }), arrayField: 'items', item: (o) => o };

async function drain(body: Readable): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return chunks;
}

describe('streamList', () => {
  it('writes a 3 MB object in slices, never as one string', async () => {
    const store = createMemoryStore();
    await store.create(CONFIGMAPS, cm('big', { v: 'x'.repeat(3_000_000) }));
    await store.create(CONFIGMAPS, cm('small'));
    const body = await streamList({ store, type: CONFIGMAPS, filter: {}, gone: () => false }, plain);
    const chunks: Buffer[] = [];
    body!.on('data', (c: Buffer) => chunks.push(c)); // each chunk as the stream produced it
    await once(body!, 'end');
    const largest = Math.max(...chunks.map((c) => c.length));
    assert.ok(largest <= 64 * 1024, `largest chunk ${largest} bytes`);
    const doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    assert.deepEqual(doc.items.map((o: KObject) => o.metadata.name), ['big', 'small']);
    assert.equal(doc.items[0].data.v.length, 3_000_000);
  });

  it('gives the event loop a turn every 64 KiB, however fast the reader takes it', async () => {
    const store = createMemoryStore();
    for (let i = 0; i < 4; i++) await store.create(CONFIGMAPS, cm(`c${i}`, { v: 'x'.repeat(200_000) }));
    const body = await streamList({ store, type: CONFIGMAPS, filter: {}, gone: () => false }, plain);
    let turns = 0;
    let chunks = 0;
    (function turn() {
      turns++;
      if (!body!.readableEnded) setImmediate(turn);
    })();
    body!.on('data', () => { chunks++; });
    await once(body!, 'end');
    assert.ok(chunks > 12, `${chunks} chunks`);
    assert.ok(turns > 12, `only ${turns} turns of the event loop while ${chunks} chunks were read`);
  });

  it('slices are views of at most 64 KiB of the bytes, no copies', () => {
    const bytes = Buffer.from('é'.repeat(75_000)); // 150,000 bytes
    const pieces = [...slices(bytes)];
    assert.deepEqual(pieces.map((p) => p.length), [65_536, 65_536, 18_928]);
    assert.ok(pieces.every((p) => p.buffer === bytes.buffer));
    assert.equal(Buffer.concat(pieces).toString('utf8'), 'é'.repeat(75_000));
  });

  it('at most `slots` lists are written at once; the next starts when one ends', async () => {
    const store = createMemoryStore();
    await store.create(CONFIGMAPS, cm('a'));
    const gate = createGate(1);
    const first = await streamList({ store, type: CONFIGMAPS, filter: {}, gone: () => false, gate }, plain);
    let second: Readable | undefined;
    const pending = streamList({ store, type: CONFIGMAPS, filter: {}, gone: () => false, gate }, plain).then((b) => { second = b; });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual([gate.busy, gate.waiting, second], [1, 1, undefined]);
    await drain(first!);
    await pending;
    assert.ok(second);
    await drain(second!);
    assert.deepEqual([gate.busy, gate.waiting], [0, 0]);
  });

  it('a list whose client left while it waited reads nothing', async () => {
    const gate = createGate(1);
    const release = await gate.acquire();
    let reads = 0;
    const store = { list: async () => { reads++; return { items: [], resourceVersion: '1' }; } } as unknown as Store;
    const pending = streamList({ store, type: CONFIGMAPS, filter: {}, gone: () => true, gate }, plain);
    release();
    assert.equal(await pending, undefined);
    assert.deepEqual([reads, gate.busy], [0, 0]);
  });

  it('a store error is thrown before anything is written, and gives the slot back', async () => {
    const gate = createGate(1);
    const store = createMemoryStore();
    await assert.rejects(streamList({ store, type: CONFIGMAPS, filter: { labelSelector: 'a in (' }, gone: () => false, gate }, plain), /BadRequest|selector/i);
    assert.equal(gate.busy, 0);
  });

  it('a response the client stops reading is cut after stallMs, and gives its slot back', async () => {
    const store = createMemoryStore();
    await store.create(CONFIGMAPS, cm('a'));
    const gate = createGate(1);
    const body = await streamList({ store, type: CONFIGMAPS, filter: {}, gone: () => false, gate, stallMs: 50 }, plain);
    body!.on('error', () => {}); // the error is asserted below
    await new Promise((r) => body!.once('close', r));
    assert.match(String(body!.errored), /the client read nothing for 50 ms/);
    assert.equal(gate.busy, 0);
  });
});

describe('a client that leaves in the middle of a list', async () => {
  const { app, store } = setup();
  const base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  after(() => app.close());

  it('gives the list slot back', async () => {
    for (let i = 0; i < 8; i++) await store.create(CONFIGMAPS, cm(`big-${i}`, { v: 'x'.repeat(2_000_000) }));
    const client = connect(Number(base.port), base.hostname);
    await once(client, 'connect');
    client.write(`GET ${CM} HTTP/1.1\r\nHost: ${base.host}\r\n\r\n`);
    await once(client, 'data');
    client.destroy(); // 16 MB were to come
    const gate = gateOf(store);
    const end = Date.now() + 10_000;
    while (gate.busy > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(gate.busy, 0);
  });
});

it('parseLimit reads limit as Kubernetes does', () => {
  assert.deepEqual(['', '0', '-3', '7', '500'].map((v) => parseLimit(v)), [undefined, undefined, undefined, 7, 500]);
  assert.equal(parseLimit(undefined), undefined);
  assert.throws(() => parseLimit('1e3'), /invalid limit "1e3"/);
});
