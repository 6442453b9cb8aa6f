import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capabilityArgs, effectiveCapabilities, KUBERNETES_DEFAULT_CAPABILITIES, runsAsRoot } from './capabilities.ts';

const K8S = [...KUBERNETES_DEFAULT_CAPABILITIES].sort();
const without = (...names: string[]) => K8S.filter((n) => !names.includes(n));

test('capabilities: none by default, whatever the container asks', () => {
  assert.deepEqual(effectiveCapabilities({}, 'none', false), []);
  assert.deepEqual(effectiveCapabilities({ capabilities: { add: ['SYS_ADMIN', 'bogus'] } }, 'none', true), [], 'under none the container\'s list is not looked at');
  assert.deepEqual(capabilityArgs([]), ['--cap-drop=all']);
});

test('capabilities: kubernetes is the runtime default set without NET_RAW', () => {
  assert.deepEqual(effectiveCapabilities({}, 'kubernetes', false), K8S);
  assert.equal(K8S.length, 13);
  assert.ok(!K8S.includes('NET_RAW'));
  for (const n of ['SYS_CHROOT', 'SETUID', 'SETGID', 'NET_BIND_SERVICE', 'CHOWN']) assert.ok(K8S.includes(n), n);
  assert.deepEqual(capabilityArgs(['CHOWN', 'KILL']), ['--cap-drop=all', '--cap-add=CHOWN,KILL']);
});

test('capabilities: add and drop on top, as containerd applies them', () => {
  const rows: { name: string; add?: string[]; drop?: string[]; privileged?: boolean; want: string[] }[] = [
    { name: 'drop one', drop: ['MKNOD'], want: without('MKNOD') },
    { name: 'names in any case, with CAP_', drop: ['cap_mknod', 'Kill'], want: without('MKNOD', 'KILL') },
    { name: 'drop ALL empties', drop: ['ALL'], want: [] },
    { name: 'drop ALL, then named adds', drop: ['ALL'], add: ['NET_BIND_SERVICE'], want: ['NET_BIND_SERVICE'] },
    { name: 'a drop wins over an add of the same name', add: ['CHOWN'], drop: ['CHOWN'], want: without('CHOWN') },
    { name: 'adding one of the default set needs nothing', add: ['SETUID'], want: K8S },
    { name: 'beyond the set with --allow-privileged', add: ['NET_RAW'], privileged: true, want: [...K8S, 'NET_RAW'].sort() },
  ];
  for (const r of rows) {
    const got = effectiveCapabilities({ capabilities: { add: r.add, drop: r.drop } }, 'kubernetes', !!r.privileged);
    assert.deepEqual(got, r.want, r.name);
  }
  const all = effectiveCapabilities({ capabilities: { add: ['ALL'], drop: ['SYS_ADMIN'] } }, 'kubernetes', true);
  assert.ok(Array.isArray(all) && all.includes('SYS_MODULE') && !all.includes('SYS_ADMIN'), 'add ALL fills the set; a named drop still applies');
});

test('capabilities: refused beyond the default set without --allow-privileged, and unknown names', () => {
  assert.deepEqual(effectiveCapabilities({ capabilities: { add: ['SYS_ADMIN'] } }, 'kubernetes', false),
    { field: 'add', why: 'SYS_ADMIN is beyond the default set this executor grants (--step-capabilities kubernetes); adding it needs --allow-privileged' });
  assert.deepEqual(effectiveCapabilities({ capabilities: { add: ['ALL', 'net_admin'] } }, 'kubernetes', false),
    { field: 'add', why: 'ALL, NET_ADMIN are beyond the default set this executor grants (--step-capabilities kubernetes); adding them needs --allow-privileged' });
  assert.deepEqual(effectiveCapabilities({ capabilities: { drop: ['FLY'] } }, 'kubernetes', false), { field: 'drop', why: 'unknown capability "FLY"' });
  assert.deepEqual(effectiveCapabilities({ capabilities: { add: ['FLY'] } }, 'kubernetes', true), { field: 'add', why: 'unknown capability "FLY"' });
});

test('runsAsRoot: runAsUser first, else the image\'s USER (none is root)', () => {
  const rows: [number | undefined, string | undefined, boolean][] = [
    [undefined, undefined, true], [undefined, '', true], [undefined, 'root', true], [undefined, '0:0', true], [undefined, 'root:wheel', true],
    [undefined, '1000', false], [undefined, 'nonroot', false], [undefined, '65532:65532', false],
    [0, 'nonroot', true], [1000, 'root', false],
  ];
  for (const [uid, user, want] of rows) assert.equal(runsAsRoot(uid, user), want, `${uid} ${user}`);
});
