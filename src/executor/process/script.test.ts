import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseShebang, scriptArgv, scriptText } from './script.ts';
import { goDuration } from './attempt.ts';

describe('scripts', function () {
  test('a script without a shebang gets #!/bin/sh + set -e', function () {
    assert.equal(scriptText('echo hi\n'), '#!/bin/sh\nset -e\necho hi\n');
    assert.equal(scriptText('\n  #!/bin/bash\necho hi'), '#!/bin/bash\necho hi');
  });

  test('shebangs', function () {
    assert.deepEqual(parseShebang('#!/bin/sh\n'), { interpreter: '/bin/sh', arg: undefined, program: 'sh' });
    assert.deepEqual(parseShebang('#!/usr/bin/env python3\nprint(1)'), { interpreter: '/usr/bin/env', arg: 'python3', program: 'python3' });
    assert.deepEqual(parseShebang('#!/usr/bin/env -S bash -e\n'), { interpreter: '/usr/bin/env', arg: '-S bash -e', program: 'bash' });
    assert.deepEqual(parseShebang('#!/bin/bash -x'), { interpreter: '/bin/bash', arg: '-x', program: 'bash' });
    assert.equal(parseShebang('echo'), undefined);
  });

  test('sh-family scripts run under busybox sh when there is one; others are exec’d', function () {
    const table: { name: string; text: string; busybox?: string; want: string[] }[] = [
      { name: 'default preamble', text: scriptText('echo'), busybox: '/bb', want: ['/bb', 'sh', '/s', 'a'] },
      { name: 'ash with an option', text: '#!/bin/ash -x\n', busybox: '/bb', want: ['/bb', 'sh', '-x', '/s', 'a'] },
      { name: 'env sh', text: '#!/usr/bin/env sh\n', busybox: '/bb', want: ['/bb', 'sh', '/s', 'a'] },
      { name: 'no busybox', text: '#!/bin/sh\n', want: ['/s', 'a'] },
      { name: 'bash', text: '#!/bin/bash\n', busybox: '/bb', want: ['/s', 'a'] },
      { name: 'python', text: '#!/usr/bin/env python3\n', busybox: '/bb', want: ['/s', 'a'] },
    ];
    for (const c of table) assert.deepEqual(scriptArgv(c.text, '/s', ['a'], c.busybox), c.want, c.name);
  });

  test('Go duration strings for timeout messages', function () {
    const table: [number, string][] = [[0, '0s'], [500, '500ms'], [1000, '1s'], [1500, '1.5s'], [90_000, '1m30s'], [3_600_000, '1h0m0s'], [3_723_000, '1h2m3s']];
    for (const [ms, want] of table) assert.equal(goDuration(ms), want, String(ms));
  });
});
