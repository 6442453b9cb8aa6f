import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldValidationOf, loadFile } from './files.ts';
import { CliError } from './exit.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('fieldValidationOf: kubectl --validate values', async (t) => {
  const cases: Array<{ name: string; validate: string | boolean | undefined; strict?: boolean; want: string }> = [
    { name: 'absent: Strict', validate: undefined, want: 'Strict' },
    { name: '--validate alone', validate: true, want: 'Strict' },
    { name: 'strict', validate: 'strict', want: 'Strict' },
    { name: 'true', validate: 'true', want: 'Strict' },
    { name: 'warn', validate: 'warn', want: 'Warn' },
    { name: 'Warn (any case)', validate: 'Warn', want: 'Warn' },
    { name: 'ignore', validate: 'ignore', want: 'Ignore' },
    { name: 'false', validate: 'false', want: 'Ignore' },
    { name: '--strict', validate: undefined, strict: true, want: 'Strict' },
    { name: '--strict --validate=strict', validate: 'strict', strict: true, want: 'Strict' },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(fieldValidationOf(c.validate, c.strict), c.want));
  for (const [validate, strict, msg] of [['bogus', false, /--validate=bogus: expected strict/], ['warn', true, /--strict and --validate=warn disagree/]] as const) {
    assert.throws(() => fieldValidationOf(validate, strict), (e: unknown) => e instanceof CliError && e.code === 2 && msg.test(e.message));
  }
});

test('loadFile: unknown fields are errors by default, naming file:line:col and the field path', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'kiln-files-')), 'typo.yaml');
  writeFileSync(file, 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: x}\nspec:\n  steps:\n  - image: alpine\n    script: echo\n    workdir: /tmp\n');
  const err = (() => { try { loadFile(file); } catch (e) { return e as CliError; } })();
  assert.ok(err instanceof CliError, 'an error');
  assert.equal(err.code, 2);
  assert.deepEqual(err.details, [
    `${file}:8:5: spec.steps[0].workdir: unknown field "workdir"; did you mean "workingDir"?`,
    'unknown fields are errors (as kubectl --validate=strict); --validate=warn drops them with a warning',
  ]);
  const warned = loadFile(file, { fieldValidation: 'Warn' });
  assert.deepEqual(warned.warnings.map((w) => w.path), ['spec.steps[0].workdir']);
  assert.equal(warned.objects.length, 1);
  assert.deepEqual(loadFile(file, { fieldValidation: 'Ignore' }).warnings, []);
});
