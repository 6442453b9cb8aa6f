// `beforeStep` on a Pod written up front (docs/decisions/0032): what can be decided before the
// first step (step 0, and the steps the plan says read no context) is baked into the Pod; every
// other step's wrapper prints the earlier steps' results and artifacts on its log, ahead of
// anything the step prints, and waits. kiln reads them there, calls `beforeStep` exactly as the
// process executor does, and answers with a Pod annotation that the kubelet writes into the step's
// downward API file: `skip`, or `run` and the rewritten step. The answer is data, never shell code:
// each value travels base64-encoded and the wrapper only decodes it into argv, env or a script file.
import type { BeforeStep, ExecutionPlan, PlanContainer, StepContext } from '../executor.ts';
import { scriptText } from '../process/script.ts';

/** The annotation that carries kiln's answer for step `index`. */
export const beforeStepAnnotation = (index: number) => `kiln.dev/before-step-${index}`;
/** The file (in the Pod's downward API volume) the wrapper of step `index` waits on. */
export const beforeStepFile = (index: number) => `before-step-${index}`;
/** The line that ends the context a waiting step printed. */
export const CONTEXT_END = 'kiln-context-end';
/** An answer larger than this is refused (a Pod's annotations hold 256 KiB in all). */
export const MAX_ANSWER = 200 * 1024;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** What the Pod is built from: the steps decided up front, and those that wait for kiln's answer. */
export interface UpFront {
  /** the plan's steps, rewritten where `beforeStep` was called up front */
  steps: PlanContainer[];
  /** index → why the step is skipped (its `when`), for the steps decided up front */
  skipped: Map<number, string>;
  /** indexes of the steps that wait for kiln's answer as they start */
  gated: number[];
}

/**
 * Calls `beforeStep` now for step 0 (nothing ran before it) and for the steps the plan lists as
 * reading no context (`beforeStepReads` set and without them), with an empty context; the other
 * steps wait in the Pod. A plan without `beforeStep` waits for nothing.
 */
export function decideUpFront(plan: ExecutionPlan): UpFront {
  const out: UpFront = { steps: [...plan.steps], skipped: new Map(), gated: [] };
  const hook = plan.beforeStep;
  if (!hook) return out;
  plan.steps.forEach((c, i) => {
    if (i > 0 && (!plan.beforeStepReads || plan.beforeStepReads.includes(c.name))) return void out.gated.push(i);
    const r = hook(i, c, { stepResults: {}, stepArtifacts: {} });
    if ('skip' in r) out.skipped.set(i, r.skip);
    else out.steps[i] = r.step;
  });
  return out;
}

/** The context a waiting step printed (`kiln-context-result <container>/<name> <base64>` lines), by step name. */
export function parseContext(text: string, plan: ExecutionPlan): StepContext {
  const ctx: StepContext = { stepResults: {}, stepArtifacts: {} };
  const stepOf = new Map(plan.steps.map((c) => [c.containerName, c.name]));
  for (const line of text.split('\n')) {
    const m = /^kiln-context-(result|artifacts) (\S+) ([A-Za-z0-9+/=]*)$/.exec(line);
    if (!m) continue;
    const value = Buffer.from(m[3], 'base64').toString('utf8');
    const [container, name] = m[2].split('/', 2);
    const step = stepOf.get(container);
    if (!step) continue;
    if (m[1] === 'artifacts') ctx.stepArtifacts![step] = value;
    else if (name) (ctx.stepResults[step] ??= {})[name] = value;
  }
  return ctx;
}

/** An answer that fails the step, `message` on its log. */
export const failText = (message: string) => `x ${b64(`kiln: ${message}`)}\n`;

/** The fields a Pod fixes when it is created: `beforeStep` may not change them at run time. */
const FIXED = ['name', 'containerName', 'image', 'workingDir', 'mounts', 'timeoutMs', 'onError', 'stdoutPath', 'stderrPath', 'results', 'runAs', 'limits', 'privileged', 'imagePullPolicy'] as const;

/**
 * kiln's answer to step `index` (the annotation's value): `skip`, or `run` then one line per argv
 * element (`a`), changed or removed env entry (`e NAME=value`, `u NAME`) and a rewritten script
 * (`s`), each value base64; `x` (with `message`) fails the step.
 * `argv(step, scriptPath)` is the step's argv with its script at `scriptPath`.
 */
export function answerText(original: PlanContainer, r: ReturnType<BeforeStep>, argv: (c: PlanContainer, scriptPath?: string) => string[] | undefined): string {
  if ('skip' in r) return 'skip\n';
  const next = r.step;
  const fail = failText;
  const changed = FIXED.filter((k) => JSON.stringify(next[k]) !== JSON.stringify(original[k]));
  if (changed.length) return fail(`the step's ${changed.join(', ')} cannot change once its Pod exists`);
  const lines = ['run'];
  const scriptChanged = next.script !== original.script;
  if (scriptChanged && next.script !== undefined) lines.push(`s ${b64(scriptText(next.script))}`);
  const args = argv(next, scriptChanged ? `/tekton/steps/${original.containerName}/script` : undefined);
  if (!args?.length) return fail('the step has no command to run');
  for (const a of args) lines.push(`a ${b64(a)}`);
  const before = new Map(original.env.map((e) => [e.name, e.value]));
  for (const e of next.env) {
    if (!ENV_NAME.test(e.name)) return fail(`env ${JSON.stringify(e.name)} is not a name a shell can set`);
    if (before.get(e.name) !== e.value) lines.push(`e ${b64(`${e.name}=${e.value}`)}`);
  }
  for (const name of before.keys()) if (ENV_NAME.test(name) && !next.env.some((e) => e.name === name)) lines.push(`u ${b64(name)}`);
  const text = `${lines.join('\n')}\n`;
  return text.length > MAX_ANSWER ? fail(`the step's command, env and script after substitution exceed ${MAX_ANSWER / 1024} KiB`) : text;
}

/**
 * Splits a waiting step's log: what comes before CONTEXT_END is the wrapper's context, given once
 * to `onContext`; the function returns what is the step's own output (to be logged).
 */
export function contextSplitter(onContext: (text: string) => void): (chunk: Uint8Array) => Uint8Array | undefined {
  let head: Buffer | undefined = Buffer.alloc(0);
  const marker = Buffer.from(`${CONTEXT_END}\n`);
  return function split(chunk) {
    if (!head) return chunk;
    head = Buffer.concat([head, chunk]);
    const at = head.indexOf(marker);
    // the marker at a line's start: the context's own lines are `kiln-context-… base64`
    if (at < 0 || (at > 0 && head[at - 1] !== 0x0a)) return undefined;
    const rest = head.subarray(at + marker.length);
    onContext(head.subarray(0, at).toString('utf8'));
    head = undefined;
    return rest.length ? rest : undefined;
  };
}
