import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { createResolution } from './framework.ts';
import { createHttpResolver, parseDigest } from './http.ts';
import type { Param } from '../api/param.types.ts';

const TASK = 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps: [{name: s, image: busybox, script: echo}]\n';
let server: Server;
let base: string;
const seen: Array<string | undefined> = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.url === '/task.yaml') return res.end(TASK);
    if (req.url === '/private.yaml') {
      if (req.headers.authorization !== `Basic ${Buffer.from('bob:s3cret').toString('base64')}`) { res.statusCode = 401; return res.end(); }
      return res.end(TASK);
    }
    if (req.url === '/big.yaml') return res.end('#'.repeat(5000));
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const secrets: Record<string, Record<string, string>> = { 'ns/creds': { password: 's3cret' } };
function resolve(params: Record<string, string>, opts: { offline?: boolean; maxBytes?: number; rewrites?: Array<{ from: string; to: string }> } = {}) {
  const http = createHttpResolver({ secretValue: async (ns, name, key) => secrets[`${ns}/${name}`]?.[key], ...opts });
  const p: Param[] = Object.entries(params).map(([name, value]) => ({ name, value }));
  return createResolution({ resolvers: { http } }).resolve({ resolver: 'http', namespace: 'ns', kind: 'Task', params: p });
}
const sha256 = createHash('sha256').update(TASK).digest('hex');

test('fetches the Task and records the content digest', async () => {
  const r = await resolve({ url: `${base}/task.yaml` });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.refSource, { uri: `${base}/task.yaml`, digest: { sha256 } });
});

test('basic auth: username + password from a Secret of the run\'s namespace; a missing Secret or a lone username fails', async () => {
  const ok = await resolve({ url: `${base}/private.yaml`, 'http-username': 'bob', 'http-password-secret': 'creds' });
  assert.ok(ok.ok, JSON.stringify(ok));
  const noAuth = await resolve({ url: `${base}/private.yaml` });
  assert.ok(!noAuth.ok && noAuth.message.endsWith('error fetching URL: status code: 401'), JSON.stringify(noAuth));
  const missing = await resolve({ url: `${base}/private.yaml`, 'http-username': 'bob', 'http-password-secret': 'nope' });
  assert.ok(!missing.ok && /secret "nope" \(key "password"\) not found in namespace "ns"/.test(missing.message));
  const lone = await resolve({ url: `${base}/private.yaml`, 'http-username': 'bob' });
  assert.ok(!lone.ok && lone.message.endsWith('http-username and http-password-secret must be given together'));
});

test('size limit, 404, digest param checked, non-http URL refused', async () => {
  const big = await resolve({ url: `${base}/big.yaml` }, { maxBytes: 1000 });
  assert.ok(!big.ok && big.message.endsWith(`${base}/big.yaml is 5000 bytes, more than the limit of 1000`), JSON.stringify(big));
  const gone = await resolve({ url: `${base}/gone.yaml` });
  assert.ok(!gone.ok && gone.message.endsWith(`requested URL '${base}/gone.yaml' is not found`));
  assert.ok((await resolve({ url: `${base}/task.yaml`, digest: `sha256:${sha256}` })).ok);
  const wrong = await resolve({ url: `${base}/task.yaml`, digest: `sha256:${'0'.repeat(64)}` });
  assert.ok(!wrong.ok && /content digest sha256:[0-9a-f]{64} does not match the digest param/.test(wrong.message));
  const file = await resolve({ url: 'file:///etc/passwd' });
  assert.ok(!file.ok && file.message.endsWith('url "file:///etc/passwd" must be an http or https URL'));
  assert.deepEqual(parseDigest('md5:abc'), { error: 'digest "md5:abc" must be sha256:<hex> or sha512:<hex>' });
});

test('offline: a remote URL is unsupported unless a stand-in serves it on loopback', async () => {
  const url = 'https://raw.githubusercontent.com/tektoncd/catalog/main/task.yaml';
  const off = await resolve({ url }, { offline: true });
  assert.ok(!off.ok && off.unsupported);
  const stood = await resolve({ url }, { offline: true, rewrites: [{ from: 'https://raw.githubusercontent.com/tektoncd/catalog/main/', to: `${base}/` }] });
  assert.ok(stood.ok && stood.refSource.uri === url, JSON.stringify(stood));
});
