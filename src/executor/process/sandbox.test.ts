import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bindFor, bwrapArgs, hostPath, pathRewriter, seenAsFor, sortBinds } from './sandbox.ts';
import type { Bind } from './sandbox.ts';

const binds: Bind[] = [
  { dest: '/workspace/src/sub', src: '/d/vol/sub' },
  { dest: '/workspace', src: '/d/a/workspace' },
  { dest: '/tekton/steps', src: '/d/a/steps', readOnly: true },
  { dest: '/workspace/src', src: '/d/vol', readOnly: true },
  { dest: '/tekton/steps/step-x', src: '/d/a/steps/step-x' },
];

describe('sandbox: bwrap argv', function () {
  test('root, fresh /proc /dev /tmp, masks, /tekton, binds parents first, then the command', function () {
    const args = bwrapArgs({
      root: [{ op: 'symlink', path: '/bin', target: 'usr/bin' }, { op: 'ro-bind', path: '/usr' }, { op: 'tmpfs', path: '/etc' }],
      masks: ['/var/lib/kiln', '/root'],
      binds: binds.slice(0, 2),
      dirs: ['/src'],
      cwd: '/src',
      argv: ['sh', '-c', 'true'],
    });
    assert.deepEqual(args, [
      '--symlink', 'usr/bin', '/bin', '--ro-bind', '/usr', '/usr', '--tmpfs', '/etc',
      '--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--tmpfs', '/tmp',
      '--tmpfs', '/var/lib/kiln', '--tmpfs', '/root',
      '--dir', '/tekton',
      '--bind', '/d/a/workspace', '/workspace',
      '--bind', '/d/vol/sub', '/workspace/src/sub',
      '--perms', '1777', '--dir', '/src',
      '--chdir', '/src', '--unshare-user', '--uid', '0', '--gid', '0', '--cap-drop', 'ALL', '--unshare-pid', '--die-with-parent',
      '--unshare-ipc', '--unshare-net', '--', 'sh', '-c', 'true',
    ]);
  });

  test('kiln as root: no user namespace, the first process drops to the step user for good; a shared network is kept', function () {
    const args = bwrapArgs({
      root: [{ op: 'ro-bind', path: '/usr' }], masks: [], binds: [{ dest: '/var/lib/x/y', src: '/d/v' }], cwd: '/workspace', argv: ['true'],
      ownNetwork: false, dropTo: { uid: 65534, gid: 65534, setpriv: '/usr/bin/setpriv' },
    });
    // the attempt's network and IPC namespaces are joined (nsenter), not made per step
    assert.ok(!args.includes('--unshare-user') && !args.includes('--unshare-net') && !args.includes('--unshare-ipc'));
    // parents of a mount point outside the host's entries are made 0755, not bwrap's 0700
    assert.ok(args.join(' ').includes('--dir /tekton --dir /var --dir /var/lib --dir /var/lib/x --bind /d/v /var/lib/x/y'), args.join(' '));
    assert.deepEqual(args.slice(args.indexOf('--') + 1), [
      '/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all', '--no-new-privs', '--', 'true',
    ]);
  });

  test('sortBinds is stable by depth', function () {
    assert.deepEqual(sortBinds(binds).map((b) => b.dest), ['/workspace', '/tekton/steps', '/workspace/src', '/workspace/src/sub', '/tekton/steps/step-x']);
  });
});

describe('sandbox: path map', function () {
  test('hostPath uses the longest bound prefix', function () {
    const table: [string, string | undefined][] = [
      ['/workspace', '/d/a/workspace'],
      ['/workspace/x', '/d/a/workspace/x'],
      ['/workspace/src/f', '/d/vol/f'],
      ['/workspace/srcx', '/d/a/workspace/srcx'],
      ['/tekton/steps/step-x/exitCode', '/d/a/steps/step-x/exitCode'],
      ['/tekton/steps/0/exitCode', '/d/a/steps/0/exitCode'],
      ['/data', undefined],
      ['/workspaces', undefined],
    ];
    for (const [p, want] of table) assert.equal(hostPath(binds, p), want, p);
    assert.equal(bindFor(binds, '/workspace/src')?.readOnly, true);
  });

  test('pathRewriter rewrites prefixes at path boundaries only', function () {
    const rw = pathRewriter(binds);
    const table: { name: string; in: string; out: string }[] = [
      { name: 'plain', in: 'cat /workspace/src/f', out: 'cat /d/vol/f' },
      { name: 'quoted', in: 'echo "/workspace/x" \'/tekton/steps/0/exitCode\'', out: 'echo "/d/a/workspace/x" \'/d/a/steps/0/exitCode\'' },
      { name: 'option', in: '--dir=/workspace/src:/workspace', out: '--dir=/d/vol:/d/a/workspace' },
      { name: 'not a prefix', in: '$HOME/workspace /workspaces /x/workspace', out: '$HOME/workspace /workspaces /x/workspace' },
      { name: 'longest', in: '/workspace/src/sub/a /workspace/srcx', out: '/d/vol/sub/a /d/a/workspace/srcx' },
      { name: 'no slash', in: 'echo hi', out: 'echo hi' },
    ];
    for (const c of table) assert.equal(rw(c.in), c.out, c.name);
  });
});

