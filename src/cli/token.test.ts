// `kiln token` through the real command line parser, over an in-memory TokenAdmin.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runCli } from './main.ts';
import type { TokenAdmin } from './token.ts';

interface Stored { name: string; role: string; namespaces: string[]; created: string }

function fakeTokens() {
  const stored: Stored[] = [];
  const dirs: string[] = [];
  let n = 0;
  const admin: TokenAdmin = {
    create({ name, role, namespaces }) {
      if (name.includes(' ')) throw new Error(`name: ${JSON.stringify(name)} is not a valid name`);
      stored.push({ name, role, namespaces, created: '2026-01-02T03:04:05.000Z' });
      return { token: `kiln_secret${++n}` };
    },
    list: () => stored,
    revoke(name) {
      const i = stored.findIndex((t) => t.name === name);
      if (i >= 0) stored.splice(i, 1);
      return i >= 0;
    },
  };
  return { stored, dirs, factory: async (dir: string) => (dirs.push(dir), admin) };
}

async function kiln(args: string[], tokens = fakeTokens(), env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { local: () => Promise.reject(new Error('unused')), tokens: tokens.factory, writers: { out: (s) => out.push(s), err: (s) => err.push(s) }, env });
  return { code, out: out.join('\n'), err: err.join('\n'), tokens };
}

describe('kiln token', () => {
  it('create prints the token once on stdout, the note on stderr', async () => {
    const r = await kiln(['token', 'create', 'ci', '--role', 'runner', '-n', 'a', '--namespace', 'b', '--data-dir', '/d']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'kiln_secret1');
    assert.equal(r.err, 'token ci created (runner in namespace(s) a, b); it is shown only this once');
    assert.deepEqual(r.tokens.stored, [{ name: 'ci', role: 'runner', namespaces: ['a', 'b'], created: '2026-01-02T03:04:05.000Z' }]);
    assert.deepEqual(r.tokens.dirs, ['/d']);
  });

  it('the data dir is --data-dir, else $KILN_HOME, else ./.kiln', async () => {
    assert.deepEqual((await kiln(['token', 'list'], undefined, { KILN_HOME: '/home/k' })).tokens.dirs, ['/home/k']);
    assert.deepEqual((await kiln(['token', 'list'])).tokens.dirs, ['.kiln']);
  });

  const refusals = [
    { name: 'no role', args: ['token', 'create', 'ci'], err: /required option '--role <role>' not specified/ },
    { name: 'an unknown role', args: ['token', 'create', 'ci', '--role', 'root'], err: /Allowed choices are viewer, runner, admin/ },
    { name: 'a name the store refuses', args: ['token', 'create', 'a b', '--role', 'viewer'], err: /^error: name: "a b" is not a valid name$/ },
    { name: 'revoking a token nobody has', args: ['token', 'revoke', 'nope'], err: /^error: no token named "nope"\n {2}see `kiln token list`$/ },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name} (exit 2)`, async () => {
      const r = await kiln(c.args);
      assert.equal(r.code, 2);
      assert.match(r.err, c.err);
      assert.equal(r.out, '');
    });
  }

  it('list shows names, roles, namespaces and times, never a token; revoke removes', async () => {
    const t = fakeTokens();
    await kiln(['token', 'create', 'ci', '--role', 'runner', '-n', 'a'], t);
    await kiln(['token', 'create', 'dashboard', '--role', 'viewer'], t);
    const list = await kiln(['token', 'list'], t);
    assert.equal(list.out, [
      'NAME        ROLE     NAMESPACES   CREATED',
      'ci          runner   a            2026-01-02T03:04:05.000Z',
      'dashboard   viewer   *            2026-01-02T03:04:05.000Z',
    ].join('\n'));
    assert.doesNotMatch(list.out, /kiln_secret/);
    assert.deepEqual(JSON.parse((await kiln(['token', 'list', '-o', 'json'], t)).out).map((x: Stored) => x.name), ['ci', 'dashboard']);
    const revoked = await kiln(['token', 'revoke', 'ci'], t);
    assert.deepEqual([revoked.code, revoked.err], [0, 'token ci revoked']);
    assert.deepEqual(t.stored.map((x) => x.name), ['dashboard']);
    assert.equal((await kiln(['token', 'list'], fakeTokens())).err, 'no tokens');
  });

  describe('--kubeconfig', () => {
    const setup = () => {
      const dir = mkdtempSync(join(tmpdir(), 'kiln-token-cli-'));
      writeFileSync(join(dir, 'kubeconfig'), stringify({
        apiVersion: 'v1', kind: 'Config',
        clusters: [{ name: 'kiln', cluster: { server: 'https://127.0.0.1:7443', 'certificate-authority-data': 'Q0E=' } }],
        users: [{ name: 'kiln', user: { token: 'the-admin-token' } }],
      }));
      return dir;
    };

    it('writes a 0600 kubeconfig for the token (the server and CA of the data dir\'s), printing no token', async () => {
      const dir = setup();
      const file = join(dir, 'ci.kubeconfig');
      const r = await kiln(['token', 'create', 'ci', '--role', 'runner', '-n', 'team', '--data-dir', dir, '--kubeconfig', file]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, '');
      assert.equal(r.err, `token ci created (runner in namespace(s) team); kubeconfig written to ${file}`);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(parse(readFileSync(file, 'utf8')), {
        apiVersion: 'v1', kind: 'Config',
        clusters: [{ name: 'kiln', cluster: { server: 'https://127.0.0.1:7443', 'certificate-authority-data': 'Q0E=' } }],
        users: [{ name: 'ci', user: { token: 'kiln_secret1' } }],
        contexts: [{ name: 'kiln-ci', context: { cluster: 'kiln', user: 'ci', namespace: 'team' } }],
        'current-context': 'kiln-ci',
      });
    });

    it('--server overrides the address', async () => {
      const dir = setup();
      const file = join(dir, 'k');
      assert.equal((await kiln(['token', 'create', 'v', '--role', 'viewer', '--data-dir', dir, '--kubeconfig', file, '--server', 'https://kiln.example:7443'])).code, 0);
      assert.equal(parse(readFileSync(file, 'utf8')).clusters[0].cluster.server, 'https://kiln.example:7443');
      assert.equal(parse(readFileSync(file, 'utf8')).contexts[0].context.namespace, 'default');
    });

    it('refuses to overwrite a file, and creates no token then', async () => {
      const dir = setup();
      const r = await kiln(['token', 'create', 'ci', '--role', 'runner', '--data-dir', dir, '--kubeconfig', join(dir, 'kubeconfig')]);
      assert.equal(r.code, 2);
      assert.equal(r.err, `error: --kubeconfig ${join(dir, 'kubeconfig')}: the file exists; remove it or choose another`);
      assert.deepEqual(r.tokens.stored, []);
    });

    it('without a server address (no kubeconfig in the data dir, no --server) creates no token', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kiln-token-cli-'));
      const r = await kiln(['token', 'create', 'ci', '--role', 'runner', '--data-dir', dir, '--kubeconfig', join(dir, 'k')]);
      assert.equal(r.code, 2);
      assert.match(r.err, /^error: --kubeconfig: no server address: .*kubeconfig does not exist yet\n {2}start `kiln serve` once/);
      assert.deepEqual(r.tokens.stored, []);
      assert.equal(existsSync(join(dir, 'k')), false);
    });
  });
});
