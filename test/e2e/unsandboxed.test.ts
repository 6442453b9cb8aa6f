// End-to-end: `kiln serve` where steps cannot be sandboxed (no bwrap on its PATH) refuses to start,
// saying why and what to do; with --allow-unsandboxed it serves and says it is unsandboxed.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { kiln, tempDir } from './helpers.ts';
import { startServe, type Served } from './serve-helpers.ts';

// a PATH holding node only: no bwrap (nor anything else) to be found there
const NODE_ONLY = { PATH: dirname(process.execPath) };

const servers: Served[] = [];
after(async () => { for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL'); });

describe('kiln serve without a sandbox', () => {
  it('refuses to serve (exit 1), naming what is missing and the flag', async () => {
    const r = await kiln(['serve', '--insecure-loopback-only', '--port', '0', '--data-dir', tempDir('kiln-nosandbox-')], { env: NODE_ONLY, timeoutMs: 30_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /error: bwrap not found \(Debian package bubblewrap\): steps would run on the host/);
    assert.match(r.stderr, /--allow-unsandboxed/);
    assert.doesNotMatch(r.stderr, /kiln serving on/);
  });

  it('--allow-unsandboxed serves', async () => {
    const prev = process.env.PATH;
    process.env.PATH = NODE_ONLY.PATH; // startServe spawns with this process's environment, at once
    const started = startServe(tempDir('kiln-nosandbox-'), ['--insecure-loopback-only', '--allow-unsandboxed']);
    process.env.PATH = prev;
    const s = await started;
    servers.push(s);
    const res = await fetch(`${s.url}/healthz`);
    assert.equal(res.status, 200);
  });
});
