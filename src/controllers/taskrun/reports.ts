// JUnit reports from workspace files: which files an attempt's plan asks the executor to read (from
// the annotation `cdevents.kiln.dev/junit-files` on the TaskRun or its Task), and what they hold, as
// the TaskRun's `status.testReports` (from which the test CDEvents are derived). Pure.
import { junitFilesAnnotation, parseJUnitFiles } from '../../api/junitfiles.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import type { TaskRunStatus, TestReport, TestSuite } from '../../api/taskrun.types.ts';
import type { ExecutionPlan, ExecutionSnapshot, PlanReportFiles, ReportFile } from '../../executor/executor.ts';
import { parseJUnit } from '../../events/junit.ts';

/** At most this many test cases of a TaskRun's report files are kept in its status (the CDEvents' bound too). */
export const MAX_KEPT_CASES = 1000;
/** A case's message is kept up to this many characters. */
export const MAX_MESSAGE = 1000;

/**
 * The report files `plan` should read for a run whose annotations (the TaskRun's, then its
 * Task's) are given, with one TestReport per declaration that cannot be honoured.
 */
export function planReportFiles(spec: TaskSpec, plan: ExecutionPlan, ...annotations: Array<Record<string, string> | undefined>): { files: PlanReportFiles[]; errors: TestReport[] } {
  const value = junitFilesAnnotation(...annotations);
  if (value === undefined) return { files: [], errors: [] };
  const parsed = parseJUnitFiles(value, spec.workspaces ?? []);
  const errors: TestReport[] = parsed.errors.map((e) => ({ path: e.entry, error: e.message }));
  const files: PlanReportFiles[] = [];
  for (const g of parsed.globs) {
    const volume = `ws-${g.workspace}`;
    if (!plan.volumes.some((v) => v.name === volume)) {
      errors.push({ path: g.entry, error: `workspace "${g.workspace}" is not bound by the run` });
      continue;
    }
    const mount = [...plan.steps, ...plan.sidecars].flatMap((c) => c.mounts).find((m) => m.volume === volume);
    files.push({ volume, subPath: mount?.subPath, pattern: g.pattern, mountPath: g.mountPath });
  }
  return { files, errors };
}

/** `status.testReports` for the files an attempt read: each parsed, cases and messages bounded. */
export function testReportsOf(files: readonly ReportFile[] | undefined): TestReport[] {
  const out: TestReport[] = [];
  let budget = MAX_KEPT_CASES;
  for (const f of files ?? []) {
    if (f.text === undefined) {
      out.push({ path: f.path, error: f.error ?? 'not read' });
      continue;
    }
    let suites: TestSuite[];
    try {
      suites = parseJUnit(f.text);
    } catch (e) {
      out.push({ path: f.path, error: (e as Error).message });
      continue;
    }
    const kept = suites.map(function bounded(s): TestSuite {
      const cases = s.cases.slice(0, Math.max(0, budget));
      budget -= cases.length;
      return { ...s, cases: cases.map((c) => (c.message && c.message.length > MAX_MESSAGE ? { ...c, message: `${c.message.slice(0, MAX_MESSAGE)}…` } : c)) };
    });
    const dropped = suites.reduce((n, s) => n + s.cases.length, 0) - kept.reduce((n, s) => n + s.cases.length, 0);
    out.push(dropped ? { path: f.path, suites: kept, error: `${dropped} test cases beyond the ${MAX_KEPT_CASES} kiln keeps per TaskRun were dropped` } : { path: f.path, suites: kept });
  }
  return out;
}

/** The `testReports` of a finished attempt: the declaration's errors recorded at its start, then the files read. */
export function withTestReports(status: TaskRunStatus, snap: Pick<ExecutionSnapshot, 'reportFiles'>): Pick<TaskRunStatus, 'testReports'> {
  const all = [...(status.testReports ?? []), ...testReportsOf(snap.reportFiles)];
  return all.length ? { testReports: all } : {};
}
