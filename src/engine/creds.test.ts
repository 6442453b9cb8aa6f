import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { annotatedUrls, credsInit } from './creds.ts';
import type { CredSecret } from './creds.ts';

const basic = (name: string, annotations: Record<string, string>, data = { username: 'user', password: 's3cret-pw' }): CredSecret => ({ name, type: 'kubernetes.io/basic-auth', annotations, data });

describe('credsInit', () => {
  test('basic-auth for git and docker, ssh-auth and dockerconfigjson: every file creds-init writes', () => {
    const got = credsInit([
      basic('git-basic', { 'tekton.dev/git-0': 'https://git.example.com', 'tekton.dev/docker-0': 'https://registry.example.com' }),
      { name: 'git-ssh', type: 'kubernetes.io/ssh-auth', annotations: { 'tekton.dev/git-0': 'github.com' }, data: { 'ssh-privatekey': 'PRIVATE KEY\n', known_hosts: 'github.com ssh-ed25519 AAAA' } },
      { name: 'pull', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': '{"auths":{"r.io":{"auth":"eHg6eXk="}}}' } },
    ]);
    assert.deepEqual(got.errors, []);
    assert.deepEqual(Object.keys(got.files).sort(), ['.docker/config.json', '.git-credentials', '.gitconfig', '.ssh/config', '.ssh/id_git-ssh', '.ssh/known_hosts']);
    assert.equal(got.files['.git-credentials'], 'https://user:s3cret-pw@git.example.com\n');
    assert.match(got.files['.ssh/config'], /IdentityFile \/tekton\/creds\/\.ssh\/id_git-ssh\n/);
    assert.deepEqual(Object.keys(JSON.parse(got.files['.docker/config.json']).auths), ['https://registry.example.com', 'r.io']);
    for (const v of ['s3cret-pw', 'PRIVATE KEY\n', 'dXNlcjpzM2NyZXQtcHc=', 'eHg6eXk=']) assert.ok(got.masked.includes(v), v);
  });
  test('Secrets without a Tekton annotation (or of another type) give nothing', () => {
    const got = credsInit([
      basic('plain', {}),
      { name: 'opaque', type: 'Opaque', annotations: { 'tekton.dev/git-0': 'https://h' }, data: { username: 'u', password: 'p' } },
      { name: 'ssh-docker', type: 'kubernetes.io/ssh-auth', annotations: { 'tekton.dev/docker-0': 'r.io' }, data: { 'ssh-privatekey': 'K' } },
    ]);
    assert.deepEqual(got, { files: {}, masked: [], errors: [] });
  });
  test('the URLs of one Secret in sorted order; the first Secret for a URL wins and a second one is an error', () => {
    const got = credsInit([
      basic('a', { 'tekton.dev/git-1': 'https://b.io', 'tekton.dev/git-0': 'https://c.io', 'tekton.dev/git-x': 'https://a.io' }),
      basic('b', { 'tekton.dev/git-0': 'https://b.io' }, { username: 'other', password: 'other-pw' }),
    ]);
    assert.equal(got.files['.git-credentials'], 'https://user:s3cret-pw@a.io\nhttps://user:s3cret-pw@b.io\nhttps://user:s3cret-pw@c.io\n');
    assert.deepEqual(got.errors, ['secret "b": more than one basic-auth Secret annotated tekton.dev/git-* for https://b.io']);
  });
  test('a missing key is named with its Secret', () => {
    const got = credsInit([
      basic('nopw', { 'tekton.dev/git-0': 'https://h' }, { username: 'u' } as never),
      { name: 'nokey', type: 'kubernetes.io/ssh-auth', annotations: { 'tekton.dev/git-0': 'h' }, data: {} },
    ]);
    assert.deepEqual(got.errors, ['secret "nopw" of type kubernetes.io/basic-auth has no "password" key', 'secret "nokey" of type kubernetes.io/ssh-auth has no "ssh-privatekey" key']);
    assert.deepEqual(got.files, {});
  });
  test('a Secret name that is not a plain name never becomes a path', () => {
    const got = credsInit([{ name: '../x', type: 'kubernetes.io/ssh-auth', annotations: { 'tekton.dev/git-0': 'h' }, data: { 'ssh-privatekey': 'K' } }]);
    assert.deepEqual(got.errors, ['secret "../x": its name cannot name a key file']);
    assert.deepEqual(got.files, {});
  });
  test('the credentials directory steps see is the one .ssh/config names', () => {
    const got = credsInit([{ name: 'k', type: 'kubernetes.io/ssh-auth', annotations: { 'tekton.dev/git-0': 'h' }, data: { 'ssh-privatekey': 'K' } }], '/var/lib/kiln/creds');
    assert.match(got.files['.ssh/config'], /IdentityFile \/var\/lib\/kiln\/creds\/\.ssh\/id_k\n/);
  });
  test('annotatedUrls: only the prefix, values sorted', () => {
    assert.deepEqual(annotatedUrls(basic('a', { 'tekton.dev/git-1': 'z', 'tekton.dev/git-0': 'y', 'tekton.dev/docker-0': 'x', other: 'w' }), 'tekton.dev/git-'), ['y', 'z']);
  });
});
