import { after, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, fstatSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { closeSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BeneathError, LINK_REFUSED, TrustedDirs, appendBeneath, bindSourceBeneath, mkdirBeneath, mkdirsBeneath,
  openDirBeneath, readAllBeneath, readBeneath, refusal, writeBeneath,
} from './beneath.ts';
import type { Dir } from './beneath.ts';

const top = mkdtempSync(join(tmpdir(), 'kiln-beneath-'));
after(() => rmSync(top, { recursive: true, force: true }));

// root/ is the trusted directory; host/ stands for what a link could point at
let root: string;
let host: string;
let trusted: TrustedDirs;
let at: Dir;
let n = 0;
beforeEach(() => {
  trusted?.close();
  root = join(top, `root${n}`);
  host = join(top, `host${n++}`);
  mkdirSync(join(root, 'd', 'e'), { recursive: true });
  mkdirSync(host);
  writeFileSync(join(host, 'f'), 'host');
  writeFileSync(join(root, 'd', 'file'), 'mine');
  symlinkSync(host, join(root, 'd', 'dirlink'));
  symlinkSync(join(host, 'f'), join(root, 'd', 'filelink'));
  execFileSync('mkfifo', [join(root, 'd', 'fifo')]);
  trusted = new TrustedDirs();
  at = trusted.dir(root, '/w');
});

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Runs `fn`, expecting a BeneathError about `path` with `why`. */
function refused(fn: () => unknown, path: string, why: string | RegExp = LINK_REFUSED): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BeneathError, String(e));
    assert.equal(e.path, path);
    if (typeof why === 'string') assert.equal(e.why, why);
    else assert.match(e.why, why);
    return true;
  });
}

async function refusedAsync(p: Promise<unknown>, path: string, why: string = LINK_REFUSED): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof BeneathError && e.path === path && e.why === why);
}

function hostUntouched(): void {
  assert.deepEqual(readdirSync(host), ['f']);
  assert.equal(readFileSync(join(host, 'f'), 'utf8'), 'host');
}

describe('beneath: directories', function () {
  const links = [
    { name: 'a link as the last component', rel: 'd/dirlink', path: '/w/d/dirlink' },
    { name: 'a link in the middle', rel: 'd/dirlink/x', path: '/w/d/dirlink' },
    { name: 'a file link', rel: 'd/filelink', path: '/w/d/filelink' },
  ];
  for (const c of links) {
    test(`openDirBeneath and mkdirBeneath refuse ${c.name}`, function () {
      refused(() => openDirBeneath(at, c.rel), c.path);
      refused(() => mkdirBeneath(at, c.rel), c.path);
      refused(() => mkdirsBeneath(at, [c.rel]), c.path);
      refused(() => bindSourceBeneath(at, c.rel), c.path);
      hostUntouched();
    });
  }

  test('.. is refused, . and empty components are ignored', function () {
    refused(() => openDirBeneath(at, 'd/../..'), '/w/d/..', 'leaves its directory (..)');
    const fd = openDirBeneath(at, './d//e/');
    assert.ok(fstatSync(fd).isDirectory());
    closeSync(fd);
  });

  test('a file where a directory is expected', function () {
    refused(() => openDirBeneath(at, 'd/file/x'), '/w/d/file', 'is not a directory');
  });

  test('mkdirBeneath and mkdirsBeneath create missing directories, parents first', function () {
    mkdirBeneath(at, 'a/b/c');
    mkdirsBeneath(at, ['x', 'x/y', 'x/y/z', 'x/w', 'd/e']);
    for (const d of ['a/b/c', 'x/y/z', 'x/w']) assert.ok(lstatSync(join(root, d)).isDirectory(), d);
  });

  test('bindSourceBeneath: a directory (created when missing) or a regular file, nothing else', function () {
    for (const rel of ['d/e', 'new/sub', '']) {
      const fd = bindSourceBeneath(at, rel);
      assert.ok(fstatSync(fd).isDirectory(), rel);
      closeSync(fd);
    }
    const fd = bindSourceBeneath(at, 'd/file');
    assert.ok(fstatSync(fd).isFile());
    closeSync(fd);
    refused(() => bindSourceBeneath(at, 'd/fifo'), '/w/d/fifo', 'is not a regular file');
  });
});

