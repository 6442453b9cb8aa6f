// The PipelineRun's `results`, computed when the run finishes
// (apply.go ApplyTaskResultsToPipelineResults): values from successful tasks' results; a result
// whose task did not succeed (failed, skipped) is left out; a reference to a result a successful
// task did not produce fails the run (CouldntGetPipelineResult).
import type { ParamValue } from '../../api/param.types.ts';
import type { PipelineResult } from '../../api/pipeline.types.ts';
import { expressionsIn, stringsOf } from '../../api/vars.ts';
import { replaceParamValue, type ReplacementMaps } from '../substitute.ts';
import { parseResultRef } from './graph.ts';
import type { RunContext } from './model.ts';
import { lookupRef, taskResults } from './resolve.ts';
import { isSuccessful } from './runs.ts';
import { USER_ERROR, type Failure } from './validate.ts';

/** One entry of `status.results`. */
export interface RunResult { name: string; value: ParamValue }

/**
 * Evaluates every pipeline result. Returns the emitted results, and a failure when some result
 * refers to something that cannot exist (an unknown task, a result a successful task did not
 * write, an index or key out of range).
 */
export function pipelineResults(ctx: RunContext, declared: readonly PipelineResult[] | undefined): { results: RunResult[]; failure?: Failure } {
  const results: RunResult[] = [];
  const invalid: string[] = [];
  for (const r of declared ?? []) {
    const exprs = stringsOf(r.value).flatMap(expressionsIn);
    if (!exprs.length) continue;
    const maps: ReplacementMaps = { strings: new Map(), arrays: new Map(), objects: new Map() };
    let emit = true;
    for (const expr of exprs) {
      const ref = parseResultRef(expr);
      const t = ref && ctx.tasks.get(ref.task);
      if (!ref || !t || t.final !== (ref.scope === 'finally')) { invalid.push(r.name); emit = false; continue; }
      if (!isSuccessful(t.runs)) { emit = false; continue; }
      const found = lookupRef(ref, taskResults(t));
      if ('missing' in found) { invalid.push(r.name); emit = false; continue; }
      const v = found.value;
      const base = expr.endsWith('[*]') ? expr.slice(0, -3) : expr;
      if (Array.isArray(v)) maps.arrays.set(base, v);
      else if (typeof v === 'object') maps.objects.set(base, v);
      else maps.strings.set(expr, v);
    }
    if (emit) results.push({ name: r.name, value: replaceParamValue(r.value, maps) });
  }
  if (!invalid.length) return { results };
  const names = [...new Set(invalid)].join(' ');
  return {
    results,
    failure: {
      reason: 'CouldntGetPipelineResult',
      message: `${USER_ERROR}Failed to get PipelineResult from TaskRun Results for PipelineRun ${ctx.id.name}: invalid pipelineresults [${names}], the referenced results don't exist`,
    },
  };
}