describe('sandbox: binds by descriptor', function () {
  test('a bind with an fd is bound with --bind-fd / --ro-bind-fd, never by its path', function () {
    const args = bwrapArgs({
      root: [],
      masks: [],
      binds: [{ dest: '/workspace', src: '/d/a/workspace', fd: 3 }, { dest: '/tekton/steps', src: '/d/a/steps', readOnly: true, fd: 4 }, { dest: '/tekton/bin/busybox', src: '/bin/busybox', readOnly: true }],
      cwd: '/workspace',
      argv: ['true'],
    });
    const binds = args.slice(args.indexOf('/tekton') + 1, args.indexOf('--chdir'));
    assert.deepEqual(binds, ['--dir', '/tekton/bin', '--bind-fd', '3', '/workspace', '--ro-bind-fd', '4', '/tekton/steps', '--ro-bind', '/bin/busybox', '/tekton/bin/busybox']);
  });
});

describe('sandbox: the ids a container sees (securityContext runAsUser/runAsGroup/runAsNonRoot)', function () {
  test('seenAsFor: the default unless ids are asked; unset ids as the kubelet defaults them', function () {
    const cases: Array<[string, Parameters<typeof seenAsFor>[0], boolean, unknown]> = [
      ['nothing asked, kiln root', undefined, true, undefined],
      ['nothing asked, kiln a user', undefined, false, undefined],
      ['runAsNonRoot alone, kiln root: the step user already is not root', { nonRoot: true }, true, undefined],
      ['runAsNonRoot alone, kiln a user: 65534 instead of root', { nonRoot: true }, false, { uid: 65534, gid: 65534 }],
      ['uid only: gid 0', { uid: 1000 }, true, { uid: 1000, gid: 0 }],
      ['uid and gid', { uid: 1000, gid: 3000 }, false, { uid: 1000, gid: 3000 }],
      ['root asked, kiln root', { uid: 0 }, true, { uid: 0, gid: 0 }],
      ['gid only, kiln root: the step user with that group', { gid: 5 }, true, { uid: 65534, gid: 5 }],
      ['gid only, kiln a user: root with that group', { gid: 5 }, false, { uid: 0, gid: 5 }],
    ];
    for (const [name, runAs, root, want] of cases) assert.deepEqual(seenAsFor(runAs, root), want, name);
  });

  test('kiln a user: the user namespace maps the asked ids instead of root', function () {
    const args = bwrapArgs({ root: [], masks: [], binds: [], cwd: '/', argv: ['id'], seenAs: { uid: 1000, gid: 3000 } });
    assert.ok(args.join(' ').includes('--unshare-user --uid 1000 --gid 3000 --cap-drop ALL'), args.join(' '));
  });

  test('kiln root: drop to the step user, then a user namespace of its own seen as the asked ids, whose capabilities are dropped again', function () {
    const dropTo = { uid: 65534, gid: 65534, setpriv: '/usr/bin/setpriv', unshare: '/usr/bin/unshare' };
    const drop = ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all', '--no-new-privs', '--'];
    const tail = (seenAs: { uid: number; gid: number }) => {
      const args = bwrapArgs({ root: [], masks: [], binds: [], cwd: '/', argv: ['id'], dropTo, seenAs });
      return args.slice(args.indexOf('--') + 1);
    };
    const again = ['/usr/bin/setpriv', '--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all', '--'];
    assert.deepEqual(tail({ uid: 1000, gid: 3000 }), [...drop, '/usr/bin/unshare', '--user', '--keep-caps', '--map-user=1000', '--map-group=3000', '--', ...again, 'id']);
    assert.deepEqual(tail({ uid: 0, gid: 0 }), [...drop, '/usr/bin/unshare', '--user', '--keep-caps', '--map-user=0', '--map-group=0', '--', ...again, 'id']);
  });

  test('kiln root with kiln-step-enter: it drops in setpriv\'s place (joining the namespaces it is given); the rest is unchanged', function () {
    const dropTo = { uid: 65534, gid: 65534, setpriv: '/usr/bin/setpriv', unshare: '/usr/bin/unshare', dropper: { path: '/k/build/kiln-step-enter', fd: 40 } };
    const spec = { root: [], masks: [], binds: [], cwd: '/', argv: ['id'], dropTo };
    const tail = (args: string[]) => args.slice(args.indexOf('--') + 1);
    // no descriptors given: setpriv (the dropper is used only where prepare passed it)
    assert.equal(tail(bwrapArgs(spec))[0], '/usr/bin/setpriv');
    const own = bwrapArgs({ ...spec, enter: { self: 5 } });
    assert.deepEqual(tail(own), ['/proc/self/fd/5', '--uid', '65534', '--gid', '65534', '--', 'id']);
    assert.ok(own.includes('--unshare-net'));
    const joined = bwrapArgs({ ...spec, ownNetwork: false, enter: { self: 5, net: 6, ipc: 7 } });
    assert.deepEqual(tail(joined), ['/proc/self/fd/5', '--net-fd', '6', '--ipc-fd', '7', '--uid', '65534', '--gid', '65534', '--', 'id']);
    assert.ok(!joined.includes('--unshare-net') && !joined.includes('--unshare-ipc'));
    const again = ['/usr/bin/setpriv', '--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all', '--'];
    assert.deepEqual(tail(bwrapArgs({ ...spec, enter: { self: 5 }, seenAs: { uid: 0, gid: 0 } })),
      ['/proc/self/fd/5', '--uid', '65534', '--gid', '65534', '--', '/usr/bin/unshare', '--user', '--keep-caps', '--map-user=0', '--map-group=0', '--', ...again, 'id']);
  });
});
