import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './exit.ts';
import { yamlFiles } from './conformance.ts';

describe('yamlFiles', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-yamlfiles-'));
    for (const f of ['b.yaml', 'a.yml', 'notes.txt', 'x.yaml.bak', 'sub/z.yaml', 'sub/deeper/c.yml', 'sub/README.md', 'c-dir/k.yaml', 'empty/.keep']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every .yaml/.yml file under the directory, recursively, sorted by path segment', () => {
    assert.deepEqual(yamlFiles(dir).map((f) => f.slice(dir.length + 1)), ['a.yml', 'b.yaml', 'c-dir/k.yaml', 'sub/deeper/c.yml', 'sub/z.yaml']);
  });

  test('a file is its own list', () => {
    assert.deepEqual(yamlFiles(join(dir, 'b.yaml')), [join(dir, 'b.yaml')]);
  });

  test('a directory without YAML gives nothing', () => {
    assert.deepEqual(yamlFiles(join(dir, 'empty')), []);
  });

  test('a missing directory is a CliError (code 2)', () => {
    const missing = join(dir, 'nope');
    assert.throws(() => yamlFiles(missing), (e: unknown) => e instanceof CliError && e.code === 2 && e.message === `${missing}: no such directory`);
  });
});
