// The images of an attempt, made present before its pod starts (as the kubelet pulls a pod's
// images before Tekton's steps run): by each container's imagePullPolicy (Always, IfNotPresent
// — kiln's default — or Never), with the run's registry credentials in an auth file of the
// attempt (0600, removed once the pulls are done). A pull that fails ends the attempt with
// Tekton's TaskRunImagePullFailed and podman's message; Never and a missing image fail at once.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionOutcome, PlanContainer } from '../executor.ts';
import { podmanMessage, podmanRun } from './cli.ts';
import type { Podman } from './cli.ts';

/** How long one pull may take before it fails (the attempt's own timeout may end it sooner). */
const PULL_TIMEOUT_MS = 10 * 60_000;

/** Why container `c`'s image could not be made present; `reason` as the kubelet says it. */
export interface PullFailure { container: PlanContainer; kind: 'step' | 'sidecar'; reason: 'ErrImagePull' | 'ErrImageNeverPull'; message: string }

/**
 * The registry part of an image reference (`127.0.0.1:5000` of `127.0.0.1:5000/a/b:1`), or
 * undefined when the first part names no registry (Docker Hub: `busybox`, `library/busybox`).
 */
export function registryOf(image: string): string | undefined {
  const slash = image.indexOf('/');
  if (slash < 0) return undefined;
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : undefined;
}

/** Registries on loopback speak plain HTTP unless they say otherwise, as Docker assumes for 127.0.0.0/8. */
export function isLoopbackRegistry(registry: string | undefined): boolean {
  if (!registry) return false;
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `podman pull` arguments for `image`, with the auth file when there is one. */
export function pullArgs(image: string, authFile: string | undefined): string[] {
  const tls = isLoopbackRegistry(registryOf(image)) ? ['--tls-verify=false'] : [];
  return ['pull', '--quiet', ...tls, ...(authFile ? ['--authfile', authFile] : []), '--', image];
}

/** Tekton's message for a container whose image could not be pulled. */
export function pullFailureMessage(f: PullFailure, taskRunName: string): string {
  return `the ${f.kind} "${f.container.name}" in TaskRun "${taskRunName}" failed to pull the image "${f.container.image}". The pod errored with the message: "${f.message}."`;
}

/** The attempt's outcome for a pull failure. */
export function pullOutcome(f: PullFailure, taskRunName: string): ExecutionOutcome {
  return { status: 'failed', reason: 'ImagePullFailed', message: pullFailureMessage(f, taskRunName), ...(f.kind === 'step' ? { step: f.container.name } : {}) };
}

/**
 * Images found present (or pulled) by this executor, by reference, with when (ms): a check of an
 * IfNotPresent or Never image within PRESENT_FOR_MS of the last is not repeated — one podman call
 * (~0.1 s) less per attempt. An image removed meanwhile is pulled again by `podman run` (its
 * default --pull missing) or, for Never, refused by `--pull never` (runArgs).
 */
export type PresentImages = Map<string, number>;
export const PRESENT_FOR_MS = 30_000;

/** What `ensureImages` needs: podman, a private directory for the auth file, and when to give up. */
export interface PullContext { podman: Podman; dir: string; registryAuth?: string; signal?: AbortSignal; present?: PresentImages; now?: () => number }

/**
 * Makes the images of `containers` present by their pull policies, in order, each image once;
 * resolves with the first failure (nothing after it is pulled), or undefined.
 */
export async function ensureImages(ctx: PullContext, containers: ReadonlyArray<{ container: PlanContainer; kind: 'step' | 'sidecar' }>): Promise<PullFailure | undefined> {
  const authFile = ctx.registryAuth ? join(ctx.dir, 'auth.json') : undefined;
  if (authFile) await writeFile(authFile, ctx.registryAuth!, { mode: 0o600 });
  const done = new Set<string>();
  const now = ctx.now ?? Date.now;
  try {
    for (const { container, kind } of containers) {
      const policy = container.imagePullPolicy ?? 'IfNotPresent';
      const key = `${policy} ${container.image}`;
      if (done.has(key)) continue;
      done.add(key);
      if (policy !== 'Always') {
        const seen = ctx.present?.get(container.image);
        if (seen !== undefined && now() - seen < PRESENT_FOR_MS) continue;
        const exists = await podmanRun(ctx.podman, ['image', 'exists', '--', container.image], 60_000, ctx.signal);
        if (exists.code === 0) {
          ctx.present?.set(container.image, now());
          continue;
        }
        if (policy === 'Never') return { container, kind, reason: 'ErrImageNeverPull', message: `Container image "${container.image}" is not present with pull policy of Never` };
      }
      const pull = await podmanRun(ctx.podman, pullArgs(container.image, authFile), PULL_TIMEOUT_MS, ctx.signal);
      if (pull.code !== 0) return { container, kind, reason: 'ErrImagePull', message: podmanMessage(pull.stderr) || `podman pull exited with ${pull.code}` };
      ctx.present?.set(container.image, now());
    }
    return undefined;
  } finally {
    if (authFile) await rm(authFile, { force: true });
  }
}
