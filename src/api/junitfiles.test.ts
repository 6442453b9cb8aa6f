import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_JUNIT_FILES, componentMatcher, junitFilesAnnotation, parseJUnitFiles } from './junitfiles.ts';

const WS = [{ name: 'source' }, { name: 'out', mountPath: '/data/out' }];
const FIELD = `metadata.annotations['${ANNOTATION_JUNIT_FILES}']`;

test('entries name a workspace, then a glob beneath it; comma or newline separated; mountPath as declared', () => {
  const got = parseJUnitFiles('source/reports/*.xml,\n out/**/TEST-*.xml ,', WS);
  assert.deepEqual(got.errors, []);
  assert.deepEqual(got.globs, [
    { entry: 'source/reports/*.xml', workspace: 'source', pattern: 'reports/*.xml', mountPath: '/workspace/source' },
    { entry: 'out/**/TEST-*.xml', workspace: 'out', pattern: '**/TEST-*.xml', mountPath: '/data/out' },
  ]);
});

test('each entry that cannot be honoured is reported, naming the annotation and the entry; the others are kept', () => {
  const cases = [
    { name: 'absolute', entry: '/workspace/source/a.xml', why: /must start with a workspace name/ },
    { name: 'unknown workspace', entry: 'src/a.xml', why: /no workspace "src" is declared by the Task \(declared: source, out\)/ },
    { name: 'no file', entry: 'source', why: /names no file/ },
    { name: 'leaves', entry: 'source/../../etc/x.xml', why: /leaves its workspace/ },
    { name: 'two **', entry: 'source/**/a/**/b.xml', why: /more than one "\*\*"/ },
    { name: 'ends with **', entry: 'source/**', why: /ends with "\*\*"/ },
  ];
  for (const c of cases) {
    const got = parseJUnitFiles(`${c.entry}, source/ok.xml`, WS);
    assert.equal(got.errors.length, 1, c.name);
    assert.equal(got.errors[0].entry, c.entry, c.name);
    assert.ok(got.errors[0].message.startsWith(`${FIELD}: "${c.entry}": `), `${c.name}: ${got.errors[0].message}`);
    assert.match(got.errors[0].message, c.why, c.name);
    assert.deepEqual(got.globs.map((g) => g.entry), ['source/ok.xml'], c.name);
  }
});

test('the run\'s annotation wins over its Task\'s; globs match within one name only', () => {
  assert.equal(junitFilesAnnotation({ [ANNOTATION_JUNIT_FILES]: 'a/x' }, { [ANNOTATION_JUNIT_FILES]: 'b/y' }), 'a/x');
  assert.equal(junitFilesAnnotation(undefined, { [ANNOTATION_JUNIT_FILES]: 'b/y' }), 'b/y');
  assert.equal(junitFilesAnnotation({}, undefined), undefined);
  const re = componentMatcher('TEST-?.x*l');
  assert.ok(re.test('TEST-a.xml') && re.test('TEST-1.xl'));
  assert.ok(!re.test('TEST-ab.xml') && !re.test('TEST-a.yml') && !re.test('TEST-a/b.xml'));
  assert.ok(componentMatcher('a+b(c).xml').test('a+b(c).xml'));
});
