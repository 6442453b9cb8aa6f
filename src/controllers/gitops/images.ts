// `status.summary.images`, as Argo CD shows them: every container image named by the live objects
// (Pods, pod templates of workloads, CronJobs' job templates), sorted and unique.

type Obj = Record<string, unknown>;

function podSpecs(o: Obj): Obj[] {
  const spec = (o.spec ?? {}) as Obj;
  if (o.kind === 'Pod') return [spec];
  const template = (spec.template as Obj | undefined)?.spec as Obj | undefined;
  const job = ((((spec.jobTemplate as Obj | undefined)?.spec as Obj | undefined)?.template as Obj | undefined)?.spec) as Obj | undefined;
  return [template, job].filter((s): s is Obj => !!s);
}

export function imagesOf(live: readonly Obj[]): string[] {
  const out = new Set<string>();
  for (const o of live) {
    for (const ps of podSpecs(o)) {
      for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
        for (const c of (Array.isArray(ps[key]) ? ps[key] : []) as Obj[]) if (typeof c?.image === 'string' && c.image) out.add(c.image);
      }
    }
  }
  return [...out].sort();
}
