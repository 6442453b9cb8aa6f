import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, EXIT } from './exit.ts';
import { gitResolverConfig } from './git-resolver-config.ts';
import { runCli } from './main.ts';

test('--git-resolver-config: Tekton\'s ConfigMap keys as KEY=VALUE; anything else is refused naming the flag', () => {
  assert.equal(gitResolverConfig([]), undefined);
  assert.deepEqual(gitResolverConfig(['scm-type=gitlab', 'server-url=https://gitlab.corp', 'api-token-secret-name=scm', 'default-org=team']), {
    'scm-type': 'gitlab', 'server-url': 'https://gitlab.corp', 'api-token-secret-name': 'scm', 'default-org': 'team',
  });
  // a configKey's own configuration, and the fetch timeout
  assert.deepEqual(gitResolverConfig(['fetch-timeout=30s', 'corp.scm-type=gitlab', 'corp.fetch-timeout=1m', 'corp.default-url=https://git.corp/catalog.git']), {
    'fetch-timeout': '30s', 'corp.scm-type': 'gitlab', 'corp.fetch-timeout': '1m', 'corp.default-url': 'https://git.corp/catalog.git',
  });
  for (const bad of ['scm-type', 'token=x', '=github', 'a.b.scm-type=github', '.scm-type=github']) {
    assert.throws(() => gitResolverConfig([bad]), (e: unknown) => e instanceof CliError && e.message.startsWith(`--git-resolver-config ${bad}: expected KEY=VALUE with KEY one of fetch-timeout, default-url, default-revision, scm-type`), bad);
  }
  for (const bad of ['fetch-timeout=soon', 'corp.fetch-timeout=0s', 'fetch-timeout=-1m']) {
    assert.throws(() => gitResolverConfig([bad]), (e: unknown) => e instanceof CliError && /is not a positive duration/.test(e.message), bad);
  }
});

test('kiln serve --git-resolver-config reaches the server\'s options; a wrong key exits as invalid input before serving', async () => {
  const seen: Array<Record<string, string> | undefined> = [];
  const err: string[] = [];
  const deps = {
    local: () => Promise.reject(new Error('unused')),
    serve: async (o: { gitResolverConfig?: Record<string, string> }) => (seen.push(o.gitResolverConfig), 0),
    writers: { out: () => {}, err: (s: string) => err.push(s) },
    env: {},
  };
  const base = ['serve', '--insecure-loopback-only', '--data-dir', '/nonexistent'];
  assert.equal(await runCli([...base, '--git-resolver-config', 'scm-type=gitlab', '--git-resolver-config', 'api-token-secret-name=scm'], deps), 0);
  assert.deepEqual(seen, [{ 'scm-type': 'gitlab', 'api-token-secret-name': 'scm' }]);
  assert.equal(await runCli([...base, '--git-resolver-config', 'token=x'], deps), EXIT.invalid);
  assert.equal(seen.length, 1);
  assert.match(err.join('\n'), /--git-resolver-config token=x: expected KEY=VALUE/);
});
