// Test helpers (used by the *.test.ts files beside this one): inputs from YAML fixtures, and a
// small simulator that plays the controller and the TaskRun side around decide().
import { loadManifests } from '../../api/load.ts';
import type { Condition } from '../../api/meta.ts';
import type { ParamValue } from '../../api/param.types.ts';
import type { Pipeline, PipelineSpec } from '../../api/pipeline.types.ts';
import type { PipelineRun } from '../../api/pipelinerun.types.ts';
import type { Task, TaskSpec } from '../../api/task.types.ts';
import { decide } from './facts.ts';
import { CANCEL_MESSAGE_ANNOTATION, type Decisions, type FactsInput, type ObservedChild, type ObservedPipelineRun, type ObservedTaskRun, type PipelineRunToCreate, type TaskRunToCreate } from './facts.types.ts';
import * as celLib from '@bufbuild/cel';
import { useCel } from './when-cel.ts';

useCel(celLib);

export const T0 = Date.parse('2026-01-01T00:00:00Z');

/** ISO time `s` seconds after T0. */
export function at(s: number): { now: number; nowIso: string } {
  const now = T0 + s * 1000;
  return { now, nowIso: new Date(now).toISOString() };
}

/** Loads a YAML stream and builds the input for its first PipelineRun (named `pr` when it has no name). */
export function inputFromYaml(yaml: string, s = 0, prIndex = 0): FactsInput {
  const loaded = loadManifests(yaml, 'fixture.yaml');
  if (loaded.errors.length) throw new Error(loaded.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  const objs = loaded.objects.map((o) => o.object);
  const pr = structuredClone(objs.filter((o) => o.kind === 'PipelineRun')[prIndex]) as PipelineRun;
  pr.metadata.name ??= 'pr';
  pr.metadata.namespace ??= 'default';
  pr.metadata.uid ??= 'uid-1';
  const pipelines = new Map(objs.filter((o) => o.kind === 'Pipeline').map((o) => [o.metadata.name!, (o as Pipeline).spec]));
  const tasks = new Map<string, TaskSpec>(objs.filter((o) => o.kind === 'Task').map((o) => [o.metadata.name!, (o as Task).spec]));
  const ref = pr.spec.pipelineRef?.name;
  const pipelineSpec: PipelineSpec = pr.spec.pipelineSpec ?? pipelines.get(ref ?? '') ?? {};
  return { pipelineRun: pr, pipelineSpec, pipelineName: ref ?? pr.metadata.name, tasks, children: [], ...at(s) };
}

/** An input from objects (nothing validated or defaulted): the run is `pr` in `ns`. */
export function makeInput(o: { spec: PipelineSpec; run?: Partial<PipelineRun['spec']>; tasks?: Record<string, TaskSpec>; name?: string; s?: number; labels?: Record<string, string> }): FactsInput {
  const name = o.name ?? 'pr';
  const pipelineRun: PipelineRun = {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name, namespace: 'ns', uid: 'uid-1', ...(o.labels ? { labels: o.labels } : {}) },
    spec: { pipelineRef: { name: 'p' }, ...o.run },
  };
  return { pipelineRun, pipelineSpec: o.spec, pipelineName: 'p', tasks: new Map(Object.entries(o.tasks ?? {})), children: [], ...at(o.s ?? 0) };
}

/** A finished (or running) child as a test wants it. */
export interface Outcome {
  status: Condition['status'];
  reason?: string;
  message?: string;
  results?: Record<string, ParamValue>;
}

export const ok = (results?: Record<string, ParamValue>): Outcome => ({ status: 'True', reason: 'Succeeded', results });
export const fail = (reason = 'Failed', message = 'step failed'): Outcome => ({ status: 'False', reason, message });
export const running = (reason = 'Running'): Outcome => ({ status: 'Unknown', reason });

/** A child TaskRun in the given state. */
export function child(tr: TaskRunToCreate, o: Outcome): ObservedTaskRun {
  const results = Object.entries(o.results ?? {}).map(([name, value]) => ({ name, value }));
  return {
    metadata: { name: tr.name, labels: tr.labels, annotations: tr.annotations },
    spec: tr.spec,
    status: { conditions: [{ type: 'Succeeded', status: o.status, reason: o.reason, message: o.message }], ...(results.length ? { results } : {}) },
  };
}

/** A child PipelineRun (pipelines in pipelines) in the given state. */
export function childPipelineRun(pr: PipelineRunToCreate, o: Outcome): ObservedPipelineRun {
  const results = Object.entries(o.results ?? {}).map(([name, value]) => ({ name, value }));
  return {
    kind: 'PipelineRun',
    metadata: { name: pr.name, labels: pr.labels, annotations: pr.annotations },
    spec: pr.spec,
    status: { conditions: [{ type: 'Succeeded', status: o.status, reason: o.reason, message: o.message }], ...(results.length ? { results } : {}) },
  };
}

