import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToken, newToken, parseTokens, readTokens, tokenAdmin, tokenLookup, TOKENS_FILE } from './tokens.ts';

const NOW = new Date('2026-01-02T03:04:05Z');
const fresh = () => mkdtempSync(join(tmpdir(), 'kiln-tokens-'));
let seed = 0;
/** Deterministic "random" bytes: each call a different fill. */
const random = (n: number) => Buffer.alloc(n, ++seed);

describe('newToken', () => {
  it('is kiln_ and 256 bits in base64url', () => {
    assert.equal(newToken(() => Buffer.alloc(32, 0xff)), `kiln_${Buffer.alloc(32, 0xff).toString('base64url')}`);
    assert.match(newToken(), /^kiln_[A-Za-z0-9_-]{43}$/);
  });
});

describe('parseTokens', () => {
  const good = { name: 'ci', role: 'runner', namespaces: ['a'], created: NOW.toISOString(), sha256: 'a'.repeat(64) };
  const cases: Array<{ name: string; text: string; error?: string }> = [
    { name: 'a good file', text: JSON.stringify({ tokens: [good] }) },
    { name: 'no tokens', text: '{"tokens": []}' },
    { name: 'not JSON', text: '{', error: /^f: not valid JSON: / as unknown as string },
    { name: 'no list', text: '{}', error: 'f: tokens: expected a list' },
    { name: 'a bad role', text: JSON.stringify({ tokens: [{ ...good, role: 'root' }] }), error: 'f: tokens[0].role: "root" is not one of viewer, runner, admin' },
    { name: 'a bad name', text: JSON.stringify({ tokens: [{ ...good, name: 'Bad Name' }] }), error: 'f: tokens[0].name: "Bad Name" is not a valid name (lower-case letters, digits, \'-\' and \'.\', at most 63)' },
    { name: 'a bad namespace', text: JSON.stringify({ tokens: [{ ...good, namespaces: ['a', 'B/'] }] }), error: 'f: tokens[0].namespaces[1]: "B/" is not a valid namespace name' },
    { name: 'a bad hash', text: JSON.stringify({ tokens: [{ ...good, sha256: 'xyz' }] }), error: 'f: tokens[0].sha256: expected 64 hex digits' },
    { name: 'a name used twice, every error listed', text: JSON.stringify({ tokens: [good, { ...good, created: 1 }] }), error: 'f: tokens[1].created: expected a timestamp; tokens[1].name: "ci" is used twice' },
    { name: 'not an object', text: JSON.stringify({ tokens: [null] }), error: 'f: tokens[0]: expected an object' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error === undefined) return void assert.ok(Array.isArray(parseTokens(c.text, 'f')));
      assert.throws(() => parseTokens(c.text, 'f'), (e: Error) => (typeof c.error === 'string' ? e.message === c.error : (c.error as unknown as RegExp).test(e.message)));
    });
  }
});

