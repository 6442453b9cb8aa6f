// Names of the objects a PipelineRun owns, computed exactly as Tekton does: knative's
// kmeta.ChildName for TaskRuns (md5 when too long) and volumeclaim's PVC names (sha256).
import { md5Hex, sha256Hex } from './hash.ts';

const LONGEST = 63;
const MD5_LEN = 32;
const HEAD = LONGEST - MD5_LEN;

/**
 * knative.dev/pkg/kmeta.ChildName: `parent + suffix` when it fits in 63 characters; otherwise the
 * parent is truncated and the md5 of the parent (or of parent+suffix when the suffix itself is
 * too long) is inserted, keeping the name unique and at most 63 characters.
 */
export function childName(parent: string, suffix: string): string {
  let n = parent;
  if (parent.length > LONGEST - suffix.length) {
    if (HEAD - suffix.length <= 0) {
      const h = md5Hex(parent + suffix);
      const head = parent.length > HEAD ? parent.slice(0, HEAD) : parent;
      let ret = head + h;
      const d = LONGEST - ret.length;
      if (d > 0) ret += suffix.slice(0, d);
      return ret.replace(/-+$/, '');
    }
    n = parent.slice(0, HEAD - suffix.length) + md5Hex(parent);
  }
  return n + suffix;
}

/** The TaskRun of a (non-matrixed) PipelineTask: `<pipelinerun>-<task>`. */
export function taskRunName(pipelineRun: string, pipelineTask: string): string {
  return childName(pipelineRun, `-${pipelineTask}`);
}

/** The TaskRun of matrix combination `i`: `<pipelinerun>-<task>-<i>`. */
export function matrixTaskRunName(pipelineRun: string, pipelineTask: string, i: number): string {
  return childName(pipelineRun, `-${pipelineTask}-${i}`);
}

/**
 * The PersistentVolumeClaim a `volumeClaimTemplate` binding becomes, shared by every TaskRun of
 * the run that owns it (volumeclaim's name for a claim without the affinity assistant):
 * `<template name or "pvc">-<first 10 hex of sha256(binding name + owner uid)>`. The owner's uid,
 * not its name, keeps the claims of runs that reuse a name apart.
 */
export function claimName(templateName: string | undefined, bindingName: string, ownerUid: string): string {
  return `${templateName || 'pvc'}-${sha256Hex(bindingName + ownerUid).slice(0, 10)}`;
}
