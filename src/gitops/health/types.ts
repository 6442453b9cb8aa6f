// Health of a live object as Argo CD reports it: the status codes, their order, and the result shape.

/** Argo CD's health codes (gitops-engine pkg/health). */
export const HEALTH = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'] as const;
export type HealthStatusCode = (typeof HEALTH)[number];

/** One resource's health; `aggregateAs` (e.g. a suspended Job) is what the app counts instead of `status`. */
export interface HealthStatus {
  status: HealthStatusCode;
  message?: string;
  aggregateAs?: HealthStatusCode;
}

/** A live object as stored: any JSON object with apiVersion/kind/metadata. */
export type Obj = Record<string, unknown>;

/** True when `s` is one of Argo CD's health codes. */
export function isHealthCode(s: unknown): s is HealthStatusCode {
  return typeof s === 'string' && (HEALTH as readonly string[]).includes(s);
}

/** Whether `next` is worse than `current` in Argo CD's order Healthy < Suspended < Progressing < Missing < Degraded < Unknown. */
export function isWorse(current: HealthStatusCode, next: HealthStatusCode): boolean {
  return HEALTH.indexOf(next) > HEALTH.indexOf(current);
}
