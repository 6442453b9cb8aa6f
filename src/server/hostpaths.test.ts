import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveHostPath } from './hostpaths.ts';

describe('resolveHostPath', () => {
  let root: string;
  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'kiln-hostpaths-')));
    mkdirSync(join(root, 'allowed/sub'), { recursive: true });
    writeFileSync(join(root, 'allowed/file'), 'x');
    symlinkSync('/etc', join(root, 'allowed/etc'));
    symlinkSync('sub', join(root, 'allowed/rel'));
    symlinkSync('../outside', join(root, 'allowed/up'));
    symlinkSync('/nonexistent-kiln-target/dir', join(root, 'allowed/dangling'));
    symlinkSync('loop', join(root, 'allowed/loop'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const cases: Array<{ name: string; path: string; want: string }> = [
    { name: 'an existing directory', path: 'allowed/sub', want: 'allowed/sub' },
    { name: 'missing components appended as written', path: 'allowed/new/deeper', want: 'allowed/new/deeper' },
    { name: 'a relative link inside', path: 'allowed/rel/x', want: 'allowed/sub/x' },
    { name: 'an absolute link out', path: 'allowed/etc/passwd', want: '/etc/passwd' },
    { name: 'a relative link out', path: 'allowed/up/x', want: 'outside/x' },
    { name: 'a dangling link is followed', path: 'allowed/dangling/y', want: '/nonexistent-kiln-target/dir/y' },
    { name: '.. after a link is the link target\'s parent', path: 'allowed/etc/../root', want: '/root' },
    { name: '.. back out of a missing directory onto a link', path: 'allowed/missing/../etc', want: '/etc' },
    { name: 'beneath a file', path: 'allowed/file/x', want: 'allowed/file/x' },
    { name: 'dots and slashes', path: 'allowed//./sub/.', want: 'allowed/sub' },
  ];
  for (const c of cases) {
    // concatenated, not join()ed: join would normalise the `..` away
    it(c.name, () => assert.equal(resolveHostPath(`${root}/${c.path}`), c.want.startsWith('/') ? c.want : join(root, c.want)));
  }
  it('a link loop throws ELOOP', () => assert.throws(() => resolveHostPath(join(root, 'allowed/loop/x')), /ELOOP/));
  it('/ is /', () => assert.equal(resolveHostPath('/'), '/'));
});
