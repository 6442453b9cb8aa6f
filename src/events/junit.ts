// JUnit XML reports, as test runners write them (<testsuites><testsuite><testcase>… or one
// <testsuite> root), read into suites and cases with their outcome. Parsed with fast-xml-parser;
// entities beyond XML's own are not expanded, and no DTD is processed.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { TestCase, TestSuite } from '../api/taskrun.types.ts';

/** How a case ended. */
export type CaseOutcome = TestCase['outcome'];
/** A case of a report (the TaskRun status' `testReports` keeps the same shape). */
export type JUnitCase = TestCase;
/** A suite of a report. */
export type JUnitSuite = TestSuite;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => name === 'testsuite' || name === 'testcase',
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type Node = Record<string, unknown>;

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const n = v as Node;
    return typeof n['@message'] === 'string' ? n['@message'] : typeof n['#text'] === 'string' ? n['#text'] : undefined;
  }
  return String(v);
}

function caseOf(n: Node): JUnitCase {
  const first = (k: string) => (Array.isArray(n[k]) ? (n[k] as unknown[])[0] : n[k]);
  const outcome: CaseOutcome = n.failure !== undefined ? 'failure' : n.error !== undefined ? 'error' : n.skipped !== undefined ? 'skipped' : 'success';
  const time = n['@time'] === undefined ? undefined : Number(n['@time']);
  const message = outcome === 'success' ? undefined : text(first(outcome === 'skipped' ? 'skipped' : outcome));
  return {
    name: String(n['@name'] ?? ''),
    classname: n['@classname'] === undefined ? undefined : String(n['@classname']),
    time: Number.isFinite(time) ? time : undefined,
    outcome,
    message: message?.trim() || undefined,
  };
}

function suitesIn(n: Node, into: JUnitSuite[]): void {
  for (const s of (n.testsuite as Node[] | undefined) ?? []) {
    if (typeof s !== 'object' || s === null) continue;
    const cases = ((s.testcase as Node[] | undefined) ?? []).filter((c) => typeof c === 'object' && c !== null).map(caseOf);
    into.push({ name: String(s['@name'] ?? ''), timestamp: s['@timestamp'] === undefined ? undefined : String(s['@timestamp']), cases });
    suitesIn(s, into); // nested suites (some runners nest them)
  }
}

/** The suites of a JUnit XML report; throws an Error naming the line when it is not well-formed XML. */
export function parseJUnit(xml: string): JUnitSuite[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: line ${valid.err.line}: ${valid.err.msg}`);
  const doc = parser.parse(xml) as Node;
  const out: JUnitSuite[] = [];
  if (doc.testsuites && typeof doc.testsuites === 'object') suitesIn(doc.testsuites as Node, out);
  else suitesIn(doc, out);
  if (!out.length && !('testsuites' in doc)) throw new Error('not a JUnit report: no <testsuites> or <testsuite> root');
  return out;
}
