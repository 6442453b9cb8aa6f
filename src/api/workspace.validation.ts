// Workspace bindings of TaskRuns and PipelineRuns (workspace_validation.go).
import { duplicateNames, exactlyOneOf, fieldError, missingField } from './checks.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import type { WorkspaceBinding } from './workspace.types.ts';

/** The volume sources a binding may name (exactly one); `hostPath` is kiln's `kiln run -w` extension. */
export const WORKSPACE_SOURCES = [
  'emptyDir', 'persistentVolumeClaim', 'volumeClaimTemplate', 'configMap', 'secret', 'projected', 'csi', 'hostPath',
] as const;

/**
 * Checks bindings at `path` (e.g. `spec.workspaces`): a name, unique names, exactly one source,
 * and the source's required field (claimName, configMap name, secretName, projected sources,
 * csi driver, hostPath path).
 */
export function validateWorkspaceBindings(bindings: WorkspaceBinding[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (bindings ?? []).forEach((b, i) => {
    const bp = joinPath(path, i);
    if (!b.name) errs.push(missingField(joinPath(bp, 'name')));
    errs.push(...exactlyOneOf(b as unknown as Record<string, unknown>, bp, WORKSPACE_SOURCES));
    if (b.persistentVolumeClaim && !b.persistentVolumeClaim.claimName) errs.push(missingField(joinPath(bp, 'persistentVolumeClaim.claimName')));
    if (b.configMap && !b.configMap.name) errs.push(missingField(joinPath(bp, 'configMap.name')));
    if (b.secret && !b.secret.secretName) errs.push(missingField(joinPath(bp, 'secret.secretName')));
    if (b.projected && !(b.projected.sources?.length)) errs.push(missingField(joinPath(bp, 'projected.sources')));
    const csi = b.csi as { driver?: unknown } | undefined;
    if (csi && typeof csi === 'object' && !csi.driver) errs.push(missingField(joinPath(bp, 'csi.driver')));
    if (b.hostPath && !b.hostPath.path) errs.push(missingField(joinPath(bp, 'hostPath.path')));
  });
  for (const [i, name] of duplicateNames(bindings)) {
    errs.push(fieldError(joinPath(joinPath(path, i), 'name'), `workspace name "${name}" provided more than once`));
  }
  return errs;
}
