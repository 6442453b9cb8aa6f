// Oversized bodies: discardBody's ways to end, and a real socket sending far more than the limit
// reads its 413 (the server drains the body before it closes, so the connection is not reset).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createMemoryStore } from '../store/memory.ts';
import { discardBody } from './oversize.ts';
import { createServer } from './server.ts';

describe('discardBody', () => {
  it('reads to the end', async () => {
    const body = new PassThrough();
    const done = discardBody(body);
    body.write('a'.repeat(1000));
    body.end('b');
    assert.equal(await done, 'end');
  });

  it('gives up past maxBytes and stops reading', async () => {
    const body = new PassThrough();
    const done = discardBody(body, { maxBytes: 10 });
    body.write('a'.repeat(11));
    assert.equal(await done, 'limit');
    assert.equal(body.isPaused(), true);
  });

  it('gives up when nothing comes for idleMs', async () => {
    const body = new PassThrough();
    body.write('a');
    assert.equal(await discardBody(body, { idleMs: 10 }), 'idle');
  });

  it('ends when the connection goes', async () => {
    const body = new PassThrough();
    const done = discardBody(body);
    body.destroy();
    assert.equal(await done, 'closed');
  });

  it('ends at once for a body already read', async () => {
    const body = new PassThrough();
    body.end();
    body.resume();
    await new Promise((r) => body.once('end', r));
    assert.equal(await discardBody(body), 'end');
  });
});

/** Sends `head` then `size` bytes of body over a raw socket; the answer's status line and headers, or the socket error. */
function sendRaw(port: number, head: string, size: number, chunked: boolean): Promise<{ answer: string; error?: string; sent: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let error: string | undefined;
    let sent = false;
    socket.on('data', (d) => { answer += d.toString('latin1'); });
    socket.on('error', (e: NodeJS.ErrnoException) => { error = e.code ?? e.message; });
    socket.on('close', () => resolve({ answer, error, sent }));
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    socket.write(head);
    for (let n = 0; n < size; n += chunk.length) socket.write(chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk);
    socket.write(chunked ? '0\r\n\r\n' : '', () => { sent = error === undefined; });
  });
}

describe('a body over the limit is answered 413, and the client reads it', () => {
  const app = createServer({ store: createMemoryStore(), bodyLimit: 1024, hooks: { interceptors: {} } });
  after(() => app.close());
  const SIZE = 32 * 1024 * 1024; // far more than socket buffers hold: a server that stops reading cannot take it all
  const cases: Array<{ name: string; path: string; chunked: boolean }> = [
    { name: 'API, Content-Length', path: '/apis/tekton.dev/v1/namespaces/default/tasks', chunked: false },
    { name: 'API, chunked', path: '/apis/tekton.dev/v1/namespaces/default/tasks', chunked: true },
    { name: 'webhook sink, Content-Length', path: '/hooks/default/github', chunked: false },
    { name: 'webhook sink, chunked', path: '/hooks/default/github', chunked: true },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await app.listen({ port: 0, host: '127.0.0.1' }).catch(() => undefined);
      const { port } = app.server.address() as AddressInfo;
      const length = c.chunked ? 'transfer-encoding: chunked' : `content-length: ${SIZE}`;
      const r = await sendRaw(port, `POST ${c.path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${length}\r\n\r\n`, SIZE, c.chunked);
      assert.equal(r.error, undefined, `the connection failed: ${r.error}`);
      assert.ok(r.sent, 'the whole body was taken');
      assert.match(r.answer, /^HTTP\/1\.1 413 /);
      assert.match(r.answer, /\r\nconnection: close\r\n/i);
      assert.match(r.answer, /"reason":"RequestEntityTooLarge"/);
    });
  }
});
