// Kustomize (through `kubectl kustomize`) and Helm (`helm template`) sources, run only when the tool
// is on PATH; otherwise a ComparisonError naming what is missing.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { stringify } from 'yaml';
import type { ApplicationSource, RenderedManifest } from '../types.ts';
import { parseManifests } from './directory.ts';
import { ComparisonError } from './errors.ts';

/** The path of `name` on PATH, if executable. */
export async function which(name: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try { await access(p, constants.X_OK); return p; } catch { /* next */ }
  }
  return undefined;
}

function run(bin: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd, timeout: timeoutMs, maxBuffer: 64 << 20, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), LANG: 'C' } },
      (err, stdout, stderr) => {
        if (err) reject(new ComparisonError(err.killed ? `${bin} timed out` : (String(stderr).trim().split('\n').slice(-3).join(' ') || err.message)));
        else resolve(stdout);
      });
  });
}

/** Argo CD's `images` entries: `name=new:tag`, `name:tag`, `name@digest`. */
function imageOf(spec: string): Record<string, string> {
  const [name, target = spec] = spec.includes('=') ? spec.split('=', 2) : [spec.replace(/[:@].*$/, ''), spec];
  const out: Record<string, string> = { name };
  const at = target.indexOf('@');
  const colon = target.lastIndexOf(':');
  const base = at >= 0 ? target.slice(0, at) : colon > target.lastIndexOf('/') ? target.slice(0, colon) : target;
  if (base !== name) out.newName = base;
  if (at >= 0) out.digest = target.slice(at + 1);
  else if (colon > target.lastIndexOf('/')) out.newTag = target.slice(colon + 1);
  return out;
}

/** `kubectl kustomize` of `appDir`, with the Application's kustomize options as an overlay around it. */
export async function renderKustomize(repoRoot: string, appDir: string, src: ApplicationSource, timeoutMs = 60_000): Promise<RenderedManifest[]> {
  const kubectl = await which('kubectl');
  if (!kubectl) throw new ComparisonError(`${relative(repoRoot, appDir) || '.'}: a kustomization needs kubectl (kubectl kustomize), which is not installed`);
  const k = src.kustomize ?? {};
  const file = relative(repoRoot, appDir) || '.';
  const hasOptions = Boolean(k.namePrefix || k.nameSuffix || k.namespace || k.images?.length || k.commonLabels || k.commonAnnotations);
  if (!hasOptions) return parseManifests(await run(kubectl, ['kustomize', appDir], appDir, timeoutMs), `${file} (kustomize)`);
  const overlay = await mkdtemp(join(tmpdir(), 'kiln-kustomize-'));
  try {
    const kustomization: Record<string, unknown> = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [relative(overlay, appDir)] };
    if (k.namePrefix) kustomization.namePrefix = k.namePrefix;
    if (k.nameSuffix) kustomization.nameSuffix = k.nameSuffix;
    if (k.namespace) kustomization.namespace = k.namespace;
    if (k.commonLabels) kustomization.commonLabels = k.commonLabels;
    if (k.commonAnnotations) kustomization.commonAnnotations = k.commonAnnotations;
    if (k.images?.length) kustomization.images = k.images.map(imageOf);
    await writeFile(join(overlay, 'kustomization.yaml'), stringify(kustomization));
    return parseManifests(await run(kubectl, ['kustomize', overlay], overlay, timeoutMs), `${file} (kustomize)`);
  } finally {
    await rm(overlay, { recursive: true, force: true });
  }
}

/** `helm template` of the chart at `appDir`. */
export async function renderHelm(repoRoot: string, appDir: string, src: ApplicationSource, opts: { appName: string; namespace?: string; timeoutMs?: number }): Promise<RenderedManifest[]> {
  const file = relative(repoRoot, appDir) || '.';
  const helm = await which('helm');
  if (!helm) throw new ComparisonError(`${file}: a Helm chart needs helm (helm template), which is not installed`);
  const h = src.helm ?? {};
  const args = ['template', h.releaseName || opts.appName, appDir];
  if (opts.namespace) args.push('--namespace', opts.namespace);
  for (const v of h.valueFiles ?? []) {
    if (v.includes('..') || v.startsWith('/')) throw new ComparisonError(`${file}: value file ${v} is outside the chart's repository`);
    args.push('--values', join(appDir, v));
  }
  const tmp = await mkdtemp(join(tmpdir(), 'kiln-helm-'));
  try {
    const inline = h.valuesObject ? stringify(h.valuesObject) : h.values;
    if (inline) { await writeFile(join(tmp, 'values.yaml'), inline); args.push('--values', join(tmp, 'values.yaml')); }
    for (const p of h.parameters ?? []) args.push(p.forceString ? '--set-string' : '--set', `${p.name}=${p.value}`);
    return parseManifests(await run(helm, args, appDir, opts.timeoutMs ?? 60_000), `${file} (helm)`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
