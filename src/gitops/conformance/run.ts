// The GitOps conformance fixtures (Argo CD's own test data): health of core kinds (expected-core.json),
// of scripted kinds (expected-lua-kinds.json, status and message), and diff cases (expected-diff.json).
// Each case is PASS, FAIL or UNSUPPORTED (a case whose input file is absent).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { diffResource } from '../diff/diff.ts';
import type { IgnoreRule } from '../diff/ignore.ts';
import type { JObj } from '../diff/json.ts';
import { healthOf } from '../health/health.ts';
import { loadJq } from '../jq.ts';

export type CaseVerdict = 'PASS' | 'FAIL' | 'UNSUPPORTED';
/** One case: `file` is the fixture list it comes from, `id` names it (input path or test name) for the ratchet. */
export interface CaseResult { file: string; id: string; verdict: CaseVerdict; message: string }

export const FIXTURE_FILES = ['health/expected-core.json', 'health/expected-lua-kinds.json', 'diff/expected-diff.json'] as const;

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The first object of a YAML or JSON file. */
function firstObject(path: string): JObj | null {
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0].message}`);
    const v = doc.toJS() as unknown;
    if (v && typeof v === 'object') return v as JObj;
  }
  return null;
}

interface HealthCase { input: string; status: string | null; message?: string; goTest?: string }

function healthCases(root: string, file: string, messageAlways: boolean): CaseResult[] {
  const cases = readJson(join(root, file)) as HealthCase[];
  return cases.map(function judge(c): CaseResult {
    const base = { file, id: c.input };
    const path = join(root, 'health', c.input);
    if (!existsSync(path)) return { ...base, verdict: 'UNSUPPORTED', message: `${path}: not found` };
    const got = healthOf(firstObject(path) ?? {});
    // messages are compared where the fixture says so: scripted kinds always, core kinds when goTest names one
    const wantMessage = messageAlways ? c.message ?? '' : /message must equal '([^']*)'/.exec(c.goTest ?? '')?.[1];
    const statusOk = (got?.status ?? null) === c.status;
    const messageOk = wantMessage === undefined || (got?.message ?? '') === wantMessage;
    const message = `want ${c.status}${wantMessage !== undefined ? ` "${wantMessage}"` : ''}, got ${got ? `${got.status} "${got.message ?? ''}"` : 'no health'}`;
    return { ...base, verdict: statusOk && messageOk ? 'PASS' : 'FAIL', message };
  });
}

interface DiffCase { test: string; config: string | null; live: string | null; expectModified: boolean; ignoreDifferences?: IgnoreRule[]; assert?: string }

async function diffCases(root: string, file: string): Promise<CaseResult[]> {
  const cases = readJson(join(root, file)) as DiffCase[];
  const jq = cases.some((c) => c.ignoreDifferences?.some((r) => r.jqPathExpressions?.length)) ? await loadJq() : undefined;
  return cases.map(function judge(c): CaseResult {
    const base = { file, id: c.test };
    const paths = [c.config, c.live].filter((p): p is string => !!p).map((p) => join(root, 'diff', p));
    const absent = paths.find((p) => !existsSync(p));
    if (absent) return { ...base, verdict: 'UNSUPPORTED', message: `${absent}: not found` };
    const load = (p: string | null) => (p ? firstObject(join(root, 'diff', p)) : null);
    const r = diffResource(load(c.config), load(c.live), { ignoreDifferences: c.ignoreDifferences, jq });
    const problems = r.modified === c.expectModified ? [] : [`want modified=${c.expectModified}, got ${r.modified}`];
    problems.push(...r.warnings);
    return { ...base, verdict: problems.length ? 'FAIL' : 'PASS', message: problems.join('; ') || `modified=${r.modified}` };
  });
}

/** Runs every fixture list under `dir` (../shared/conformance/gitops); a list that is absent yields no case. */
export async function runGitopsConformance(dir: string): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const file of FIXTURE_FILES) {
    if (!existsSync(join(dir, file))) continue;
    try {
      out.push(...(file.startsWith('diff/') ? await diffCases(dir, file) : healthCases(dir, file, file.endsWith('lua-kinds.json'))));
    } catch (e) {
      out.push({ file, id: file, verdict: 'FAIL', message: (e as Error).message });
    }
  }
  return out;
}
