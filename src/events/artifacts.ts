// CDEvents of the images a TaskRun built: artifact packaged then published, from the results
// Tekton Chains reads (`IMAGE_URL` + `IMAGE_DIGEST`, or `<X>_IMAGE_URL` + `<X>_IMAGE_DIGEST`),
// with the image's purl (pkg:oci) as subject id. Derived from the run's final state, as runs.ts.
import type { TaskRun } from '../api/taskrun.types.ts';
import { buildCDEvent, CDEventType, stableId, type CDEvent } from './cdevent.ts';
import { attemptsOf, chainIdOf, LABEL_TRIGGER_EVENT_ID, runEventId, runSubjectId, type EventSource } from './runs.ts';

/** An image a run built: where it was pushed and its digest. */
export interface BuiltImage { url: string; digest: string }

/** The images named by IMAGE_URL/IMAGE_DIGEST result pairs (the bare pair first, then by prefix). */
export function imagesOf(results: ReadonlyArray<{ name: string; value: unknown }>): BuiltImage[] {
  const byName = new Map(results.filter((r) => typeof r.value === 'string').map((r) => [r.name, (r.value as string).trim()]));
  const out: BuiltImage[] = [];
  for (const [name, digest] of byName) {
    const m = /^(?:(.+)_)?IMAGE_DIGEST$/.exec(name);
    if (!m) continue;
    const url = byName.get(m[1] ? `${m[1]}_IMAGE_URL` : 'IMAGE_URL');
    if (url && digest) out.push({ url, digest });
  }
  return out;
}

/**
 * The purl of an OCI image (purl-spec's `oci` type): `pkg:oci/<name>@<digest>?repository_url=<repo>[&tag=<tag>]`,
 * e.g. `registry.example/team/app:1.0` + `sha256:ab…` → `pkg:oci/app@sha256%3Aab…?repository_url=registry.example/team/app&tag=1.0`.
 */
export function ociPurl({ url, digest }: BuiltImage): string {
  let repo = url.replace(/^[a-z]+:\/\//i, '');
  repo = repo.replace(/@.*$/, '');
  let tag: string | undefined;
  const m = /^(.*\/[^/:]+|[^/:]+):([^/:]+)$/.exec(repo);
  if (m) [repo, tag] = [m[1], m[2]];
  const name = repo.slice(repo.lastIndexOf('/') + 1).toLowerCase();
  const q = [`repository_url=${encodeURIComponent(repo).replace(/%2F/g, '/')}`];
  if (tag) q.push(`tag=${encodeURIComponent(tag)}`);
  return `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(digest)}?${q.join('&')}`;
}

/** artifact.packaged + artifact.published for each image a finished, successful TaskRun reports. */
export function artifactEvents(tr: TaskRun, src: EventSource): CDEvent[] {
  const attempts = attemptsOf(tr);
  const attempt = attempts.length - 1;
  const st = attempts[attempt];
  const done = st.conditions?.find((c) => c.type === 'Succeeded');
  if (done?.status !== 'True') return [];
  const uid = tr.metadata.uid ?? '';
  const timestamp = st.completionTime ?? done.lastTransitionTime ?? st.startTime ?? '';
  const chainId = chainIdOf(tr);
  const delivery = tr.metadata.labels?.[LABEL_TRIGGER_EVENT_ID];
  const change = { id: delivery ?? runSubjectId(tr), source: src.source };
  const finishedId = runEventId(uid, CDEventType.TaskRunFinished, attempt);
  const out: CDEvent[] = [];
  imagesOf(st.results ?? []).forEach(function imageEvents(img, i) {
    const id = ociPurl(img);
    const packaged = stableId(uid, String(attempt), String(i), CDEventType.ArtifactPackaged);
    out.push(buildCDEvent(CDEventType.ArtifactPackaged, { id: packaged, source: src.source, timestamp, chainId, links: [{ linkType: 'PATH', from: { contextId: finishedId } }] }, { id, content: { change } }));
    out.push(buildCDEvent(CDEventType.ArtifactPublished, {
      id: stableId(uid, String(attempt), String(i), CDEventType.ArtifactPublished), source: src.source, timestamp, chainId,
      links: [{ linkType: 'PATH', from: { contextId: packaged } }],
    }, { id, content: {} }));
  });
  return out;
}
