import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, type OutputFilter } from './spawn.ts';

const dir = mkdtempSync(join(tmpdir(), 'kiln-spawn-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Replaces "ab" by "**" even when the two letters arrive in different chunks. */
function abFilter(): OutputFilter {
  let carry = Buffer.alloc(0);
  return {
    write(chunk) {
      const text = Buffer.concat([carry, chunk]).toString('latin1').replaceAll('ab', '**');
      const keep = text.endsWith('a') ? 1 : 0;
      carry = Buffer.from(text.slice(text.length - keep), 'latin1');
      return Buffer.from(text.slice(0, text.length - keep), 'latin1');
    },
    end: () => carry,
  };
}

test('every byte of stdout and stderr goes through the filter, across writes', async () => {
  const log = join(dir, 'filter.log');
  const p = await startProcess({ argv: ['sh', '-c', 'printf xa; sleep 0.05; printf by; printf ab >&2; printf a'], env: { PATH: '/usr/bin:/bin' }, logFile: log, filter: abFilter });
  assert.equal((await p.exited).code, 0);
  const text = readFileSync(log, 'utf8');
  assert.equal(text.length, 7);
  assert.ok(!text.includes('ab'), text);
  assert.equal(text.replaceAll('*', '').split('').sort().join(''), 'axy'.split('').sort().join(''));
});

test('extra descriptors are inherited as 3, 4, …', async () => {
  const file = join(dir, 'fd3.txt');
  writeFileSync(file, 'from fd 3');
  const fd = openSync(file, 'r');
  const log = join(dir, 'fd.log');
  const p = await startProcess({ argv: ['sh', '-c', 'cat <&3'], env: { PATH: '/usr/bin:/bin' }, logFile: log, fds: [fd] });
  assert.equal((await p.exited).code, 0);
  closeSync(fd);
  assert.equal(readFileSync(log, 'utf8'), 'from fd 3');
});

test('uid and gid set the process identity', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async () => {
  const log = join(dir, 'id.log');
  const p = await startProcess({ argv: ['sh', '-c', 'id -u; id -g; id -G'], env: { PATH: '/usr/bin:/bin' }, logFile: log, uid: 65534, gid: 65534 });
  assert.equal((await p.exited).code, 0);
  assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['65534', '65534', '65534']);
});