/** The same child (kind, metadata, spec kept) in another state. */
function settle(c: ObservedChild, o: Outcome): ObservedChild {
  const results = Object.entries(o.results ?? {}).map(([name, value]) => ({ name, value }));
  const status = { conditions: [{ type: 'Succeeded', status: o.status, reason: o.reason, message: o.message }], ...(results.length ? { results } : {}) };
  return { ...c, status } as ObservedChild;
}

/** The same input with other children / time / status. */
export function next(input: FactsInput, children: ObservedChild[], s: number, d?: Decisions): FactsInput {
  const pipelineRun = d ? { ...input.pipelineRun, status: d.status } : input.pipelineRun;
  return { ...input, pipelineRun, children, ...at(s) };
}

/** What a simulated child (TaskRun or PipelineRun) does when created: its outcome (`running` stays running). */
export type Behaviour = (tr: TaskRunToCreate | PipelineRunToCreate) => Outcome;

/** The record of a simulation. */
export interface Simulation {
  final: Decisions;
  steps: Decisions[];
  /** every TaskRun created, in order */
  created: TaskRunToCreate[];
  /** every child PipelineRun created, in order */
  createdPipelineRuns: PipelineRunToCreate[];
  children: ObservedChild[];
}

/**
 * Plays the controller: decide, create children (TaskRuns and PipelineRuns; they finish per
 * `behaviour` one tick later), cancel (a cancelled running TaskRun finishes as TaskRunCancelled,
 * a stopped child PipelineRun as Cancelled, one tick later), mark ignored failures, write the
 * status; one tick = one second. Stops when the run is done or after 100 ticks.
 */
export function simulate(input: FactsInput, behaviour: Behaviour = () => ok()): Simulation {
  let cur = input;
  let children: ObservedChild[] = [];
  const pending = new Map<string, Outcome>();
  const steps: Decisions[] = [];
  const created: TaskRunToCreate[] = [];
  const createdPipelineRuns: PipelineRunToCreate[] = [];
  let s = (input.now - T0) / 1000;
  for (let tick = 0; tick < 100; tick++) {
    const d = decide(cur);
    steps.push(d);
    for (const c of d.create) {
      created.push(c);
      children.push(child(c, running()));
      pending.set(c.name, behaviour(c));
    }
    for (const c of d.createPipelineRuns ?? []) {
      createdPipelineRuns.push(c);
      children.push(childPipelineRun(c, running()));
      pending.set(c.name, behaviour(c));
    }
    for (const c of d.cancel) {
      if (c.kind === 'PipelineRun') {
        children = children.map((x): ObservedChild => (x.metadata.name === c.name && x.kind === 'PipelineRun'
          ? { ...x, metadata: { ...x.metadata, annotations: { ...x.metadata.annotations, [CANCEL_MESSAGE_ANNOTATION]: c.statusMessage } }, spec: { ...x.spec, status: c.specStatus } }
          : x));
        pending.set(c.name, { status: 'False', reason: 'Cancelled', message: `PipelineRun "${c.name}" was cancelled` });
        continue;
      }
      children = children.map((x): ObservedChild => (x.metadata.name === c.name && x.kind !== 'PipelineRun' ? { ...x, spec: { ...x.spec, status: 'TaskRunCancelled', statusMessage: c.statusMessage } } : x));
      pending.set(c.name, { status: 'False', reason: 'TaskRunCancelled', message: `TaskRun "${c.name}" was cancelled. ${c.statusMessage}` });
    }
    for (const n of d.ignoreFailures ?? []) {
      children = children.map((x) => (x.metadata.name === n ? { ...x, status: { ...x.status, conditions: x.status!.conditions!.map((k) => ({ ...k, reason: 'FailureIgnored' })) } } : x));
    }
    const done = d.status.conditions?.[0]?.status !== 'Unknown' && d.status.conditions?.[0]?.reason !== 'PipelineRunPending';
    if (done) return { final: d, steps, created, createdPipelineRuns, children };
    s += 1;
    children = children.map((x) => {
      const o = pending.get(x.metadata.name ?? '');
      if (!o || x.status?.conditions?.[0]?.status !== 'Unknown') return x;
      pending.delete(x.metadata.name ?? '');
      return settle(x, o);
    });
    cur = next(cur, children, s, d);
  }
  return { final: steps[steps.length - 1], steps, created, createdPipelineRuns, children };
}

/** The Succeeded condition of a decision's status: `[status, reason, message]`. */
export function cond(d: Decisions): [string | undefined, string | undefined, string | undefined] {
  const c = d.status.conditions?.[0];
  return [c?.status, c?.reason, c?.message];
}
