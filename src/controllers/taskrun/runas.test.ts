import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAsOf } from './runas.ts';

const at = 'spec.taskSpec.steps[0]';

test('runAs: the container over the podTemplate, each id on its own; nothing asked → nothing', () => {
  const cases: Array<[string, unknown, unknown, unknown]> = [
    ['nothing', undefined, undefined, undefined],
    ['privileged only', { privileged: false }, undefined, undefined],
    ['container uid', { runAsUser: 1000 }, undefined, { uid: 1000 }],
    ['pod uid and group', undefined, { runAsUser: 5, runAsGroup: 6 }, { uid: 5, gid: 6 }],
    ['container uid over pod, pod group kept', { runAsUser: 7 }, { runAsUser: 5, runAsGroup: 6 }, { uid: 7, gid: 6 }],
    ['root asked', { runAsUser: 0, runAsGroup: 0 }, undefined, { uid: 0, gid: 0 }],
    ['non-root without a uid', { runAsNonRoot: true }, undefined, { nonRoot: true }],
    ['pod non-root, container uid', { runAsUser: 65532 }, { runAsNonRoot: true }, { uid: 65532, nonRoot: true }],
    ['runAsNonRoot false', { runAsNonRoot: false }, undefined, undefined],
  ];
  for (const [name, c, p, want] of cases) {
    const r = runAsOf(c, p, at);
    assert.deepEqual(r.problems, [], name);
    assert.deepEqual(r.runAs, want, name);
  }
});

test('runAs: bad ids and root under runAsNonRoot are problems naming the field', () => {
  const cases: Array<[unknown, unknown, string]> = [
    [{ runAsUser: -1 }, undefined, `${at}.securityContext.runAsUser: must be an integer between 0 and 2147483647, not -1`],
    [{ runAsGroup: '1000' }, undefined, `${at}.securityContext.runAsGroup: must be an integer between 0 and 2147483647, not "1000"`],
    [undefined, { runAsUser: 1.5 }, 'spec.podTemplate.securityContext.runAsUser: must be an integer between 0 and 2147483647, not 1.5'],
    [{ runAsUser: 2147483648 }, undefined, `${at}.securityContext.runAsUser: must be an integer between 0 and 2147483647, not 2147483648`],
    [{ runAsUser: 0, runAsNonRoot: true }, undefined, `${at}.securityContext.runAsNonRoot: runAsUser is 0 (root), which runAsNonRoot forbids`],
    [{ runAsUser: 0 }, { runAsNonRoot: true }, 'spec.podTemplate.securityContext.runAsNonRoot: runAsUser is 0 (root), which runAsNonRoot forbids'],
    [{ runAsNonRoot: 'yes' }, undefined, `${at}.securityContext.runAsNonRoot: must be true or false, not "yes"`],
  ];
  for (const [c, p, want] of cases) assert.deepEqual(runAsOf(c, p, at).problems, [want], want);
});
