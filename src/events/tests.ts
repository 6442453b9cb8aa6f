// CDEvents of the tests a TaskRun ran: testSuiteRun and testCaseRun started/finished (skipped
// for skipped cases) from the JUnit XML a step wrote to a declared result — a result named
// `JUNIT_XML` or ending in `_JUNIT_XML`, or the results the TaskRun (or its Task) names in the
// annotation `cdevents.kiln.dev/junit-results` (comma-separated) — or to the workspace files it
// declares (`cdevents.kiln.dev/junit-files`), which kiln reads into `status.testReports` when
// the steps end. Derived from the run's final state only, with stable ids, as runs.ts does.
import type { TaskRun } from '../api/taskrun.types.ts';
import { buildCDEvent, CDEventType, stableId, type CDEvent, type Outcome } from './cdevent.ts';
import { parseJUnit, type JUnitSuite } from './junit.ts';
import { attemptsOf, chainIdOf, runEventId, runSubjectId, type EventSource } from './runs.ts';

/** The annotation naming the results that hold JUnit XML. */
export const ANNOTATION_JUNIT_RESULTS = 'cdevents.kiln.dev/junit-results';

/** testcaserun.skipped (0.5.1), for cases a report marks skipped. */
export const TEST_CASE_RUN_SKIPPED = 'dev.cdevents.testcaserun.skipped.0.2.0';

/** At most this many test cases per TaskRun become events (the rest are counted in the suite's reason). */
export const MAX_CASES = 1000;

/** Whether result `name` of `tr` holds JUnit XML. */
export function isJUnitResult(tr: TaskRun, name: string): boolean {
  const listed = tr.metadata.annotations?.[ANNOTATION_JUNIT_RESULTS] ?? (tr.status?.taskSpec as { metadata?: { annotations?: Record<string, string> } } | undefined)?.metadata?.annotations?.[ANNOTATION_JUNIT_RESULTS];
  if (listed) return listed.split(',').map((s) => s.trim()).includes(name);
  return name === 'JUNIT_XML' || name.endsWith('_JUNIT_XML');
}

/**
 * The JUnit reports of a finished TaskRun's last attempt, by result, then by workspace file
 * (`result`: the result's name, or the file's path without its leading `/`); unreadable ones are reported.
 */
export function junitReportsOf(tr: TaskRun): { reports: Array<{ result: string; suites: JUnitSuite[] }>; errors: string[] } {
  const reports: Array<{ result: string; suites: JUnitSuite[] }> = [];
  const errors: string[] = [];
  for (const r of tr.status?.results ?? []) {
    if (!isJUnitResult(tr, r.name) || typeof r.value !== 'string') continue;
    try {
      reports.push({ result: r.name, suites: parseJUnit(r.value) });
    } catch (e) {
      errors.push(`status.results[${r.name}]: ${(e as Error).message}`);
    }
  }
  for (const f of tr.status?.testReports ?? []) {
    if (f.suites) reports.push({ result: f.path.replace(/^\/+/, ''), suites: f.suites });
    if (f.error) errors.push(`status.testReports[${f.path}]: ${f.error}`);
  }
  return { reports, errors };
}

function suiteOutcome(s: JUnitSuite): Outcome {
  if (s.cases.some((c) => c.outcome === 'failure')) return 'failure';
  if (s.cases.some((c) => c.outcome === 'error')) return 'error';
  return 'success';
}

function suiteReason(s: JUnitSuite): string {
  const n = (o: string) => s.cases.filter((c) => c.outcome === o).length;
  return `${s.cases.length} tests, ${n('failure')} failures, ${n('error')} errors, ${n('skipped')} skipped`;
}

/** The test events of a finished TaskRun (none while it runs or without a JUnit result). */
export function testEvents(tr: TaskRun, src: EventSource): CDEvent[] {
  const attempts = attemptsOf(tr);
  const attempt = attempts.length - 1;
  const st = attempts[attempt];
  const done = st.conditions?.find((c) => c.type === 'Succeeded');
  if (!st.startTime || !done || done.status === 'Unknown') return [];
  const uid = tr.metadata.uid ?? '';
  const trId = runSubjectId(tr);
  const environment = { id: trId, source: src.source };
  const chainId = chainIdOf(tr);
  const started = st.startTime;
  const finished = st.completionTime ?? done.lastTransitionTime ?? started;
  const trStarted = runEventId(uid, CDEventType.TaskRunStarted, attempt);
  const out: CDEvent[] = [];
  let budget = MAX_CASES;
  const id = (...parts: Array<string | number>) => stableId(uid, String(attempt), ...parts.map(String));
  for (const { result, suites } of junitReportsOf(tr).reports) {
    suites.forEach(function suiteEvents(s, si) {
      const suiteRunId = `${trId}/${result}/${si}`;
      const testSuite = { id: s.name || `suite-${si}`, name: s.name || undefined };
      const sStarted = id(result, si, CDEventType.TestSuiteRunStarted);
      out.push(buildCDEvent(CDEventType.TestSuiteRunStarted, { id: sStarted, source: src.source, timestamp: started, chainId, links: [{ linkType: 'PATH', from: { contextId: trStarted } }] },
        { id: suiteRunId, content: { environment, testSuite: clean(testSuite) } }));
      for (const [ci, c] of s.cases.entries()) {
        if (budget-- <= 0) break;
        const caseRunId = `${suiteRunId}/${ci}`;
        const testCase = clean({ id: c.classname ? `${c.classname}.${c.name}` : c.name || `case-${ci}`, name: c.name || undefined });
        const testSuiteRun = { id: suiteRunId, source: src.source };
        if (c.outcome === 'skipped') {
          out.push(buildCDEvent(TEST_CASE_RUN_SKIPPED, { id: id(result, si, ci, TEST_CASE_RUN_SKIPPED), source: src.source, timestamp: finished, chainId, links: [{ linkType: 'PATH', from: { contextId: sStarted } }] },
            { id: caseRunId, content: clean({ environment, testSuiteRun, testCase, reason: c.message }) }));
          continue;
        }
        const cStarted = id(result, si, ci, CDEventType.TestCaseRunStarted);
        out.push(buildCDEvent(CDEventType.TestCaseRunStarted, { id: cStarted, source: src.source, timestamp: started, chainId, links: [{ linkType: 'PATH', from: { contextId: sStarted } }] },
          { id: caseRunId, content: { environment, testSuiteRun, testCase } }));
        out.push(buildCDEvent(CDEventType.TestCaseRunFinished, { id: id(result, si, ci, CDEventType.TestCaseRunFinished), source: src.source, timestamp: finished, chainId, links: [{ linkType: 'PATH', from: { contextId: cStarted } }] },
          { id: caseRunId, content: clean({ environment, testSuiteRun, testCase, outcome: c.outcome, reason: c.message }) }));
      }
      out.push(buildCDEvent(CDEventType.TestSuiteRunFinished, { id: id(result, si, CDEventType.TestSuiteRunFinished), source: src.source, timestamp: finished, chainId, links: [{ linkType: 'END', from: { contextId: sStarted } }] },
        { id: suiteRunId, content: { environment, testSuite: clean(testSuite), outcome: suiteOutcome(s), reason: suiteReason(s) } }));
    });
  }
  return out;
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}
