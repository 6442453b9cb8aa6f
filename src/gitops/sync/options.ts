// Sync options of one object: the app-level list (spec.syncPolicy.syncOptions, or the operation's own) combined
// with the object's `argocd.argoproj.io/sync-options` annotation, as gitops-engine combines them.
import { ANN_COMPARE_OPTIONS, ANN_SYNC_OPTIONS, annotationCSV, hasAnnotationOption, hasOption, optionValue } from './annotations.ts';
import type { ApplyOptions, Obj } from './types.ts';

/** The value of `Key=` in the object's sync-options annotation, else in the app-level list. */
export function resourceOptionValue(o: Obj | null | undefined, appOptions: readonly string[] | undefined, key: string): string | undefined {
  const own = annotationCSV(o, ANN_SYNC_OPTIONS).find((v) => v.startsWith(key + '='));
  return own !== undefined ? own.slice(key.length + 1) : optionValue(appOptions, key);
}

/** How one object is applied (`target`, with `live` when it exists). */
export function applyOptionsOf(
  target: Obj,
  live: Obj | null,
  appOptions: readonly string[] | undefined,
  extra: { force?: boolean; crdInSync?: boolean } = {},
): ApplyOptions {
  const has = (o: Obj | null, v: string) => hasAnnotationOption(o, ANN_SYNC_OPTIONS, v);
  const ssaOff = has(target, 'ServerSideApply=false');
  return {
    serverSideApply: !ssaOff && (hasOption(appOptions, 'ServerSideApply=true') || has(target, 'ServerSideApply=true')),
    replace: hasOption(appOptions, 'Replace=true') || has(target, 'Replace=true') || has(live, 'Replace=true'),
    force: !!extra.force || has(target, 'Force=true') || has(live, 'Force=true'),
    validate: !hasOption(appOptions, 'Validate=false') && !has(target, 'Validate=false'),
    skipDryRunOnMissingResource:
      !!extra.crdInSync || hasOption(appOptions, 'SkipDryRunOnMissingResource=true') || has(target, 'SkipDryRunOnMissingResource=true'),
  };
}

/** `Prune=false` on the live object (or app-wide, unless the object says otherwise). */
export function pruneDisabled(live: Obj, appOptions: readonly string[] | undefined): boolean {
  return resourceOptionValue(live, appOptions, 'Prune') === 'false';
}

/** `Prune=confirm`: the object is pruned only after the user confirms. */
export function pruneNeedsConfirm(live: Obj, appOptions: readonly string[] | undefined): boolean {
  return resourceOptionValue(live, appOptions, 'Prune') === 'confirm';
}

/** `PruneLast=true` app-wide or on the live object: prune after every other wave. */
export function pruneLast(live: Obj, appOptions: readonly string[] | undefined): boolean {
  return hasOption(appOptions, 'PruneLast=true') || hasAnnotationOption(live, ANN_SYNC_OPTIONS, 'PruneLast=true');
}

/** `PrunePropagationPolicy=` (foreground by default). */
export function propagationPolicy(appOptions: readonly string[] | undefined): 'foreground' | 'background' | 'orphan' {
  const v = optionValue(appOptions, 'PrunePropagationPolicy');
  return v === 'background' || v === 'orphan' ? v : 'foreground';
}

/** `argocd.argoproj.io/compare-options: IgnoreExtraneous`: an extra live object that does not make the app OutOfSync (it is still pruned). */
export function ignoresExtraneous(o: Obj): boolean {
  return hasAnnotationOption(o, ANN_COMPARE_OPTIONS, 'IgnoreExtraneous');
}

/** The Application annotation `argocd app confirm-deletion` sets to the time of the confirmation. */
export const ANN_DELETION_APPROVED = 'argocd.argoproj.io/deletion-approved';

/** Whether the prunes waiting for confirmation are confirmed: the Application's approval is no older than the operation. */
export function pruneConfirmed(appAnnotations: Record<string, unknown> | undefined, startedAt: string): boolean {
  const v = appAnnotations?.[ANN_DELETION_APPROVED];
  const at = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(at) && at >= Date.parse(startedAt);
}
