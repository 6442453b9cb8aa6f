// Pure helpers that explain a failure (no DOM): which step, its exit code and reason.
import type { KObj } from './api.ts';

export interface FailedStep { name: string; exitCode?: number; reason?: string }

/**
 * The step a failed TaskRun failed at: the first with a non-zero exit code, else the first ended
 * for another reason than completing (a timeout, a cancel, an error before it ran).
 */
export function failedStep(tr: KObj | undefined): FailedStep | undefined {
  const steps: { name: string; terminated?: { exitCode?: number; reason?: string } }[] = tr?.status?.steps ?? [];
  const s = steps.find((x) => (x.terminated?.exitCode ?? 0) !== 0)
    ?? steps.find((x) => x.terminated?.reason && x.terminated.reason !== 'Completed');
  return s && { name: s.name, exitCode: s.terminated?.exitCode, reason: s.terminated?.reason };
}

/** The last `n` lines of a step's log (all steps when `step` is undefined), colours stripped. */
export function logTail<L extends { step: string; line: string }>(lines: readonly L[], step: string | undefined, n: number): L[] {
  const of = step ? lines.filter((l) => l.step === step) : lines;
  return of.slice(Math.max(0, of.length - n));
}
