// Retention: which finished runs to prune, keeping the last N per pipeline (or task) and/or
// nothing older than D days. Pure: the caller lists runs and deletes what this returns.

export interface RetentionPolicy {
  /** keep at most this many finished runs per pipeline (TaskRuns: per task); undefined = no limit */
  keepLast?: number;
  /** prune finished runs that completed more than this many days ago; undefined = no limit */
  maxAgeDays?: number;
}

export interface FinishedRun {
  namespace: string;
  name: string;
  /** what the run ran: `pipeline/<name>`, `task/<name>`, or the run's own name for inline specs */
  group: string;
  /** ISO completion time */
  completionTime: string;
}

/** The runs to prune under `policy` at `now` (ms): oldest first. */
export function runsToPrune(runs: readonly FinishedRun[], policy: RetentionPolicy, now: number): FinishedRun[] {
  const prune = new Set<FinishedRun>();
  if (policy.maxAgeDays !== undefined) {
    const cutoff = now - policy.maxAgeDays * 86_400_000;
    for (const r of runs) if (Date.parse(r.completionTime) < cutoff) prune.add(r);
  }
  if (policy.keepLast !== undefined) {
    const groups = new Map<string, FinishedRun[]>();
    for (const r of runs) {
      const k = `${r.namespace}/${r.group}`;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    for (const g of groups.values()) {
      g.sort((a, b) => Date.parse(b.completionTime) - Date.parse(a.completionTime) || a.name.localeCompare(b.name));
      for (const r of g.slice(Math.max(0, policy.keepLast))) prune.add(r);
    }
  }
  return [...prune].sort((a, b) => Date.parse(a.completionTime) - Date.parse(b.completionTime) || a.name.localeCompare(b.name));
}
