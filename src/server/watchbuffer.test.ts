// A watch whose client stops reading: the server closes it once the response holds
// WATCH_BUFFER_LIMIT unsent bytes, instead of buffering every later event for it.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { KObject } from '../api/meta.ts';
import { createMemoryStore } from '../store/memory.ts';
import type { ResourceType } from '../store/store.ts';
import { createServer } from './server.ts';
import { WATCH_BUFFER_LIMIT } from './streams.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const CONFIGMAPS: ResourceType = { group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const MiB = 1024 * 1024;

/** What the process holds beyond code: JS heap plus buffers, after a full collection. */
function held(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    (function check() {
      if (ok()) resolve();
      else if (Date.now() > end) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 20);
    })();
  });
}

describe('a watch whose client does not read', async () => {
  // a short history: the store itself holds only a few versions of the 1 MiB object
  const store = createMemoryStore({ historySize: 2 });
  const app = createServer({ store });
  const base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  const serverSockets: Socket[] = [];
  app.server.on('connection', (s: Socket) => serverSockets.push(s));
  after(() => app.close());

  it('is closed by the server once its unsent bytes pass the bound; memory stays bounded', async () => {
    const big: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { v: 'x'.repeat(MiB) } };
    await store.create(CONFIGMAPS, big);
    const client = connect(Number(base.port), base.hostname);
    try {
      await new Promise((r) => client.once('connect', r));
      client.write(`GET /api/v1/namespaces/default/configmaps?watch=true HTTP/1.1\r\nHost: ${base.host}\r\n\r\n`);
      const head = await new Promise<string>((resolve) => client.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
      assert.match(head, /^HTTP\/1\.1 200/);
      client.pause(); // from here on the client reads nothing
      const server = serverSockets.at(-1)!;
      const before = held();

      // 120 events of 1 MiB: far more than the bound plus what the kernel's socket buffers take
      const updates = 120;
      for (let i = 0; i < updates; i++) {
        await store.update(CONFIGMAPS, { ...big, data: { v: `${i}`.padEnd(MiB, 'y') } });
        await new Promise((r) => setImmediate(r)); // let the watch write each event
      }
      const grown = held() - before;
      console.log(`watch buffer test: ${updates} MiB of events; held memory grew by ${(grown / MiB).toFixed(1)} MiB; bound ${WATCH_BUFFER_LIMIT / MiB} MiB`);
      assert.ok(grown < WATCH_BUFFER_LIMIT * 2, `held memory grew by ${(grown / MiB).toFixed(1)} MiB`);
      await until('the server to close the watch', () => server.destroyed, 5000);
    } finally {
      client.destroy();
    }
  });

  it('other watches carry on: a reading client gets every event', async () => {
    const res = await fetch(`${base.origin}/api/v1/namespaces/default/configmaps?watch=true`);
    const reader = res.body!.getReader();
    await store.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'small' }, data: { k: 'v' } });
    const { value } = await reader.read();
    assert.match(new TextDecoder().decode(value), /"type":"ADDED".*"name":"small"/);
    await reader.cancel();
  });
});
