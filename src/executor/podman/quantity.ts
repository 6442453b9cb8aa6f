// Kubernetes resource quantities (computeResources.limits) as podman's flags take them:
// cpu "500m" → `--cpus 0.5`, memory "64Mi" → `--memory 67108864` (bytes).

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A quantity's value as a number (`"1.5Gi"` → 1610612736, `"100m"` → 0.1), or undefined when it is not one. */
export function parseQuantity(q: string | number): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) && q >= 0 ? q : undefined;
  const m = /^\+?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei)|([numkKMGTPE]?))$/.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1] + (m[2] ?? ''));
  const unit = m[3] ? BINARY[m[3]] : DECIMAL[m[4] ?? ''];
  return Number.isFinite(n) ? n * unit : undefined;
}

/** `--cpus` value for a cpu limit (at most 3 decimals, as Kubernetes keeps millicores), or an error naming the value. */
export function cpuLimit(q: string | number): { value: string } | { error: string } {
  const n = parseQuantity(q);
  if (n === undefined || n <= 0) return { error: `cpu limit "${q}" is not a positive quantity (e.g. "500m", "2")` };
  return { value: String(Math.max(0.001, Math.round(n * 1000) / 1000)) };
}

/** `--memory` value (whole bytes) for a memory limit, or an error naming the value. */
export function memoryLimit(q: string | number): { value: string } | { error: string } {
  const n = parseQuantity(q);
  if (n === undefined || n < 1) return { error: `memory limit "${q}" is not a positive quantity of bytes (e.g. "64Mi", "1G")` };
  return { value: String(Math.ceil(n)) };
}
