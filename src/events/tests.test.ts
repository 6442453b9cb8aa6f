import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRun } from '../api/taskrun.types.ts';
import { CDEventType } from './cdevent.ts';
import { parseJUnit } from './junit.ts';
import { runEventId } from './runs.ts';
import { cdeventSchemas } from './schemas.testing.ts';
import { ANNOTATION_JUNIT_RESULTS, junitReportsOf, TEST_CASE_RUN_SKIPPED, testEvents } from './tests.ts';

const schemas = cdeventSchemas();
const src = { source: '/kiln/test', apiBase: 'https://kiln.example' };

const REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="math" tests="4" failures="1" errors="0" skipped="1" timestamp="2024-05-01T10:00:03">
    <testcase classname="math.add" name="adds" time="0.01"/>
    <testcase classname="math.sub" name="subtracts &amp; more" time="0.02"><failure message="expected 1, got 2">stack</failure></testcase>
    <testcase classname="math.div" name="divides"><skipped message="not on Tuesdays"/></testcase>
    <testcase classname="math.mul" name="multiplies"><error message="boom"/></testcase>
  </testsuite>
</testsuites>`;

test('parseJUnit reads suites and cases with outcome and message (testsuites root or a single testsuite)', () => {
  const [s] = parseJUnit(REPORT);
  assert.equal(s.name, 'math');
  assert.deepEqual(s.cases.map((c) => [c.name, c.outcome, c.message]), [
    ['adds', 'success', undefined], ['subtracts & more', 'failure', 'expected 1, got 2'], ['divides', 'skipped', 'not on Tuesdays'], ['multiplies', 'error', 'boom'],
  ]);
  assert.deepEqual(parseJUnit('<testsuite name="one"><testcase name="a"/></testsuite>').map((x) => [x.name, x.cases.length]), [['one', 1]]);
});

test('parseJUnit refuses what is not a JUnit report, naming the line', () => {
  assert.throws(() => parseJUnit('<testsuite>\n<testcase></testsuite>'), /line 2/);
  assert.throws(() => parseJUnit('<html/>'), /not a JUnit report/);
});

function tr(results: Array<{ name: string; value: string }>, annotations?: Record<string, string>, conditionStatus: 'True' | 'False' | 'Unknown' = 'False'): TaskRun {
  return {
    apiVersion: 'tekton.dev/v1', kind: 'TaskRun',
    metadata: { name: 'unit', namespace: 'ci', uid: 'tr-1', annotations },
    spec: {},
    status: { startTime: '2024-05-01T10:00:02Z', completionTime: '2024-05-01T10:00:09Z', results, conditions: [{ type: 'Succeeded', status: conditionStatus, reason: 'Failed' }] },
  };
}

test('a finished TaskRun with a JUNIT_XML result yields suite and case events, schema-valid and linked to the TaskRun', () => {
  const events = testEvents(tr([{ name: 'JUNIT_XML', value: REPORT }]), src);
  assert.deepEqual(events.map((e) => e.context.type), [
    CDEventType.TestSuiteRunStarted,
    CDEventType.TestCaseRunStarted, CDEventType.TestCaseRunFinished,
    CDEventType.TestCaseRunStarted, CDEventType.TestCaseRunFinished,
    TEST_CASE_RUN_SKIPPED,
    CDEventType.TestCaseRunStarted, CDEventType.TestCaseRunFinished,
    CDEventType.TestSuiteRunFinished,
  ]);
  if (schemas) for (const e of events) assert.deepEqual(schemas.errors(e), [], JSON.stringify(e));
  assert.deepEqual(events[0].context.links, [{ linkType: 'PATH', from: { contextId: runEventId('tr-1', CDEventType.TaskRunStarted, 0) } }]);
  assert.deepEqual(events[4].subject.content, {
    environment: { id: 'ci/unit', source: '/kiln/test' }, testSuiteRun: { id: 'ci/unit/JUNIT_XML/0', source: '/kiln/test' },
    testCase: { id: 'math.sub.subtracts & more', name: 'subtracts & more' }, outcome: 'failure', reason: 'expected 1, got 2',
  });
  assert.deepEqual(events[8].subject.content.outcome, 'failure');
  assert.equal(events[8].subject.content.reason, '4 tests, 1 failures, 1 errors, 1 skipped');
  assert.deepEqual(testEvents(tr([{ name: 'JUNIT_XML', value: REPORT }]), src), events);
});

test('which results hold JUnit: JUNIT_XML, *_JUNIT_XML, or those the annotation names; nothing while running; bad XML reported', () => {
  assert.equal(testEvents(tr([{ name: 'API_JUNIT_XML', value: REPORT }]), src).length, 9);
  assert.equal(testEvents(tr([{ name: 'report', value: REPORT }]), src).length, 0);
  assert.equal(testEvents(tr([{ name: 'report', value: REPORT }], { [ANNOTATION_JUNIT_RESULTS]: 'x, report' }), src).length, 9);
  assert.equal(testEvents(tr([{ name: 'JUNIT_XML', value: REPORT }], undefined, 'Unknown'), src).length, 0);
  assert.deepEqual(junitReportsOf(tr([{ name: 'JUNIT_XML', value: '<testsuite' }])).errors.length, 1);
});

test('reports read from workspace files (status.testReports) yield the same events, keyed by the file; both sources together', () => {
  const suites = parseJUnit(REPORT);
  const run = tr([]);
  run.status!.testReports = [{ path: '/workspace/source/reports/unit.xml', suites }, { path: 'src/x.xml', error: 'no workspace "src"' }];
  const events = testEvents(run, src);
  assert.equal(events.length, 9);
  if (schemas) for (const e of events) assert.deepEqual(schemas.errors(e), [], JSON.stringify(e));
  assert.equal(events[0].subject.id, 'ci/unit/workspace/source/reports/unit.xml/0');
  assert.deepEqual(events[0].context.links, [{ linkType: 'PATH', from: { contextId: runEventId('tr-1', CDEventType.TaskRunStarted, 0) } }]);
  assert.deepEqual(junitReportsOf(run).errors, ['status.testReports[src/x.xml]: no workspace "src"']);
  run.status!.results = [{ name: 'JUNIT_XML', value: REPORT }];
  const both = testEvents(run, src);
  assert.equal(both.length, 18);
  assert.equal(new Set(both.map((e) => e.context.id)).size, 18, 'ids differ between a result and a file');
  assert.deepEqual(testEvents(run, src), both, 'stable');
});