describe('tokenAdmin', () => {
  it('creates a token shown once, stores only its hash in a 0600 file, lists and revokes it', () => {
    const dir = fresh();
    const admin = tokenAdmin(dir, { now: () => NOW, random });
    const { token } = admin.create({ name: 'ci', role: 'runner', namespaces: ['a', 'b', 'a'] });
    const file = join(dir, TOKENS_FILE);
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(token), 'the token itself is not stored');
    assert.deepEqual(JSON.parse(text).tokens, [{ name: 'ci', role: 'runner', namespaces: ['a', 'b'], created: NOW.toISOString(), sha256: hashToken(token) }]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    admin.create({ name: 'view', role: 'viewer', namespaces: [] });
    assert.deepEqual(admin.list(), [
      { name: 'ci', role: 'runner', namespaces: ['a', 'b'], created: NOW.toISOString() },
      { name: 'view', role: 'viewer', namespaces: [], created: NOW.toISOString() },
    ]);
    assert.equal(admin.revoke('ci'), true);
    assert.equal(admin.revoke('ci'), false);
    assert.deepEqual(admin.list().map((t) => t.name), ['view']);
    assert.deepEqual(readdirSync(dir), [TOKENS_FILE], 'no temporary file is left behind');
  });

  it('creates the data directory when missing; an absent file lists nothing', () => {
    const dir = join(fresh(), 'new', 'dir');
    const admin = tokenAdmin(dir, { random });
    assert.deepEqual(admin.list(), []);
    assert.equal(admin.revoke('x'), false);
    admin.create({ name: 'x', role: 'admin', namespaces: [] });
    assert.equal(readTokens(join(dir, TOKENS_FILE)).length, 1);
  });

  const refusals = [
    { name: 'a name taken', o: { name: 'ci', role: 'viewer', namespaces: [] }, error: 'a token named "ci" exists already (revoke it first)' },
    { name: 'an unknown role', o: { name: 'x', role: 'owner', namespaces: [] }, error: 'role: "owner" is not one of viewer, runner, admin' },
    { name: 'a bad name', o: { name: 'kiln:operator', role: 'admin', namespaces: [] }, error: 'name: "kiln:operator" is not a valid name (lower-case letters, digits, \'-\' and \'.\', at most 63)' },
    { name: 'a bad namespace', o: { name: 'x', role: 'viewer', namespaces: ['ok', ''] }, error: 'namespaces[1]: "" is not a valid namespace name' },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name}, leaving the file as it was`, () => {
      const dir = fresh();
      const admin = tokenAdmin(dir, { now: () => NOW, random });
      admin.create({ name: 'ci', role: 'runner', namespaces: [] });
      const before = readFileSync(join(dir, TOKENS_FILE), 'utf8');
      assert.throws(() => admin.create(c.o), { message: c.error });
      assert.equal(readFileSync(join(dir, TOKENS_FILE), 'utf8'), before);
    });
  }

  it('a malformed file is an error naming it, not an empty list', () => {
    const dir = fresh();
    writeFileSync(join(dir, TOKENS_FILE), '{"tokens": [{}]}');
    assert.throws(() => tokenAdmin(dir).list(), /tokens\.json: tokens\[0\]\.name: undefined is not a valid name/);
  });
});

describe('tokenLookup', () => {
  it('sees tokens created and revoked after it started, without a restart', () => {
    const dir = fresh();
    const admin = tokenAdmin(dir, { random });
    const lookup = tokenLookup(join(dir, TOKENS_FILE));
    assert.equal(lookup('kiln_nothing'), undefined, 'no file yet: no tokens');
    const { token } = admin.create({ name: 'ci', role: 'runner', namespaces: ['a'] });
    assert.deepEqual(lookup(token), { name: 'ci', role: 'runner', namespaces: ['a'] });
    assert.equal(lookup(token + 'x'), undefined);
    const second = admin.create({ name: 'view', role: 'viewer', namespaces: [] }).token;
    assert.equal(lookup(second)?.name, 'view');
    admin.revoke('ci');
    assert.equal(lookup(token), undefined, 'revoked');
    assert.equal(lookup(second)?.name, 'view');
  });

  it('a malformed file accepts no token and is reported once per change', () => {
    const dir = fresh();
    const file = join(dir, TOKENS_FILE);
    const { token } = tokenAdmin(dir, { random }).create({ name: 'ci', role: 'viewer', namespaces: [] });
    const errors: string[] = [];
    const lookup = tokenLookup(file, { onError: (e) => errors.push(e.message) });
    assert.equal(lookup(token)?.name, 'ci');
    writeFileSync(file, '{"tokens": 3}');
    assert.equal(lookup(token), undefined);
    assert.equal(lookup(token), undefined);
    assert.deepEqual(errors, [`${file}: tokens: expected a list`]);
  });

  it('re-reads a file rewritten in place (same inode)', () => {
    const dir = fresh();
    const file = join(dir, TOKENS_FILE);
    const { token } = tokenAdmin(dir, { random }).create({ name: 'ci', role: 'viewer', namespaces: [] });
    const lookup = tokenLookup(file);
    assert.equal(lookup(token)?.name, 'ci');
    // rewritten in place with the same size: only the timestamps change; a cache keyed on inode and size would still answer
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(hashToken(token), hashToken('kiln_other')));
    utimesSync(file, new Date('2000-01-01T00:00:00Z'), new Date('2000-01-01T00:00:00Z')); // timestamps are coarse: make the change visible
    assert.equal(lookup(token), undefined);
  });
});
