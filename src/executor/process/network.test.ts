// One network per attempt: steps reach their own sidecars on localhost, never another attempt's;
// outside access through the user-mode network, none with network 'none'; never the host's loopback.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlan, suitePlan, suiteStep } from '../suite.ts';
import { createProcessExecutor } from './executor.ts';
import { createWhich } from './host.ts';

const which = createWhich();
const SKIP = !which('bwrap', process.env.PATH) ? 'bubblewrap (bwrap) is not installed'
  : !which('busybox', process.env.PATH) ? 'busybox is not installed'
  : !which('slirp4netns', process.env.PATH) ? 'slirp4netns is not installed' : false;

const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-network-test-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const executor = (network?: 'outside' | 'none') => createProcessExecutor({ dataDir: join(base, `d${n++}`), graceMs: 500, network });

/** A plan whose sidecar serves `marker` on port 8080 and whose step fetches it from localhost. */
function withSidecar(key: string, marker: string) {
  const serve = `mkdir -p /tmp/www && echo ${marker} > /tmp/www/index.html && exec /tekton/bin/busybox httpd -f -p 127.0.0.1:8080 -h /tmp/www`;
  const probe = { command: ['/tekton/bin/busybox', 'sh', '-c', 'echo | /tekton/bin/busybox nc -w 1 127.0.0.1 8080'], periodMs: 50, failureThreshold: 100 };
  return suitePlan(key, [suiteStep('fetch', `${GET('127.0.0.1', '8080')} | tail -n 1`)], {
    sidecars: [{ ...suiteStep('web', serve), containerName: 'sidecar-web', readinessProbe: probe }],
  });
}

/** A shell pipeline printing the HTTP answer of host:port (busybox nc; its static wget crashes on some hosts). */
function GET(host: string, port: string | number): string {
  return `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /tekton/bin/busybox nc -w 3 ${host} ${port} 2>/dev/null`;
}

/** The host's first non-loopback IPv4 address, if any. */
function hostAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

function listen(host: string): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((_, res) => res.end('from-the-host\n'));
    s.listen(0, host, () => resolve(s));
  });
}

describe('process executor: one network per attempt', { skip: SKIP }, () => {
  test('two concurrent attempts whose sidecars both listen on :8080 each reach their own', async () => {
    const ex = executor();
    try {
      const [a, b] = await Promise.all([runPlan(ex, withSidecar('net-a', 'answer-a')), runPlan(ex, withSidecar('net-b', 'answer-b'))]);
      assert.deepEqual(a.snap.outcome, { status: 'succeeded' }, a.logs[0]);
      assert.deepEqual(b.snap.outcome, { status: 'succeeded' }, b.logs[0]);
      assert.equal(a.logs[0], 'answer-a\n');
      assert.equal(b.logs[0], 'answer-b\n');
    } finally {
      await ex.close();
    }
  });

  test("the host's loopback is unreachable; the host's other addresses are reachable unless network is 'none'", { skip: hostAddress() ? false : 'no non-loopback address' }, async () => {
    const local = await listen('127.0.0.1');
    const outside = await listen('0.0.0.0');
    const port = (s: Server) => (s.address() as { port: number }).port;
    const fetch = (host: string, p: number) => `if out=$(${GET(host, p)}) && [ -n "$out" ]; then echo "$out" | tail -n 1; else echo unreachable; fi`;
    const script = `${fetch('127.0.0.1', port(local))}\n${fetch(hostAddress()!, port(outside))}`;
    try {
      for (const [mode, expected] of [['outside', 'unreachable\nfrom-the-host\n'], ['none', 'unreachable\nunreachable\n']] as const) {
        const ex = executor(mode);
        try {
          const { snap, logs } = await runPlan(ex, suitePlan(`net-${mode}`, [suiteStep('a', script)]));
          assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[0]);
          assert.equal(logs[0], expected, `network ${mode}`);
        } finally {
          await ex.close();
        }
      }
    } finally {
      local.close();
      outside.close();
    }
  });
});

describe('process executor: one IPC namespace per attempt', { skip: SKIP }, () => {
  test("the steps of an attempt with its own network share one (as a pod's containers do); another attempt's and the host's differ", async () => {
    // outside access on: the attempt's namespaces are held for it (without sidecars or outside access
    // each step gets network and IPC namespaces of its own)
    const ex = executor('outside');
    try {
      const ns = 'readlink /proc/self/ns/ipc';
      const [a, b] = await Promise.all([
        runPlan(ex, suitePlan('ipc-a', [suiteStep('one', ns), suiteStep('two', ns)])),
        runPlan(ex, suitePlan('ipc-b', [suiteStep('one', ns)])),
      ]);
      assert.deepEqual(a.snap.outcome, { status: 'succeeded' }, a.logs.join(''));
      assert.deepEqual(b.snap.outcome, { status: 'succeeded' }, b.logs.join(''));
      assert.match(a.logs[0], /^ipc:\[\d+\]\n$/);
      assert.equal(a.logs[1], a.logs[0], 'the two steps of one attempt');
      assert.notEqual(b.logs[0], a.logs[0], 'another attempt');
      assert.notEqual(a.logs[0].trim(), readlinkSync('/proc/self/ns/ipc'), "the host's");
    } finally {
      await ex.close();
    }
  });
});

describe('process executor: the outside network leaves the host\'s mounts alone', { skip: SKIP || (process.getuid?.() !== 0 ? 'needs root (it mounts a shared tmpfs as podman mounts /run/netns)' : false) }, () => {
  test('a shared mount\'s submounts (as podman\'s /run/netns/netns-*) are still mounted after an attempt with outside access', async () => {
    // the pattern podman makes: a shared mount point holding one mount per network namespace
    const dir = mkdtempSync(join(base, 'shared-'));
    const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
    const made = sh(`mount -t tmpfs kiln-test ${dir} && mount --make-shared ${dir} && mkdir ${dir}/ns && mount -t tmpfs kiln-test ${dir}/ns`);
    assert.equal(made.status, 0, made.stderr);
    const mounted = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === `${dir}/ns`);
    const ex = executor('outside');
    try {
      assert.ok(mounted());
      const r = await runPlan(ex, suitePlan('net-mounts', [suiteStep('a', 'true')]));
      assert.deepEqual(r.snap.outcome, { status: 'succeeded' });
      assert.ok(mounted(), `${dir}/ns was unmounted by the attempt's network`);
    } finally {
      await ex.close();
      sh(`umount ${dir}/ns; umount ${dir}`);
    }
  });
});