describe('beneath: files', function () {
  test('appendBeneath creates parents and the file, appends; refuses links and FIFOs without blocking', function () {
    for (const text of ['a', 'b']) {
      const fd = appendBeneath(at, 'new/dir/out.txt');
      writeSync(fd, text);
      closeSync(fd);
    }
    assert.equal(readFileSync(join(root, 'new/dir/out.txt'), 'utf8'), 'ab');
    refused(() => appendBeneath(at, 'd/filelink'), '/w/d/filelink');
    refused(() => appendBeneath(at, 'd/dirlink/out.txt'), '/w/d/dirlink');
    refused(() => appendBeneath(at, 'd/fifo'), '/w/d/fifo', 'is not a regular file');
    hostUntouched();
  });

  test('writeBeneath replaces the content; refuses links (also dangling ones) and directories', function () {
    writeBeneath(at, 'd/file', 'x');
    writeBeneath(at, 'd/new', 'yz', 0o600);
    assert.equal(readFileSync(join(root, 'd/file'), 'utf8'), 'x');
    assert.equal(lstatSync(join(root, 'd/new')).mode & 0o777, 0o600);
    symlinkSync(join(host, 'missing'), join(root, 'd', 'dangling'));
    refused(() => writeBeneath(at, 'd/filelink', 'pwned'), '/w/d/filelink');
    refused(() => writeBeneath(at, 'd/dangling', 'pwned'), '/w/d/dangling');
    refused(() => writeBeneath(at, 'd/e', 'pwned'), '/w/d/e', 'is a directory');
    refused(() => writeBeneath(at, 'missing/f', 'x'), '/w/missing', 'does not exist');
    assert.ok(!existsSync(join(host, 'missing')));
    hostUntouched();
  });

  test('readBeneath: the text, undefined when missing, refused through a link or from a FIFO', async function () {
    assert.equal(await readBeneath(at, 'd/file'), 'mine');
    assert.equal(await readBeneath(at, 'd/none'), undefined);
    assert.equal(await readBeneath(at, 'none/x'), undefined);
    await refusedAsync(readBeneath(at, 'd/filelink'), '/w/d/filelink');
    await refusedAsync(readBeneath(at, 'd/dirlink/f'), '/w/d/dirlink');
    await refusedAsync(readBeneath(at, 'd/fifo'), '/w/d/fifo', 'is not a regular file');
  });

  test('readAllBeneath: every regular file; directories and FIFOs skipped; a link refused; {} when missing', async function () {
    mkdirSync(join(root, 'r'));
    writeFileSync(join(root, 'r', 'b'), '2');
    writeFileSync(join(root, 'r', 'a'), '1');
    mkdirSync(join(root, 'r', 'sub'));
    execFileSync('mkfifo', [join(root, 'r', 'pipe')]);
    assert.deepEqual(await readAllBeneath(at, 'r'), { a: '1', b: '2' });
    assert.deepEqual(await readAllBeneath(at, 'nothing'), {});
    symlinkSync(join(host, 'f'), join(root, 'r', 'c'));
    await refusedAsync(readAllBeneath(at, 'r'), '/w/r/c');
    await refusedAsync(readAllBeneath(at, 'd/dirlink'), '/w/d/dirlink');
  });

  test('no descriptor is left open, on success or refusal', async function () {
    const before = openFds();
    for (const fn of [
      () => openDirBeneath(at, 'd/dirlink/x'), () => mkdirBeneath(at, 'd/dirlink'), () => mkdirsBeneath(at, ['q', 'q/r', 'd/filelink']),
      () => appendBeneath(at, 'd/fifo'), () => writeBeneath(at, 'd/filelink', 'x'), () => bindSourceBeneath(at, 'd/fifo'),
      () => writeBeneath(at, 'd/file', 'x'), () => mkdirsBeneath(at, ['s', 's/t']),
    ]) {
      try {
        fn();
      } catch {
        // refusals are what this test is about
      }
    }
    await readAllBeneath(at, 'd').catch(() => undefined);
    await readBeneath(at, 'd/file');
    assert.equal(openFds(), before);
  });
});

describe('beneath: messages and trusted directories', function () {
  test('refusal names the component only when it is not the whole path', function () {
    const table = [
      { name: 'whole', e: new BeneathError('/w/out.txt', LINK_REFUSED), want: `stdoutConfig.path /w/out.txt: ${LINK_REFUSED}` },
      { name: 'component', e: new BeneathError('/w/d', LINK_REFUSED), want: `stdoutConfig.path /w/out.txt: /w/d ${LINK_REFUSED}` },
      { name: 'other error', e: new Error('boom'), want: 'stdoutConfig.path /w/out.txt: boom' },
    ];
    for (const c of table) assert.equal(refusal('stdoutConfig.path /w/out.txt', '/w/out.txt', c.e), c.want, c.name);
  });

  test('TrustedDirs opens each path once (following links: they are configuration) and closes all', function () {
    const before = openFds();
    const t = new TrustedDirs();
    symlinkSync(root, join(top, `trusted-link${n}`));
    assert.equal(t.dir(root, 'a').fd, t.dir(root, 'b').fd);
    const viaLink = t.dir(join(top, `trusted-link${n}`), '');
    assert.ok(fstatSync(viaLink.fd).isDirectory());
    assert.throws(() => t.dir(join(top, 'missing'), ''), BeneathError);
    const kept = t.kept(root, 'd/e');
    assert.equal(t.kept(root, 'd/e'), kept);
    assert.ok(fstatSync(kept).isDirectory());
    refused(() => t.kept(root, 'd/dirlink'), 'd/dirlink');
    t.close();
    assert.equal(openFds(), before);
  });
});
