// Kubernetes' version priority (GA before beta before alpha, higher numbers first; others last,
// alphabetically): the order of a group's versions in discovery, the first being preferred.

function rank(v: string): [number, number, number] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [3, 0, 0];
  return [m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2, -Number(m[1]), -Number(m[3] ?? 0)];
}

/** `versions` sorted by Kubernetes version priority (a new array). */
export function sortVersions(versions: readonly string[]): string[] {
  return [...versions].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2] || (a < b ? -1 : 1);
  });
}
