// kill -9 of a kiln running a podman attempt leaves its pod and containers running; the next
// podman executor on the same data directory removes them (and nothing of another data directory).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABEL_DATA_DIR } from './args.ts';
import { podmanRun, podmanWith } from './cli.ts';
import { createPodmanExecutor } from './executor.ts';
import { dataDirKey } from './sweep.ts';
import { ensureBusyboxImage, podmanTestHost } from './testimage.ts';

const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-podman-sweep-test-'));
after(() => rmSync(base, { recursive: true, force: true }));
const podman = podmanWith(base);
const HOST = podmanTestHost(base);
const SKIP = HOST.skip;
const BUSYBOX = HOST.busybox;

/** Names of the pods and containers labelled with data directory `dir`. */
async function labelled(dir: string): Promise<string> {
  const filter = `label=${LABEL_DATA_DIR}=${dataDirKey(dir)}`;
  const [c, p] = await Promise.all([
    podmanRun(podman, ['ps', '-a', '--filter', filter, '--format', '{{.Names}}']),
    podmanRun(podman, ['pod', 'ps', '--filter', filter, '--format', '{{.Name}}']),
  ]);
  return (c.stdout + p.stdout).trim();
}

describe('podman executor: leftovers of a kiln killed with SIGKILL', { skip: SKIP }, () => {
  test('the next executor on the same data directory removes them before its first pod', async () => {
    ensureBusyboxImage(podman, BUSYBOX!, ['docker.io/library/busybox:latest', 'localhost/kiln-test/busybox:latest']);
    const dataDir = join(base, 'kiln');
    mkdirSync(dataDir);
    const script = join(base, 'crashing.ts');
    // a kiln that starts an attempt whose step sleeps, says so once the step runs, and waits to be killed
    writeFileSync(script, `
import { createPodmanExecutor } from ${JSON.stringify(join(import.meta.dirname, 'executor.ts'))};
const ex = createPodmanExecutor({ dataDir: ${JSON.stringify(dataDir)}, network: 'none' });
const plan = { id: 'ns/lost/0', namespace: 'ns', taskRunName: 'lost', taskRunUid: 'u1', steps: [{ name: 'a', containerName: 'step-a', image: 'docker.io/library/busybox:latest', env: [], mounts: [], command: ['sleep', '600'] }], sidecars: [], volumes: [], results: [] };
const h = ex.start(plan, () => { if (h?.snapshot().steps[0].phase === 'running') console.log('running'); });
setInterval(() => {}, 1000);
`);
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('running') && resolve());
      child.once('exit', (code) => reject(new Error(`the crashing kiln exited with ${code}`)));
    });
    // the step's container exists a moment after its phase says running
    let seen = '';
    for (let i = 0; i < 100 && !seen.includes('step-a'); i++) {
      seen = await labelled(dataDir);
      if (!seen.includes('step-a')) await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.match(seen, /step-a/);
    assert.match(await labelled(dataDir), /step-a/, 'kill -9 left the container running');

    const ex = createPodmanExecutor({ dataDir, network: 'none' });
    const plan = { id: 'ns/next/0', namespace: 'ns', taskRunName: 'next', taskRunUid: 'u2', steps: [{ name: 'a', containerName: 'step-a', image: 'docker.io/library/busybox:latest', env: [], mounts: [], command: ['true'] }], sidecars: [], volumes: [], results: [] };
    const snap = await ex.start(plan, () => {}).done;
    assert.deepEqual(snap.outcome, { status: 'succeeded' });
    assert.equal(await labelled(dataDir), '', 'the lost attempt\'s pod and container are gone');
    await ex.close();
  });
});
