// Kinds kiln does not run (RBAC Roles, Deployments, Services, …): files written for a cluster carry
// them beside their Tasks. Loading reports such an object with one recognisable error, which a
// caller may set aside as "not applied here" instead of failing the file. An unknown kind in a
// Tekton group, or a core kind one typo away from one kiln knows, stays a plain error.
import type { FieldError } from './errors.ts';
import { groupOf } from './meta.ts';
import { suggest } from './normalize.ts';
import { KINDS } from './registry.ts';

/** Core (`v1`) kinds of Kubernetes that kiln does not keep (others close to a kiln kind are typos). */
const CORE_KINDS = new Set([
  'Binding', 'ComponentStatus', 'Endpoints', 'LimitRange', 'Node', 'PersistentVolume', 'Pod',
  'PodTemplate', 'ReplicationController', 'ResourceQuota', 'Service',
]);

const NOT_APPLIED = 'not applied here';
const MESSAGE = /^(\S+) \(([^)]*)\): not applied here/;

/**
 * Is `kind` of `apiVersion` one kiln does not run, rather than a mistake? True for kinds of
 * groups that are not Tekton's (`tekton.dev`, `*.tekton.dev`) and, in the core group, for the
 * Kubernetes kinds kiln does not keep or names not close to one it does.
 */
export function isForeignKind(apiVersion: string, kind: string): boolean {
  if (KINDS.some((k) => k.kind.toLowerCase() === kind.toLowerCase())) return false;
  const group = groupOf(apiVersion);
  if (group === 'tekton.dev' || group.endsWith('.tekton.dev')) return false;
  if (group !== '') return true;
  return CORE_KINDS.has(kind) || !suggest(kind, KINDS.filter((k) => k.group === '').map((k) => k.kind));
}

/** The error (at `kind`) for an object of a foreign kind: `Role/name (rbac.authorization.k8s.io/v1): not applied here: …`. */
export function notAppliedError(apiVersion: string, kind: string, name: unknown): FieldError {
  const subject = `${kind}/${typeof name === 'string' && name ? name : '(unnamed)'}`;
  return { path: 'kind', message: `${subject} (${apiVersion}): ${NOT_APPLIED}: kiln runs Tekton and Triggers resources, ConfigMaps, Secrets and the like, not this kind`, severity: 'error' };
}

/** `Kind/name` of an error made by `notAppliedError`, else undefined. */
export function notAppliedSubject(e: FieldError): string | undefined {
  if (e.path !== 'kind') return undefined;
  return MESSAGE.exec(e.message)?.[1];
}
