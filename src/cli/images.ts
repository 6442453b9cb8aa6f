// The images a file's steps and sidecars name, for the note `kiln run` prints when the process
// executor runs them on this host instead (their images are not used there).
import type { KObject } from '../api/meta.ts';

function record(x: unknown): Record<string, unknown> | undefined {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}

function list(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

/** Images of the containers (steps, sidecars, stepTemplate) of a Task spec. */
function taskSpecImages(spec: unknown, out: Set<string>): void {
  const s = record(spec);
  if (!s) return;
  for (const c of [...list(s.steps), ...list(s.sidecars), s.stepTemplate]) {
    const image = record(c)?.image;
    if (typeof image === 'string' && image.trim()) out.add(image.trim());
  }
}

/** Images of the inline Tasks (and inline Pipelines) of a Pipeline spec. */
function pipelineSpecImages(spec: unknown, out: Set<string>): void {
  const s = record(spec);
  if (!s) return;
  for (const t of [...list(s.tasks), ...list(s.finally)]) {
    const pt = record(t);
    taskSpecImages(pt?.taskSpec, out);
    pipelineSpecImages(pt?.pipelineSpec, out);
  }
}

/** Every image the objects' steps, sidecars and step actions name, sorted. */
export function imagesIn(objects: readonly KObject[]): string[] {
  const out = new Set<string>();
  for (const o of objects) {
    const spec = record(o.spec);
    switch (o.kind) {
      case 'Task': taskSpecImages(spec, out); break;
      case 'TaskRun': taskSpecImages(spec?.taskSpec, out); break;
      case 'Pipeline': pipelineSpecImages(spec, out); break;
      case 'PipelineRun': pipelineSpecImages(spec?.pipelineSpec, out); break;
      case 'StepAction': if (typeof spec?.image === 'string' && spec.image.trim()) out.add(spec.image.trim()); break;
    }
  }
  return [...out].sort();
}

/** The note: these images are not used, the host's tools are; at most `max` images named. */
export function hostImagesNote(images: readonly string[], max = 6): string | undefined {
  if (!images.length) return undefined;
  const shown = images.slice(0, max).join(', ') + (images.length > max ? ` and ${images.length - max} more` : '');
  return `steps run on this host with its tools, not in their images (${shown}): the process executor ignores images; --executor podman runs each step in its image`;
}
