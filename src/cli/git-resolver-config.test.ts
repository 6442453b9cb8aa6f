import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from './exit.ts';
import { gitResolverConfig } from './git-resolver-config.ts';

test('--git-resolver-config: Tekton\'s ConfigMap keys as KEY=VALUE; anything else is refused naming the flag', () => {
  assert.equal(gitResolverConfig([]), undefined);
  assert.deepEqual(gitResolverConfig(['scm-type=gitlab', 'server-url=https://gitlab.corp', 'api-token-secret-name=scm', 'default-org=team']), {
    'scm-type': 'gitlab', 'server-url': 'https://gitlab.corp', 'api-token-secret-name': 'scm', 'default-org': 'team',
  });
  for (const bad of ['scm-type', 'fetch-timeout=1m', '=github']) {
    assert.throws(() => gitResolverConfig([bad]), (e: unknown) => e instanceof CliError && e.message.startsWith(`--git-resolver-config ${bad}: expected KEY=VALUE with KEY one of default-revision, scm-type`), bad);
  }
});
