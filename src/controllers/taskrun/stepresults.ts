// Run-time substitution: step results and artifacts exist only once earlier steps have run, so
// the plan carries a hook the executor calls before each step (Tekton does this in its entrypoint).
import type { TaskSpec } from '../../api/task.types.ts';
import type { BeforeStep } from '../../executor/executor.ts';
import { applyStepResults, stepName, stepResultReplacements } from '../../engine/taskrun.apply.ts';
import { artifactReplacements } from '../../engine/artifacts.ts';
import { replace } from '../../engine/substitute.ts';
import { evaluateWhen } from '../../engine/when.ts';

/**
 * The hook for a resolved spec: substitutes `$(steps.<s>.results.<r>)` (env, command, args),
 * `$(steps.<s>.inputs|outputs.<a>)` (also in scripts) and evaluates step `when`.
 */
export function makeBeforeStep(spec: TaskSpec): BeforeStep {
  const declared = Object.fromEntries(spec.steps.map((s, i) => [stepName(s, i), s.results]));
  return function beforeStep(index, step, ctx) {
    const { replacements } = stepResultReplacements(ctx.stepResults, declared);
    const when = spec.steps[index]?.when;
    if (when?.length) {
      const outcome = evaluateWhen(when, replacements);
      if (!outcome.run) return { skip: outcome.errors.length ? outcome.errors.join('; ') : 'when expressions evaluated to false' };
    }
    let next = applyStepResults(step, replacements);
    const artifacts = artifactReplacements(ctx.stepArtifacts ?? {}).strings;
    if (artifacts.size) {
      const sub = (s: string) => replace(s, artifacts);
      next = {
        ...next,
        script: next.script === undefined ? undefined : sub(next.script),
        command: next.command?.map(sub),
        args: next.args?.map(sub),
        env: next.env.map((e) => ({ ...e, value: sub(e.value) })),
      };
    }
    return { step: next };
  };
}
