import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basicGitFiles, escapeUserinfo, splitHostPort, sshGitFiles, withUserinfo } from './creds.git.ts';

describe('basic-auth git credentials', () => {
  test('.gitconfig: the store helper, then a username per URL in order; .git-credentials: one URL per line', () => {
    const files = basicGitFiles([
      { secret: 'a', url: 'https://github.com', username: 'user1', password: 'pass1' },
      { secret: 'b', url: 'https://url2.com/org', username: 'do\\main', password: 'p@ss:w/rd' },
    ]);
    assert.equal(files['.gitconfig'], '[credential]\n\thelper = store\n[credential "https://github.com"]\n\tusername = user1\n[credential "https://url2.com/org"]\n\tusername = do\\\\main\n');
    assert.equal(files['.git-credentials'], 'https://user1:pass1@github.com\nhttps://do%5Cmain:p%40ss%3Aw%2Frd@url2.com/org\n');
  });
  test('no entries: no files', () => assert.deepEqual(basicGitFiles([]), {}));

  const cases = [
    { name: 'plain', url: 'https://h.io', want: 'https://u:p@h.io' },
    { name: 'a port and a path', url: 'http://127.0.0.1:8080/repo.git', want: 'http://u:p@127.0.0.1:8080/repo.git' },
    { name: 'userinfo already there is replaced', url: 'https://old@h.io/x', want: 'https://u:p@h.io/x' },
    { name: 'no scheme', url: 'h.io', want: '//u:p@h.io' },
  ];
  for (const c of cases) test(`userinfo: ${c.name}`, () => assert.equal(withUserinfo(c.url, 'u', 'p'), c.want));
  test('userinfo escaping keeps what Go keeps', () => {
    assert.equal(escapeUserinfo('aZ09-_.~$&+,;='), 'aZ09-_.~$&+,;=');
    assert.equal(escapeUserinfo('a b!é'), 'a%20b%21%C3%A9');
  });
});

describe('ssh-auth git credentials', () => {
  test('a key per Secret, a Host block per host, known_hosts joined', () => {
    const files = sshGitFiles([
      { secret: 'key-a', url: 'github.com', privateKey: 'KEY-A\n', knownHosts: 'github.com ssh-rsa AAA' },
      { secret: 'key-b', url: 'git.local:2222', privateKey: 'KEY-B\n', knownHosts: '[git.local]:2222 ssh-ed25519 BBB' },
      { secret: 'key-c', url: 'github.com', privateKey: 'KEY-C\n' },
    ], '/tekton/creds');
    assert.deepEqual(files, {
      '.ssh/id_key-a': 'KEY-A\n',
      '.ssh/id_key-b': 'KEY-B\n',
      '.ssh/id_key-c': 'KEY-C\n',
      '.ssh/config': [
        'Host github.com', '    HostName github.com', '    Port 22',
        '    IdentityFile /tekton/creds/.ssh/id_key-a', '    IdentityFile /tekton/creds/.ssh/id_key-c', '    UserKnownHostsFile /tekton/creds/.ssh/known_hosts',
        'Host git.local', '    HostName git.local', '    Port 2222', '    IdentityFile /tekton/creds/.ssh/id_key-b', '    UserKnownHostsFile /tekton/creds/.ssh/known_hosts', '',
      ].join('\n'),
      '.ssh/known_hosts': 'github.com ssh-rsa AAA\n[git.local]:2222 ssh-ed25519 BBB',
    });
  });
  test('a host without known_hosts accepts its key on first use; no known_hosts file then', () => {
    const files = sshGitFiles([{ secret: 's', url: '127.0.0.1:2022', privateKey: 'K' }], '/data/creds');
    assert.equal(files['.ssh/config'], 'Host 127.0.0.1\n    HostName 127.0.0.1\n    Port 2022\n    IdentityFile /data/creds/.ssh/id_s\n    UserKnownHostsFile /data/creds/.ssh/known_hosts\n    StrictHostKeyChecking accept-new\n');
    assert.equal(files['.ssh/known_hosts'], undefined);
  });
  test('no entries: no files', () => assert.deepEqual(sshGitFiles([], '/tekton/creds'), {}));
  test('host:port as Go splits it', () => {
    assert.deepEqual(splitHostPort('h:22'), { host: 'h', port: '22' });
    assert.deepEqual(splitHostPort('[::1]:22'), { host: '::1', port: '22' });
    assert.equal(splitHostPort('h'), undefined);
    assert.equal(splitHostPort('ssh://h:22'), undefined);
  });
});
