// argocd-cm, as Argo CD reads it, for the comparison: Lua health checks
// (`resource.customizations.health.<group_kind>`) and system-wide ignoreDifferences
// (`resource.customizations.ignoreDifferences.<group_kind>` and `.all`).
import { parseSystemIgnoreRules } from '../../gitops/diff/ignore.ts';
import { parseHealthCustomizations } from '../../gitops/health/customizations.ts';
import type { CompareSettings } from './compare.ts';

/** The settings of argocd-cm's `data`, and the problems found (each naming its key). */
export function settingsOf(data: Record<string, unknown> | undefined): { settings: CompareSettings; errors: string[] } {
  const health = parseHealthCustomizations(data);
  const ignore = parseSystemIgnoreRules(data);
  return { settings: { health: { customizations: health.checks }, ignoreDifferences: ignore.rules }, errors: [...health.errors, ...ignore.errors] };
}
