// End-to-end: lists on a real `kiln serve` — the real kubectl pages them (--chunk-size, continue
// tokens), kiln's CLI reads every page, and 1,000 concurrent lists of a namespace holding a 3 MB
// object neither stop /healthz answering nor make the server's memory grow with the number of lists.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { promisify } from 'node:util';
import { kiln, tempDir } from './helpers.ts';
import { api, startServe, type Served } from './serve-helpers.ts';

const run = promisify(execFile);
const servers: Served[] = [];
after(async () => { for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL'); });

const configMap = (namespace: string, name: string, data: Record<string, string> = { k: 'v' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });

/** Creates `names` in `namespace`, a few requests at a time. */
async function createMany(s: Served, namespace: string, names: string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 16) {
    await Promise.all(names.slice(i, i + 16).map(async (n) => {
      const r = await api(s, 'POST', `/api/v1/namespaces/${namespace}/configmaps`, configMap(namespace, n));
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }));
  }
}

/** A process's resident set (VmRSS) and its peak (VmHWM), in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

describe('kubectl and the kiln CLI page lists', { skip: existsSync('/usr/bin/kubectl') ? false : 'kubectl is not installed' }, () => {
  it('kubectl --chunk-size pages with limit and continue; its default (500) and kiln get read 1,001 objects whole', async () => {
    const dataDir = tempDir('kiln-paging-');
    const s = await startServe(dataDir);
    servers.push(s);
    const kubectl = async (args: string[]) => run('kubectl', ['--server', s.url, ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig', HOME: dataDir } });

    const seven = ['g', 'c', 'a', 'e', 'b', 'f', 'd'];
    await createMany(s, 'few', seven);
    const paged = await kubectl(['get', 'configmaps', '-n', 'few', '--chunk-size=3', '-o', 'name', '-v=6']);
    assert.deepEqual(paged.stdout.trim().split('\n'), [...seven].sort().map((n) => `configmap/${n}`));
    const gets = paged.stderr.split('\n').filter((l) => /GET http\S+\/namespaces\/few\/configmaps\?/.test(l));
    assert.equal(gets.length, 3, paged.stderr);
    assert.match(gets[0], /\?limit=3 200 OK/);
    assert.match(gets[1], /\?continue=[A-Za-z0-9_-]+&limit=3 200 OK/);
    assert.match(gets[2], /\?continue=[A-Za-z0-9_-]+&limit=3 200 OK/);
    // the table kubectl prints by default, paged
    const table = await kubectl(['get', 'configmaps', '-n', 'few', '--chunk-size=2']);
    assert.deepEqual(table.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), [...seven].sort());

    const many = Array.from({ length: 1001 }, (_, i) => `cm-${String(i).padStart(4, '0')}`);
    await createMany(s, 'many', many);
    const all = await kubectl(['get', 'configmaps', '-n', 'many', '-o', 'name', '-v=6']);
    assert.deepEqual(all.stdout.trim().split('\n'), many.map((n) => `configmap/${n}`));
    assert.equal(all.stderr.split('\n').filter((l) => /GET http\S+\/namespaces\/many\/configmaps\?\S*limit=500 200 OK/.test(l)).length, 3);
    const cli = await kiln(['get', 'configmaps', '-n', 'many'], { env: { KILN_HOME: dataDir } });
    assert.equal(cli.code, 0, cli.stderr);
    const names = cli.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
    assert.deepEqual(names.sort(), many, 'every object once (kiln get prints the newest first)');
  });
});

describe('many concurrent lists of a large object', () => {
  // ~3 GB of response bodies: a minute of CPU on a quiet 2-core machine, more when it is shared
  it('1,000 lists of a namespace holding a 3 MB ConfigMap: /healthz answers meanwhile, memory stays bounded', { timeout: 400_000 }, async () => {
    const dataDir = tempDir('kiln-lists-');
    const s = await startServe(dataDir);
    servers.push(s);
    const pid = s.child.pid!;
    const big = 'x'.repeat(2_900_000); // a body under the 3 MiB request limit
    const made = await api(s, 'POST', '/api/v1/namespaces/big/configmaps', configMap('big', 'large', { v: big }));
    assert.equal(made.status, 201);
    await createMany(s, 'big', ['small-1', 'small-2']);
    const base = memoryOf(pid);

    const lists = 1000;
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const url = new URL(`${s.url}/api/v1/namespaces/big/configmaps`);
    let done = 0;
    let peakRss = base.rss;
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, memoryOf(pid).rss); }, 50);
    let firstResponse!: () => void;
    const started = new Promise<void>((r) => { firstResponse = r; });
    const sizes: number[] = [];
    const all = Array.from({ length: lists }, () => new Promise<void>((resolve, reject) => {
      const req = request(url, { agent }, (res) => {
        firstResponse();
        let bytes = 0;
        res.on('data', (c: Buffer) => { bytes += c.length; });
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`list answered ${res.statusCode}`));
          sizes.push(bytes);
          done++;
          resolve();
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    }));
    try {
      await started; // lists are being answered: now ask for /healthz
      const t0 = Date.now();
      const health = await fetch(`${s.url}/healthz`, { signal: AbortSignal.timeout(60_000) });
      const healthMs = Date.now() - t0;
      const doneAtHealth = done;
      assert.equal(health.status, 200);
      assert.equal(await health.text(), 'ok');
      await Promise.all(all);
      const after = memoryOf(pid);
      console.log(`1,000 concurrent lists of a 2.9 MB ConfigMap: /healthz answered in ${healthMs} ms with ${doneAtHealth} lists done; ` +
        `server RSS ${base.rss.toFixed(0)} MiB before, peak sampled ${peakRss.toFixed(0)} MiB, VmHWM ${after.peak.toFixed(0)} MiB, ${after.rss.toFixed(0)} MiB after`);
      assert.ok(doneAtHealth < lists, '/healthz was asked while lists were still being answered');
      assert.ok(healthMs < 5000, `/healthz took ${healthMs} ms while lists ran`);
      // every list came whole
      assert.equal(new Set(sizes).size, 1, `list sizes: ${[...new Set(sizes)].join(', ')}`);
      assert.ok(sizes[0] > big.length);
      // 1,000 lists of 2.9 MB is 2.9 GB: the server holds a bounded number of them at once
      assert.ok(after.peak - base.rss < 768, `the server's peak RSS grew by ${(after.peak - base.rss).toFixed(0)} MiB`);
      const last = await api(s, 'GET', '/api/v1/namespaces/big/configmaps');
      assert.deepEqual(last.json.items.map((o: { metadata: { name: string } }) => o.metadata.name), ['large', 'small-1', 'small-2']);
    } finally {
      clearInterval(sampler);
      agent.destroy();
    }
  });
});
