// `kiln bundle push REF -f FILE…` (tkn bundle push): every Task, Pipeline and StepAction of the
// files becomes one layer of a Tekton bundle image pushed to REF; credentials from the docker
// config (`$REGISTRY_AUTH_FILE`, else `$DOCKER_CONFIG/config.json` or ~/.docker/config.json).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { loadManifests } from '../api/load.ts';
import { formatFieldError } from '../api/errors.ts';
import { CliError, EXIT } from './exit.ts';
import type { Writers } from './reporter.ts';

/** One object of a bundle: apiVersion, kind, name and its JSON (as the file wrote it). */
export interface BundleEntry { apiVersion: string; kind: string; name: string; json: string }

/** What pushes a bundle (from the composition root); throws CliError with the reason. */
export type BundlePusher = (req: { reference: string; objects: BundleEntry[]; dockerConfig?: string; signal?: AbortSignal }) => Promise<{ pushed: string; digest: string }>;

const BUNDLE_KINDS = new Set(['Task', 'Pipeline', 'StepAction']);

function readText(file: string): string {
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(EXIT.invalid, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** The objects of a file as bundle entries; every problem (invalid object, kind not bundled) named with file:line. */
export function bundleEntries(text: string, file: string): BundleEntry[] {
  const loaded = loadManifests(text, file, { fieldValidation: 'Strict' });
  if (loaded.errors.length) throw new CliError(EXIT.invalid, `${file}: ${loaded.errors.length} error(s)`, loaded.errors.map(formatFieldError));
  const out: BundleEntry[] = [];
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJS() as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } | null;
    if (o === null || o === undefined) continue;
    const line = doc.contents?.range ? text.slice(0, doc.contents.range[0]).split('\n').length : 1;
    const kind = String(o.kind);
    if (!BUNDLE_KINDS.has(kind) || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('tekton.dev/')) {
      throw new CliError(EXIT.invalid, `${file}:${line}: ${o.apiVersion}/${kind} cannot go in a bundle: a bundle holds tekton.dev Tasks, Pipelines and StepActions`);
    }
    out.push({ apiVersion: o.apiVersion, kind, name: String(o.metadata?.name ?? ''), json: JSON.stringify(o) });
  }
  if (!out.length) throw new CliError(EXIT.invalid, `${file}: no objects found`);
  return out;
}

/** The docker config to take credentials from, if any: `$REGISTRY_AUTH_FILE`, else `$DOCKER_CONFIG/config.json`, else ~/.docker/config.json. */
export function dockerConfigFile(env: Record<string, string | undefined>, home = homedir()): string | undefined {
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  const file = join(env.DOCKER_CONFIG ?? join(home, '.docker'), 'config.json');
  return existsSync(file) ? file : undefined;
}

export function addBundleCommands(program: Command, push: BundlePusher | undefined, w: Writers, env: Record<string, string | undefined>, setCode: (n: number) => void, signal?: AbortSignal): void {
  const bundle = program.command('bundle').description('Tekton bundles: Tasks, Pipelines and StepActions as an OCI image in a registry');
  bundle
    .command('push')
    .description('build a Tekton bundle of the files\' objects (one layer each) and push it to REF; prints its digest')
    .argument('<ref>', 'image reference: registry/repository[:tag] (plain http for a registry on loopback)')
    .option('-f, --filenames <file>', 'YAML or JSON file of Tekton objects (repeatable; - for stdin)', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (ref: string, o: { filenames?: string[] }) => {
      if (!push) throw new CliError(EXIT.internal, 'this build of kiln cannot push bundles');
      if (!o.filenames?.length) throw new CliError(EXIT.invalid, 'give the objects with -f FILE');
      const objects = o.filenames.flatMap((f) => bundleEntries(readText(f), f));
      const authFile = dockerConfigFile(env);
      const dockerConfig = authFile ? readText(authFile) : undefined;
      w.out('Creating Tekton Bundle:');
      for (const x of objects) w.out(`\t- Added ${x.kind}: ${x.name} to image`);
      const { pushed } = await push({ reference: ref, objects, dockerConfig, signal });
      w.out('');
      w.out(`Pushed Tekton Bundle to ${pushed}`);
      setCode(EXIT.ok);
    });
}
