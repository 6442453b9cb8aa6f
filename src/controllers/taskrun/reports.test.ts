import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_JUNIT_FILES } from '../../api/junitfiles.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import type { ExecutionPlan } from '../../executor/executor.ts';
import { MAX_KEPT_CASES, MAX_MESSAGE, planReportFiles, testReportsOf, withTestReports } from './reports.ts';

const spec: TaskSpec = { workspaces: [{ name: 'source' }, { name: 'cache', optional: true }], steps: [{ name: 's', image: 'busybox' }] };
const plan = {
  id: 'ci/unit/0', namespace: 'ci', taskRunName: 'unit', sidecars: [], results: [],
  volumes: [{ name: 'ws-source', source: { type: 'emptyDir' } }],
  steps: [{ name: 's', containerName: 'step-s', image: 'busybox', env: [], mounts: [{ volume: 'ws-source', mountPath: '/workspace/source', subPath: 'app' }] }],
} as ExecutionPlan;
const ann = (v: string) => ({ [ANNOTATION_JUNIT_FILES]: v });

test('a declared glob becomes the workspace volume\'s files (with the binding\'s subPath); an unbound workspace is reported', () => {
  const got = planReportFiles(spec, plan, undefined, ann('source/reports/*.xml, cache/x.xml, nope/y.xml'));
  assert.deepEqual(got.files, [{ volume: 'ws-source', subPath: 'app', pattern: 'reports/*.xml', mountPath: '/workspace/source' }]);
  assert.deepEqual(got.errors.map((e) => [e.path, e.error]), [
    ['nope/y.xml', 'metadata.annotations[\'cdevents.kiln.dev/junit-files\']: "nope/y.xml": no workspace "nope" is declared by the Task (declared: source, cache)'],
    ['cache/x.xml', 'workspace "cache" is not bound by the run'],
  ]);
  assert.deepEqual(planReportFiles(spec, plan, {}), { files: [], errors: [] });
});

test('files read become suites; unreadable or malformed ones say why; messages and cases are bounded', () => {
  const long = 'x'.repeat(MAX_MESSAGE + 5);
  const got = testReportsOf([
    { path: '/workspace/source/a.xml', text: `<testsuite name="s"><testcase name="c"><failure message="${long}"/></testcase></testsuite>` },
    { path: '/workspace/source/b.xml', text: '<testsuite><testcase>' },
    { path: '/workspace/source/c.xml', error: 'is a symbolic link' },
  ]);
  assert.equal(got[0].suites?.[0].cases[0].message, `${'x'.repeat(MAX_MESSAGE)}…`);
  assert.deepEqual(got.slice(1).map((r) => [r.path, r.suites, /not well-formed XML|symbolic/.test(r.error ?? '')]), [
    ['/workspace/source/b.xml', undefined, true], ['/workspace/source/c.xml', undefined, true],
  ]);
  const big = `<testsuite name="big">${'<testcase name="t"/>'.repeat(MAX_KEPT_CASES + 3)}</testsuite>`;
  const [bounded, after] = testReportsOf([{ path: '/w/big.xml', text: big }, { path: '/w/more.xml', text: '<testsuite name="m"><testcase name="t"/></testsuite>' }]);
  assert.equal(bounded.suites?.[0].cases.length, MAX_KEPT_CASES);
  assert.match(bounded.error ?? '', /^3 test cases beyond the 1000/);
  assert.deepEqual(after.suites, [{ name: 'm', timestamp: undefined, cases: [] }]);
  assert.match(after.error ?? '', /^1 test cases beyond/);
});

test('the errors recorded at the start come first, then the files read; nothing declared adds nothing', () => {
  const status = { testReports: [{ path: 'nope/y.xml', error: 'bad' }] };
  const got = withTestReports(status, { reportFiles: [{ path: '/w/a.xml', text: '<testsuite name="s"/>' }] });
  assert.deepEqual(got.testReports?.map((r) => r.path), ['nope/y.xml', '/w/a.xml']);
  assert.deepEqual(withTestReports({}, {}), {});
});
